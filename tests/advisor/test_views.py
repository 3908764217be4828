from __future__ import annotations

import gzip
import json
import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from advisor.decisions import DECISIONS, PLAYGROUND_FLOW_PATH
from advisor.questions import parse_permalink
from advisor.recommendation import recommend
from advisor.scenarios import SCENARIO_BY_ID, SCENARIOS

HTMX = {"HX-Request": "true"}
NIGHTLY = SCENARIO_BY_ID["nightly-erp-sync"].to_query()


def text_of(response):
    text = unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"\s+", " ", text).replace("“ ", "“").replace(" ”", "”")


def summary(response):
    """What the five summary cards say won, in order."""
    return re.findall(
        r'class="summary__choice" data-decision="([a-z]+)">([^<]+)<', response.content.decode()
    )


def test_the_wizard_shows_grouped_questions_and_a_recommendation(client):
    response = client.get(reverse("advisor:wizard"))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('<fieldset class="topic"') == 6
    assert "<legend>Which side makes the call?</legend>" in body
    assert "It decides whether Salesforce offers an API or calls one" in body
    assert 'value="" checked> <span>Skip, or not sure</span>' in body
    assert "Nothing answered yet, so this is general guidance." in text_of(response)
    assert [decision for decision, _ in summary(response)] == [
        "flow",
        "pattern",
        "topology",
        "events",
        "transport",
    ]


def test_the_wizard_is_sent_compressed_to_a_client_that_accepts_gzip(client):
    answers = {"person": "no"}
    plain = client.get(reverse("advisor:wizard"), query_params=answers)
    packed = client.get(
        reverse("advisor:wizard"), query_params=answers, headers={"Accept-Encoding": "gzip"}
    )

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    page = gzip.decompress(packed.content).decode()
    assert "JWT bearer flow" in page
    assert len(packed.content) < len(plain.content) / 3


def test_answers_in_the_query_string_are_checked_in_the_form_and_drive_the_result(client):
    response = client.get(f"{reverse('advisor:wizard')}?{NIGHTLY}")

    body = response.content.decode()
    assert 'name="person" value="no" checked' in body
    assert 'value="SAP ERP, Data warehouse"' in body
    assert summary(response) == [
        ("flow", "JWT bearer flow"),
        ("pattern", "Batch data synchronization"),
        ("topology", "Middleware (ESB)"),
        ("events", "No events"),
        ("transport", "One-way TLS"),
    ]
    page = text_of(response)
    assert "Based on 23 of 47 answers." in page
    assert "Because you said no person is present." in page


def test_the_htmx_request_gets_only_the_result_and_a_canonical_url_to_push(client):
    response = client.get(f"{reverse('advisor:wizard')}?person=no&client=&{NIGHTLY}", headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="result"')
    assert "<html" not in body
    assert "<legend>Which side makes the call?</legend>" not in body
    assert 'id="live-status"' in body
    assert 'hx-swap-oob="true"' in body
    assert "Recommendation updated: Authentication flow, JWT bearer flow;" in body
    assert response["HX-Push-Url"] == f"{reverse('advisor:wizard')}?{NIGHTLY}"
    assert "HX-Request" in response["Vary"]


def test_restoring_history_through_htmx_gets_the_full_page(client):
    response = client.get(
        f"{reverse('advisor:wizard')}?{NIGHTLY}",
        headers={**HTMX, "HX-History-Restore-Request": "true"},
    )

    assert "<html" in response.content.decode()


def test_a_plain_form_submission_is_redirected_to_the_clean_permalink(client):
    response = client.get(f"{reverse('advisor:wizard')}?initiator=&person=no&client=&system-names=")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('advisor:wizard')}?person=no"


def test_bad_answers_are_shown_as_form_errors_not_a_crash(client):
    response = client.get(f"{reverse('advisor:wizard')}?person=sometimes&system-count=1")

    page = text_of(response)
    assert response.status_code == 200
    assert "Some answers couldn't be used and were left out:" in page
    assert "“sometimes” is not one of the answers here, so it was ignored." in page
    assert "Give a number from 2 to 50; 1 was ignored." in page
    assert 'id="error-person"' in response.content.decode()


def test_the_permalink_reproduces_the_same_result(client):
    first = client.get(
        f"{reverse('advisor:wizard')}?person=no&initiator=external&client=&{NIGHTLY}", headers=HTMX
    )

    again = client.get(first["HX-Push-Url"])

    assert again.status_code == 200
    assert summary(again) == summary(first)
    assert re.findall(r"grade--(\w+)", again.content.decode()) == re.findall(
        r"grade--(\w+)", first.content.decode()
    )


def test_a_script_in_a_system_name_is_escaped_in_the_page_and_the_diagram(client):
    query = "system-names=%3Cscript%3Ealert(1)%3C%2Fscript%3E"

    page = client.get(f"{reverse('advisor:wizard')}?{query}").content.decode()
    partial = client.get(f"{reverse('advisor:wizard')}?{query}", headers=HTMX).content.decode()
    svg = client.get(f"{reverse('advisor:diagram')}?{query}").content.decode()

    for body in (page, partial, svg):
        assert "<script>alert(1)" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_no_page_carries_inline_styles_the_csp_would_block(client):
    for url in (
        f"{reverse('advisor:wizard')}?{NIGHTLY}",
        reverse("advisor:scenarios"),
        f"{reverse('advisor:compare')}?a=nightly-erp-sync&b=iot-sensors",
    ):
        body = client.get(url).content.decode()
        assert not re.search(r"\sstyle=|<style", body), url
        assert "<script>" not in body


def test_the_recommended_flow_links_to_the_playground_with_the_design(client):
    response = client.get(f"{reverse('advisor:wizard')}?{NIGHTLY}")

    design = urlencode({"design": NIGHTLY}).replace("&", "&amp;")
    assert (
        f'class="button live-link" href="/playground/flows/jwt-bearer/?{design}">'
        "Run this flow live</a>" in response.content.decode()
    )


WHAT_IF = re.compile(
    r'If you answered <a href="\?([^"]+)">“([^”]+)”</a> to “([^”]+)” instead, '
    r"<strong>([^<]+)</strong> would win"
)


def test_each_what_if_link_leads_to_the_winner_it_announces(client):
    body = client.get(f"{reverse('advisor:wizard')}?{NIGHTLY}").content.decode()

    found = WHAT_IF.findall(body)

    assert len(found) >= 5
    assert ("Salesforce calls another system", "Which side makes the call?") in {
        (answer, question) for _, answer, question, _ in found
    }
    for query, _, _, winner in found:
        followed = client.get(f"{reverse('advisor:wizard')}?{unescape(query)}")
        assert unescape(winner) in [name for _, name in summary(followed)]


def test_the_diagram_is_an_svg_drawn_from_the_answers(client):
    response = client.get(f"{reverse('advisor:diagram')}?{NIGHTLY}")

    body = response.content.decode()
    assert response["Content-Type"] == "image/svg+xml"
    assert "max-age=3600" in response["Cache-Control"]
    assert body.startswith("<svg")
    assert ">SAP ERP</text>" in body
    assert ">Middleware</text>" in body


def test_the_decision_record_downloads_as_markdown(client):
    response = client.get(f"{reverse('advisor:adr_markdown')}?{NIGHTLY}&download=1")

    text = response.content.decode()
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="integration-decision.md"'
    assert "## Decision Outcome" in text
    assert f"<http://127.0.0.1:8000/advisor/?{NIGHTLY}>" in text


def test_the_decision_record_can_be_read_in_the_browser(client):
    response = client.get(f"{reverse('advisor:adr_markdown')}?{NIGHTLY}")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Content-Disposition" not in response
    assert "# Integration design: JWT bearer flow" in response.content.decode()


def test_the_json_export_matches_the_page(client):
    page = client.get(f"{reverse('advisor:wizard')}?{NIGHTLY}")

    data = json.loads(client.get(f"{reverse('advisor:recommendation_json')}?{NIGHTLY}").content)

    names = [name for _, name in summary(page)]
    winners = [
        next(o["name"] for o in decision["options"] if o["id"] == decision["best"])
        for decision in data["decisions"]
    ]
    assert winners == names


def test_the_result_links_to_every_export_for_the_same_answers(client):
    body = client.get(f"{reverse('advisor:wizard')}?{NIGHTLY}").content.decode()

    for name in ("advisor:adr_markdown", "advisor:recommendation_json", "advisor:diagram"):
        assert f'"{reverse(name)}?{NIGHTLY}"'.replace("&", "&amp;") in body
    download = f'"{reverse("advisor:adr_markdown")}?{NIGHTLY}&download=1" download>'
    assert download.replace("&", "&amp;") in body


def test_the_scenario_library_loads_each_scenario_with_one_link(client):
    response = client.get(reverse("advisor:scenarios"))

    body = response.content.decode()
    for scenario in SCENARIOS:
        assert scenario.title in unescape(body)
        link = f'href="{reverse("advisor:wizard")}?{scenario.to_query()}"'.replace("&", "&amp;")
        assert link in body


@pytest.mark.parametrize("scenario", SCENARIOS[:3], ids=lambda scenario: scenario.id)
def test_loading_a_scenario_shows_its_model_answer(client, scenario):
    response = client.get(f"{reverse('advisor:wizard')}?{scenario.to_query()}")

    assert [choice for _, choice in summary(response)] == [
        next(
            c.name
            for d in recommend(parse_permalink(scenario.to_query())).decisions
            for c in [d.best.choice]
            if d.decision.id == decision_id
        )
        for decision_id in scenario.expected
    ]


def test_the_comparison_puts_two_designs_side_by_side_and_marks_differences(client):
    response = client.get(
        f"{reverse('advisor:compare')}?a=nightly-erp-sync&b=order-fulfilment-events"
    )

    page = text_of(response)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nightly ERP sync" in page
    assert "Order fulfilment events" in page
    assert body.count("compare__differs") == 3
    assert body.count("compare__same") == 2
    assert "Which side makes the call?" in page
    assert "Another system calls Salesforce" in page
    assert "Salesforce calls another system" in page


def test_the_comparison_accepts_pasted_permalinks(client):
    first = f"http://127.0.0.1:8000{reverse('advisor:wizard')}?partner-certs=yes"
    response = client.get(reverse("advisor:compare"), {"a": first, "b": "?partner-certs=no"})

    page = text_of(response)
    assert "Mutual TLS" in page
    assert "One-way TLS" in page
    assert response.content.decode().count("compare__differs") == 1


def test_the_comparison_offers_a_variant_of_a_single_design_and_asks_nothing_up_front(client):
    empty = client.get(reverse("advisor:compare"))
    half = client.get(reverse("advisor:compare"), {"a": "nightly-erp-sync"})
    only_b = client.get(reverse("advisor:compare"), {"b": "nightly-erp-sync"})

    assert empty.status_code == 200
    assert "<table" not in empty.content.decode()
    assert "Give" not in text_of(empty)
    assert "Make a variant of Nightly ERP sync" in text_of(half)
    assert "Give" not in text_of(half)
    assert "Give the first design too" in text_of(only_b)


def test_every_advisor_view_refuses_post(client):
    for name in (
        "wizard",
        "diagram",
        "adr_markdown",
        "adr_zip",
        "recommendation_json",
        "scenarios",
        "compare",
    ):
        assert client.post(reverse(f"advisor:{name}")).status_code == 405


@pytest.mark.django_db
def test_every_run_it_live_link_opens_a_flow_the_playground_can_run(client):
    paths = {c.playground_path for d in DECISIONS for c in d.choices if c.playground_path}
    paths.add(PLAYGROUND_FLOW_PATH.format(slug="refresh-token"))  # the companion's link

    pages = {path: client.get(path) for path in sorted(paths)}

    assert {path: page.status_code for path, page in pages.items()} == dict.fromkeys(pages, 200)
    assert all("Start a run" in page.content.decode() for page in pages.values())

"""Issue 15 in the page, the decision record and the JSON export."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.urls import reverse

from advisor.decisions import DECISIONS
from advisor.questionnaire import questions_in

HTMX = {"HX-Request": "true"}


def page_text(response):
    text = unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"\s+", " ", text)


def wizard(client, query, **headers):
    return client.get(f"{reverse('advisor:wizard')}?{query}", headers=headers)


def test_the_design_review_questions_are_in_the_page_each_skippable_and_explained(client):
    body = wizard(client, "").content.decode()

    assert "<legend>Delivery, limits and reach</legend>" in body
    for question in questions_in("review"):
        assert question.prompt in unescape(body)
        assert question.why in unescape(body)
        if question.kind == "choice":
            assert f'name="{question.id}" value="" checked' in body
        else:
            assert f'name="{question.id}"' in body
    assert "<legend>Which way does the data go?</legend>" in body


def test_contradictions_are_listed_with_the_answers_that_cause_them(client):
    page = page_text(wizard(client, "initiator=salesforce&devices=yes"))

    assert "Answers that contradict each other" in page
    assert (
        "Raised because you said Salesforce calls the other system and the callers are "
        "registered devices." in page
    )
    assert "Answers that contradict each other" not in page_text(wizard(client, "devices=yes"))


def test_a_tie_and_no_clear_winner_are_said_as_such_not_as_best(client):
    response = wizard(client, "")

    summary = dict(re.findall(r'data-decision="([a-z]+)">([^<]+)<', response.content.decode()))
    assert summary["flow"] == "Web server flow with PKCE or JWT bearer flow"
    assert summary["pattern"] == "No clear winner"
    page = page_text(response)
    assert "Tie Web server flow with PKCE or JWT bearer flow" in page
    assert "No option scores above zero on these answers." in page


def test_the_allocation_arithmetic_is_shown_in_the_page(client):
    page = page_text(wizard(client, "api-calls=120000&api-allocation=100000"))

    assert (
        "Daily allocation: 120,000 API calls a day of an allocation of 100,000: 120% used." in page
    )
    assert "exceed the org's daily API allocation" in page


def test_numbers_beyond_the_allowed_range_are_refused_with_a_form_error(client):
    page = page_text(wizard(client, "api-calls=123456789012"))

    assert "is not a whole number, so it was ignored." in page


def test_the_topology_chart_draws_the_persons_systems_joined_both_ways(client):
    response = wizard(client, "system-count=5&system-names=SAP+ERP%2C+Billing")

    body = response.content.decode()
    chart = body[
        body.index('id="systems-chart"') : body.index("</figure>", body.index('id="systems-chart"'))
    ]
    assert chart.count('class="systems-chart__link"') == 10
    assert chart.count("systems-chart__link--bus") == 5
    assert ">SAP ERP</text>" in chart
    assert ">Billing</text>" in chart
    assert "Your 5 systems: 10 direct links point-to-point, or 5 through a bus." in page_text(
        response
    )
    more_link = re.search(r'href="([^"]+)"[^>]*>One system more<', chart)
    fewer_link = re.search(r'href="([^"]+)"[^>]*>One system fewer<', chart)
    assert more_link
    assert fewer_link
    more, fewer = more_link.group(1), fewer_link.group(1)
    assert "system-count=6" in unescape(more)
    assert "system-count=4" in unescape(fewer)
    bigger = client.get(unescape(more))
    assert "Your 6 systems: 15 direct links" in page_text(bigger)


def test_the_chart_never_offers_fewer_systems_than_were_named(client):
    body = wizard(client, "system-count=3&system-names=A%2C+B").content.decode()

    assert "One system fewer" not in body
    assert "One system more" in body


def test_an_old_permalink_without_the_new_questions_still_opens_the_same_answers(client):
    old = "initiator=external&person=no&client=backend&certificates=yes&system-count=3"

    response = wizard(client, old)

    assert response.status_code == 200
    assert 'name="initiator" value="external" checked' in response.content.decode()
    assert 'data-decision="flow">JWT bearer flow<' in response.content.decode()


def test_the_decision_record_carries_the_new_answers_contradictions_and_arithmetic(client):
    query = (
        "initiator=salesforce&devices=yes&data-direction=out-of-salesforce&delivery=no-loss"
        "&api-calls=45000&api-allocation=50000"
    )
    text = client.get(f"{reverse('advisor:adr_markdown')}?{query}").content.decode()

    assert "* Which way does the data go? Out of Salesforce" in text
    assert "* May a message ever be lost, or arrive twice? Nothing may be lost" in text
    assert "### Contradictions in the answers" in text
    assert "Registered devices call Salesforce" in text
    assert "* 45,000 API calls a day of an allocation of 50,000: 90% used." in text


def test_the_json_export_says_verdicts_contradictions_and_budgets(client):
    query = "initiator=salesforce&devices=yes&event-deliveries=60000&event-allocation=50000"
    data = json.loads(client.get(f"{reverse('advisor:recommendation_json')}?{query}").content)

    assert data["answers"]["event-deliveries"] == 60000
    assert [c["id"] for c in data["contradictions"]] == [
        "contradiction-salesforce-caller-is-a-device"
    ]
    assert data["budgets"] == [
        {
            "allocation": "events",
            "used": 60000,
            "allowed": 50000,
            "share_percent": 120,
            "arithmetic": "60,000 event deliveries a day of an allocation of 50,000: 120% used.",
        }
    ]
    pattern = next(d for d in data["decisions"] if d["id"] == "pattern")
    assert pattern["verdict"] in {"clear", "tie", "no-clear-winner"}
    assert (pattern["best"] is None) == (pattern["verdict"] != "clear")


def test_a_browser_app_keeping_access_sees_the_refresh_token_caution(client):
    page = page_text(wizard(client, "person=yes&client=spa&secret=no&offline=yes"))

    assert "Hold it with care:" in page
    assert "backend-for-frontend" in page


def test_the_htmx_partial_carries_the_new_sections_too(client):
    body = wizard(client, "initiator=salesforce&saml=yes&system-count=4", **HTMX).content.decode()

    assert body.lstrip().startswith('<section id="result"')
    assert "Answers that contradict each other" in body
    assert 'id="systems-chart"' in body


def test_the_comparison_and_the_scenario_library_never_call_a_loser_the_winner(client):
    compare = page_text(client.get(f"{reverse('advisor:compare')}?a=person%3Dyes&b=person%3Dno"))

    assert "Integration pattern No clear winner No clear winner" in compare
    library = client.get(reverse("advisor:scenarios")).content.decode()
    assert "No clear winner" not in library


@pytest.mark.django_db
def test_every_live_counterpart_outside_the_page_answers(client):
    paths = {
        choice.live.path
        for decision in DECISIONS
        for choice in decision.choices
        if choice.live and not choice.live.path.startswith("#")
    }

    assert {"/playground/tls/", "/playground/flows/remote-call-in/"} <= paths
    assert {path: client.get(path).status_code for path in paths} == dict.fromkeys(paths, 200)

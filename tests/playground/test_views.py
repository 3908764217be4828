from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from playground import runner
from playground.models import FlowRun
from tests.playground.conftest import result, run_step, start_run

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "playground"


@pytest.mark.django_db
def test_flow_list_offers_every_runnable_flow_and_the_full_guide(client):
    response = client.get(reverse("playground:flow_list"))

    body = response.content.decode()
    assert response.status_code == 200
    for slug in (
        "web-server",
        "web-server-pkce",
        "user-agent",
        "username-password",
        "client-credentials",
        "refresh-token",
        "asset-token",
        "device",
        "device-rfc8628",
    ):
        assert f'href="/playground/flows/{slug}/"' in body
    assert "JWT bearer flow" in body
    # Every flow in the guide runs now.
    assert "Described only" not in body
    assert 'href="/advisor/#topic-people"' in body


@pytest.mark.django_db
def test_each_flow_page_links_to_the_advisor_and_its_anchor_exists(client):
    flow_page = client.get(reverse("playground:flow_detail", args=["device"])).content.decode()
    advisor = client.get("/advisor/").content.decode()

    implied = "initiator=external&amp;person=yes&amp;client=limited-input&amp;secret=no"
    assert f'href="/advisor/?{implied}">Check the fit with the advisor</a>' in flow_page
    assert 'id="topic-people"' in advisor


@pytest.mark.django_db
def test_flow_detail_shows_the_steps_and_a_start_button(client):
    response = client.get(reverse("playground:flow_detail", args=["web-server-pkce"]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Trade the code and the verifier for tokens" in body
    assert 'action="/playground/flows/web-server-pkce/runs/"' in body
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_unknown_flow_is_404(client):
    assert client.get("/playground/flows/no-such-flow/").status_code == 404


@pytest.mark.django_db
def test_starting_a_run_needs_a_post(client):
    assert client.get(reverse("playground:start_flow_run", args=["web-server"])).status_code == 405


@pytest.mark.django_db
def test_run_page_is_a_full_page_that_is_never_cached(client, org):
    run = start_run(client, "client-credentials")

    response = client.get(reverse("playground:run_detail", args=[run.id]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    assert 'id="step-token"' in body
    assert "no-store" in response["Cache-Control"]
    assert f"/setup/apps/{run.client_id}/" in body


@pytest.mark.django_db
def test_a_run_belongs_to_the_browser_that_started_it(client, org):
    run = start_run(client, "client-credentials")
    stranger = Client()

    assert stranger.get(reverse("playground:run_detail", args=[run.id])).status_code == 404
    assert stranger.post(reverse("playground:run_step", args=[run.id, "token"])).status_code == 404


@pytest.mark.django_db
def test_a_step_without_htmx_redirects_to_its_card(client, org):
    run = start_run(client, "client-credentials")

    response = run_step(client, run, "token")

    assert response.status_code == 303
    assert response["Location"] == f"/playground/runs/{run.id}/#step-token-title"


@pytest.mark.django_db
def test_a_step_with_htmx_returns_only_its_card_and_the_next_one_out_of_band(client, org):
    run = start_run(client, "client-credentials")

    response = run_step(client, run, "token", HX_Request="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.count('class="step ') == 2
    assert re.search(r'id="step-token"(?![^>]*hx-swap-oob)', body)
    assert re.search(r'id="step-call-api"[^>]*hx-swap-oob="true"', body)
    assert 'id="overview"' in body
    assert "200 OK" in body


@pytest.mark.django_db
def test_a_step_out_of_turn_is_refused_without_running(client, org):
    run = start_run(client, "client-credentials")

    plain = run_step(client, run, "revoke-access-token")
    htmx = run_step(client, run, "revoke-access-token", HX_Request="true")

    assert plain.status_code == 303
    assert htmx["HX-Refresh"] == "true"
    run.refresh_from_db()
    assert run.steps == []


def runner_transport():
    from playground.transports import InProcessTransport

    return InProcessTransport()


@pytest.mark.django_db
def test_concurrent_saves_lose_nothing_silently(client, org):
    run = start_run(client, "client-credentials")
    first = FlowRun.objects.get(pk=run.pk)
    second = FlowRun.objects.get(pk=run.pk)

    runner.perform_step(first, "token", transport=runner_transport())
    outcome = runner.perform_step(second, "token", transport=runner_transport())

    assert isinstance(outcome, runner.Problem)
    assert "Another tab" in outcome.message
    run.refresh_from_db()
    assert [entry["step"] for entry in run.steps] == ["token"]


@pytest.mark.django_db
def test_the_run_survives_a_reload(client, org):
    run = start_run(client, "client-credentials")
    run_step(client, run, "token")

    page = client.get(reverse("playground:run_detail", args=[run.id]))

    assert result(run, "token").outcome == "ok"
    assert "The token response, field by field" in page.content.decode()


@pytest.mark.django_db
def test_callback_without_parameters_is_the_fragment_reader(client):
    response = client.get(reverse("playground:callback"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "data-fragment-reader" in body
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["?code=abc", "?code=abc&state=forged-state"])
def test_callback_refuses_a_redirect_it_did_not_start(client, query):
    response = client.get(reverse("playground:callback") + query)

    assert response.status_code == 400
    assert "Refused" in response.content.decode()


@pytest.mark.django_db
def test_callback_refuses_another_browsers_state(client, org):
    run = start_run(client, "web-server")
    run_step(client, run, "authorize")
    state = result(run, "authorize").remember[0][1]

    response = Client().get(reverse("playground:callback") + f"?code=abc&state={state}")

    assert response.status_code == 400
    run.refresh_from_db()
    assert len(run.steps) == 1


@pytest.mark.django_db
def test_a_repeated_redirect_is_not_recorded_twice(client, org):
    from tests.playground.conftest import through_callback

    run = start_run(client, "web-server")
    run_step(client, run, "authorize")
    _, location = through_callback(client, run)

    again = client.get(location.replace("http://127.0.0.1:8000", ""))

    assert again.status_code == 303
    run.refresh_from_db()
    assert [entry["step"] for entry in run.steps] == ["authorize", "callback"]


def test_no_playground_template_uses_inline_styles_or_inline_scripts():
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        assert " style=" not in text, template
        assert "<style" not in text, template
        assert re.search(r"<script(?![^>]*\ssrc=)", text) is None, template

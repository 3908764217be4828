from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.playground.conftest import result, run_step, start_run, through_callback


@pytest.mark.django_db
def test_web_server_flow_runs_end_to_end_with_the_client_secret(client, org):
    run = start_run(client, "web-server")
    assert run.client_secret

    run_step(client, run, "authorize")
    query = parse_qs(urlsplit(result(run, "authorize").browser_url).query)
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == [run.redirect_uri]
    assert "code_challenge" not in query

    response, location = through_callback(client, run)
    assert response.status_code == 303
    callback = result(run, "callback")
    assert callback.outcome == "ok", callback.headline
    assert callback.exchanges[0].status == 303
    iss = [
        c
        for c in next(a for a in callback.artefacts if a.kind == "checks").checks
        if c.label == "iss"
    ]
    assert iss[0].passed, iss[0].detail

    run_step(client, run, "token")
    token = result(run, "token")
    assert token.outcome == "ok", token.headline
    exchange = token.exchanges[0]
    assert exchange.method == "POST"
    assert exchange.target == "/services/oauth2/token"
    assert "grant_type=authorization_code" in exchange.request_body
    assert run.client_secret in exchange.secret_values
    assert any(s.secret and s.text == run.client_secret for s in exchange.request_segments())
    body = exchange.json_body()
    proof = next(a for a in token.artefacts if a.kind == "signature")
    expected = base64.b64encode(
        hmac.new(
            run.client_secret.encode(), (body["id"] + body["issued_at"]).encode(), hashlib.sha256
        ).digest()
    ).decode()
    assert proof.computed == expected == body["signature"]
    assert proof.matches is True

    for slug in ("identity", "call-api", "revoke-access-token", "call-api-again"):
        run_step(client, run, slug)
        assert result(run, slug).outcome == "ok", (slug, result(run, slug).headline)
    assert result(run, "call-api").exchanges[0].json_body()["records"]
    assert result(run, "call-api-again").exchanges[0].status == 401


@pytest.mark.django_db
def test_denying_consent_stops_the_run_with_the_error_as_data(client, org):
    run = start_run(client, "web-server")
    run_step(client, run, "authorize")

    response, location = through_callback(client, run, decision="deny")

    assert "error=access_denied" in location
    callback = result(run, "callback")
    assert callback.outcome == "error"
    assert "access_denied" in callback.headline
    page = client.get(f"/playground/runs/{run.id}/")
    assert page.context["cards"][2].state == "locked"


@pytest.mark.django_db
def test_a_second_run_reuses_the_visitors_connected_app(client, org):
    first = start_run(client, "web-server")

    second = start_run(client, "web-server")
    fresh = start_run(client, "web-server", fresh_app="on")

    assert second.client_id == first.client_id
    assert second.client_secret == first.client_secret
    assert fresh.client_id != first.client_id

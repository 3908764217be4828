from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.playground.conftest import result, run_step, start_run, through_callback


@pytest.mark.django_db
def test_web_server_flow_with_pkce_runs_end_to_end(client, org):
    run = start_run(client, "web-server-pkce")
    assert run.client_secret == ""  # a public client

    discover = run_step(client, run, "discover")
    assert discover.status_code == 303
    assert result(run, "discover").outcome == "ok"

    run_step(client, run, "authorize")
    prepared = result(run, "authorize")
    query = parse_qs(urlsplit(prepared.browser_url).query)
    assert query["code_challenge_method"] == ["S256"]
    pkce = next(a for a in prepared.artefacts if a.kind == "pkce")
    assert query["code_challenge"] == [pkce.challenge]
    assert "nonce" in query
    assert "state" in query

    response, location = through_callback(client, run)
    assert response.status_code == 303
    assert "code=" in location
    callback = result(run, "callback")
    assert callback.outcome == "ok", callback.headline
    checks = next(a for a in callback.artefacts if a.kind == "checks").checks
    assert [c.passed for c in checks if c.label == "state"] == [True]

    run_step(client, run, "token")
    token = result(run, "token")
    assert token.outcome == "ok", token.headline
    request = token.exchanges[0]
    assert "code_verifier=" + pkce.verifier in request.request_body
    assert "client_secret" not in request.request_body
    id_token = next(a for a in token.artefacts if a.kind == "jwt" and a.title == "The ID token")
    assert id_token.jwt.verdict == "valid", id_token.jwt.reason
    assert {c.label for c in id_token.jwt.checks} >= {"Signature", "Nonce", "Audience", "Issuer"}

    for slug in ("userinfo", "call-api", "revoke-refresh-token", "call-api-again"):
        run_step(client, run, slug)
        assert result(run, slug).outcome == "ok", (slug, result(run, slug).headline)
    assert result(run, "call-api-again").exchanges[0].status == 401

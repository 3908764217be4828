from __future__ import annotations

import pytest

from tests.playground.conftest import result, run_step, start_run


@pytest.mark.django_db
def test_username_password_flow_runs_end_to_end(client, org):
    run = start_run(client, "username-password")

    run_step(client, run, "token")

    token = result(run, "token")
    assert token.outcome == "ok", token.headline
    exchange = token.exchanges[0]
    assert "grant_type=password" in exchange.request_body
    assert "username=ada%40handshake.example" in exchange.request_body
    assert "handshake-demo" in exchange.secret_values
    assert "refresh_token" not in exchange.json_body()
    assert next(a for a in token.artefacts if a.kind == "signature").matches is True
    for slug in ("identity", "call-api", "revoke-access-token", "call-api-again"):
        run_step(client, run, slug)
        assert result(run, slug).outcome == "ok", (slug, result(run, slug).headline)
    assert result(run, "identity").exchanges[0].json_body()["username"] == "ada@handshake.example"

from __future__ import annotations

import base64

import pytest

from tests.playground.conftest import result, run_step, start_run


@pytest.mark.django_db
def test_client_credentials_flow_runs_end_to_end(client, org):
    run = start_run(client, "client-credentials")

    run_step(client, run, "token")

    token = result(run, "token")
    assert token.outcome == "ok", token.headline
    exchange = token.exchanges[0]
    authorization = dict(exchange.request_headers)["Authorization"]
    assert authorization.startswith("Basic ")
    assert base64.b64decode(authorization[6:]).decode().startswith(run.client_id + ":")
    assert "client_secret" not in exchange.request_body
    assert "refresh_token" not in exchange.json_body()
    for slug in ("call-api", "introspect", "revoke-access-token", "call-api-again"):
        run_step(client, run, slug)
        assert result(run, slug).outcome == "ok", (slug, result(run, slug).headline)
    introspection = result(run, "introspect").exchanges[0].json_body()
    assert introspection["active"] is True
    assert introspection["username"] == "grace@handshake.example"

"""Two server processes of two workers each, one PostgreSQL: every step of a flow may land on
any of the four workers."""

from __future__ import annotations

import json
import secrets

import httpx
import pytest

from bench.browserless import Pkce, authorization_url, sign_in_and_allow
from bench.servers import (
    free_port,
    gunicorn,
    manage,
    postgres,
    postgres_available,
    prepare_site,
    production_env,
)
from bench.trainee import verify_everywhere

pytestmark = pytest.mark.skipif(
    not postgres_available(), reason="PostgreSQL binaries are installed by `make test`"
)

TOKEN = "/services/oauth2/token"


def _create_app(env, redirect_uri):
    return json.loads(
        manage(
            env,
            "create_connected_app",
            "--json",
            "--name=Two processes",
            f"--redirect-uri={redirect_uri}",
            "--grant=authorization_code",
            "--grant=refresh_token",
            "--grant=client_credentials",
            "--scope=api",
            "--scope=refresh_token",
            "--scope=openid",
            "--run-as=ada@handshake.example",
        )
    )


def _introspect(base_url, app, token):
    response = httpx.post(
        base_url + "/services/oauth2/introspect",
        data={"token": token},
        auth=(app["client_id"], app["client_secret"]),
    )
    assert response.status_code == 200
    return response.json()["active"]


def _client_credentials(base_url, app):
    return httpx.post(
        base_url + TOKEN,
        data={"grant_type": "client_credentials"},
        auth=(app["client_id"], app["client_secret"]),
        timeout=30,
    )


def test_h4_h5_flows_alternate_between_two_processes_and_survive_a_database_outage():
    port_a, port_b = free_port(), free_port()
    issuer = f"http://127.0.0.1:{port_a}"
    redirect_uri = "https://client.example/callback"

    with postgres() as database:
        env = production_env(issuer, database_url=database.url)
        prepare_site(env)
        app = _create_app(env, redirect_uri)
        with gunicorn(env, port=port_a, workers=2) as a, gunicorn(env, port=port_b, workers=2) as b:
            # The code is issued by process A and redeemed at process B.
            pkce = Pkce.new()
            state = secrets.token_urlsafe(16)
            with httpx.Client(timeout=30) as browser:
                callback = sign_in_and_allow(
                    browser,
                    authorization_url(
                        a,
                        client_id=app["client_id"],
                        redirect_uri=redirect_uri,
                        pkce=pkce,
                        state=state,
                        scope="api refresh_token openid",
                    ),
                    redirect_uri=redirect_uri,
                    username="ada@handshake.example",
                )
            assert callback["state"] == state
            assert callback["iss"] == issuer
            tokens = httpx.post(
                b + TOKEN,
                data={
                    "grant_type": "authorization_code",
                    "code": callback["code"],
                    "redirect_uri": redirect_uri,
                    "code_verifier": pkce.verifier,
                },
                auth=(app["client_id"], app["client_secret"]),
            )
            assert tokens.status_code == 200, tokens.text
            access_token = tokens.json()["access_token"]

            # Twenty fetches over fresh connections reach every worker of both processes: one
            # key set, and the ID token B issued verifies with what either publishes (H4).
            assert len({httpx.get((a, b)[n % 2] + "/id/keys").content for n in range(20)}) == 1
            assert verify_everywhere([a, b], [tokens.json()["id_token"]]) == []
            # A honours what B issued.
            api = a + "/services/data/v62.0/sobjects/Account/"
            bearer = {"Authorization": f"Bearer {access_token}"}
            assert httpx.get(api, headers=bearer).status_code == 200
            assert _introspect(a, app, access_token) is True

            # A replay of the code at A is refused, and revokes what B issued (RFC 6749 §4.1.2).
            replay = httpx.post(
                a + TOKEN,
                data={
                    "grant_type": "authorization_code",
                    "code": callback["code"],
                    "redirect_uri": redirect_uri,
                    "code_verifier": pkce.verifier,
                },
                auth=(app["client_id"], app["client_secret"]),
            )
            assert replay.status_code == 400
            assert replay.json()["error"] == "invalid_grant"
            assert _introspect(b, app, access_token) is False
            assert httpx.get(api.replace(a, b), headers=bearer).status_code == 401

            # Revocation at B is seen by A at once.
            fresh = _client_credentials(a, app).json()["access_token"]
            revoked = httpx.post(
                b + "/services/oauth2/revoke",
                data={"token": fresh},
                auth=(app["client_id"], app["client_secret"]),
            )
            assert revoked.status_code == 200
            assert _introspect(a, app, fresh) is False

            # The database goes away: machines get OAuth JSON, people a friendly page.
            database.stop()
            outage = _client_credentials(a, app)
            assert outage.status_code == 503
            assert outage.headers["Content-Type"] == "application/json"
            assert outage.json()["error"] == "temporarily_unavailable"
            page = httpx.get(b + "/setup/")
            assert page.status_code == 503
            assert "Taking a short break" in page.text
            assert "Traceback" not in page.text

            # It comes back, and so do both processes, without a restart.
            database.start()
            for server in (a, b):
                recovered = _client_credentials(server, app)
                assert recovered.status_code == 200, recovered.text
                assert "access_token" in recovered.json()

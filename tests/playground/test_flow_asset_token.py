from __future__ import annotations

from urllib.parse import parse_qsl

import jwt
import pytest
from django.urls import reverse

from tests.playground.conftest import result, run_step, start_run, tried

pytestmark = pytest.mark.django_db

STEPS = ("token", "actor-token", "exchange", "verify")


def at_exchange(client):
    run = start_run(client, "asset-token")
    for slug in ("token", "actor-token"):
        run_step(client, run, slug)
        assert result(run, slug).outcome == "ok", (slug, result(run, slug).headline)
    return run


def break_exchange(client, run, fault):
    url = reverse("playground:run_step", args=[run.id, "exchange"])
    response = client.post(url, {"fault": fault})
    assert response.status_code == 303
    attempt = tried(run, "exchange")[-1]
    return attempt, attempt.result.exchanges[-1]


def test_asset_token_flow_runs_end_to_end(client, org, settings):
    run = at_exchange(client)

    actor = result(run, "actor-token")
    query = actor.exchanges[0]
    assert "FROM+Asset" in query.url or "FROM%20Asset" in query.url
    actor_token = run.values["actor_token"]
    header = jwt.get_unverified_header(actor_token)
    claims = jwt.decode(actor_token, options={"verify_signature": False})
    assert header["alg"] == "ES256"
    assert claims["Asset"]["SerialNumber"] == run.values["asset_serial"]
    assert claims["cnf"]["jwk"]["kty"] == "EC"
    assert {"did", "Name"} <= set(claims)
    assert "d" not in claims["cnf"]["jwk"]

    run_step(client, run, "exchange")
    exchanged = result(run, "exchange")
    assert exchanged.outcome == "ok", exchanged.headline
    sent = dict(parse_qsl(exchanged.exchanges[0].request_body))
    assert sent["grant_type"] == "urn:ietf:params:oauth:grant-type:token-exchange"
    assert sent["subject_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    assert sent["actor_token_type"] == "urn:ietf:params:oauth:token-type:jwt"
    body = exchanged.exchanges[0].json_body()
    assert body["expires_in"] == 60
    assert body["issued_token_type"] == "urn:ietf:params:oauth:token-type:jwt"

    run_step(client, run, "verify")
    verified = result(run, "verify")
    assert verified.outcome == "ok", verified.headline
    assert verified.exchanges[0].url.endswith("/id/keys")
    panel = next(a for a in verified.artefacts if a.kind == "jwt")
    assert panel.jwt.valid, panel.jwt.reason
    asset_token = jwt.decode(run.values["asset_token"], options={"verify_signature": False})
    assert asset_token["exp"] - asset_token["iat"] == 60
    assert asset_token["act"]["sub"] == claims["did"]
    assert asset_token["cnf"]["jwk"]["x"] == claims["cnf"]["jwk"]["x"]
    assert asset_token["aud"] == [settings.HANDSHAKE_BASE_URL]

    page = client.get(reverse("playground:run_detail", args=[run.id])).content.decode()
    assert "The asset token, checked against the org" in page
    assert "Signature verified" in page


def test_an_actor_token_signed_by_another_key_is_refused(client, org):
    run = at_exchange(client)

    attempt, exchange = break_exchange(client, run, "actor-token-other-key")

    assert attempt.refused, attempt.result.headline
    assert exchange.status == 400
    assert exchange.json_body()["error"] == "invalid_request"
    assert "not signed by the key in its cnf claim" in exchange.json_body()["error_description"]


def test_an_unknown_asset_is_refused(client, org):
    run = at_exchange(client)

    attempt, exchange = break_exchange(client, run, "unknown-asset")

    assert attempt.refused
    assert exchange.json_body() == {
        "error": "invalid_request",
        "error_description": "actor_token names no asset in this org",
    }


def test_an_audience_elsewhere_is_invalid_target(client, org):
    run = at_exchange(client)

    attempt, exchange = break_exchange(client, run, "audience-elsewhere")

    assert attempt.refused
    assert exchange.status == 400
    assert exchange.json_body()["error"] == "invalid_target"
    assert "audience=https%3A%2F%2Fattacker.example%2Fiot" in exchange.request_body


def test_a_missing_subject_token_is_invalid_request(client, org):
    run = at_exchange(client)

    attempt, exchange = break_exchange(client, run, "no-subject-token")

    assert attempt.refused
    assert "subject_token=" not in exchange.request_body
    assert exchange.json_body()["error"] == "invalid_request"
    assert "subject_token" in exchange.json_body()["error_description"]


def test_a_revoked_subject_token_is_refused_and_the_run_goes_on(client, org):
    run = at_exchange(client)

    attempt, exchange = break_exchange(client, run, "revoked-subject-token")

    fresh, revoked, refused = attempt.result.exchanges
    assert fresh.status == 200
    assert revoked.url.endswith("/services/oauth2/revoke")
    assert revoked.status == 200
    assert attempt.refused
    assert refused.json_body() == {
        "error": "invalid_request",
        "error_description": "subject_token is not a valid access token",
    }
    assert fresh.json_body()["access_token"] != run.values["access_token"]
    run_step(client, run, "exchange")
    assert result(run, "exchange").outcome == "ok"


def test_the_landing_page_offers_the_asset_token_flow(client, org):
    page = client.get(reverse("playground:flow_list")).content.decode()

    detail = reverse("playground:flow_detail", args=["asset-token"])
    assert f'href="{detail}"' in page
    assert client.get(detail).status_code == 200

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from django.utils import timezone

from bench.browserless import approve_device, create_app_in_setup, sign_in_and_allow
from bench.servers import sqlite_site
from org import assertions, client_authentication, codes
from org.connected_apps import DEVICE_CODE
from org.models import AuthorizationCode

RACERS = 12
CALLBACK = "https://client.example/cb"
ADA = "ada@handshake.example"


@pytest.fixture(scope="module")
def server():
    """The real thing: gunicorn with two worker processes on a SQLite file."""
    with sqlite_site(workers=2) as base_url:
        yield base_url


def _app(
    base_url: str, grants: tuple[str, ...] = ("authorization_code", "refresh_token")
) -> dict[str, str]:
    """Create an app through the Setup page, as a person would."""
    with httpx.Client(base_url=base_url) as browser:
        client_id, secret = create_app_in_setup(
            browser,
            {
                "name": "Racer",
                "redirect_uris": CALLBACK,
                "grants": list(grants),
                "scopes": ["api", "refresh_token"],
                "rotate_refresh_tokens": "on",
            },
        )
    return {"client_id": client_id, "client_secret": secret}


def _code(base_url: str, app: dict[str, str]) -> str:
    query = {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": CALLBACK,
        "scope": "api refresh_token",
    }
    with httpx.Client(base_url=base_url) as browser:
        returned = sign_in_and_allow(
            browser,
            f"{base_url}/services/oauth2/authorize?{urlencode(query)}",
            redirect_uri=CALLBACK,
            username=ADA,
        )
    return returned["code"]


def _race(base_url: str, form: dict[str, str]) -> list[httpx.Response]:
    barrier = threading.Barrier(RACERS)

    def send(_: int) -> httpx.Response:
        with httpx.Client(base_url=base_url) as http:
            barrier.wait()
            return http.post("/services/oauth2/token", data=form)

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        return list(pool.map(send, range(RACERS)))


def _introspect(base_url: str, app: dict[str, str], token: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.post(
        base_url + "/services/oauth2/introspect",
        data={"token": token, "client_id": app["client_id"], "client_secret": app["client_secret"]},
    ).json()
    return body


def test_a_code_redeemed_by_racing_requests_is_redeemed_exactly_once(server):
    app = _app(server)
    form = {
        "grant_type": "authorization_code",
        "code": _code(server, app),
        "redirect_uri": CALLBACK,
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
    }

    responses = _race(server, form)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [400] * (RACERS - 1)
    winner = next(r.json() for r in responses if r.status_code == 200)
    # Every loser was a replay, so what the winner got is revoked (RFC 6749 §4.1.2).
    assert _introspect(server, app, winner["access_token"]) == {"active": False}
    assert _introspect(server, app, winner["refresh_token"]) == {"active": False}


def test_a_rotating_refresh_token_used_by_racing_requests_wins_once(server):
    app = _app(server)
    first = httpx.post(
        server + "/services/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": _code(server, app),
            "redirect_uri": CALLBACK,
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    ).json()
    form = {
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
    }

    responses = _race(server, form)

    assert sorted(r.status_code for r in responses) == [200] + [400] * (RACERS - 1)
    winner = next(r.json() for r in responses if r.status_code == 200)
    # The losers reused a rotated token: the whole family is revoked (RFC 9700 §4.14.2).
    assert _introspect(server, app, winner["refresh_token"]) == {"active": False}


def _approve_device(base_url: str, user_code: str) -> None:
    """A person signs in at /setup/connect and clicks Allow."""
    with httpx.Client(base_url=base_url) as browser:
        allowed = approve_device(
            browser, f"{base_url}/setup/connect?{urlencode({'user_code': user_code})}", username=ADA
        )
    assert "Device connected" in allowed


def test_a_device_code_polled_by_racing_requests_is_redeemed_exactly_once(server):
    app = _app(server, grants=(DEVICE_CODE, "refresh_token"))
    started = httpx.post(
        server + "/services/oauth2/device/authorize",
        data={"client_id": app["client_id"], "scope": "api refresh_token"},
    ).json()
    _approve_device(server, started["user_code"])
    form = {
        "grant_type": DEVICE_CODE,
        "device_code": started["device_code"],
        "client_id": app["client_id"],
    }

    responses = _race(server, form)

    assert sorted(r.status_code for r in responses) == [200] + [400] * (RACERS - 1)
    assert {r.json()["error"] for r in responses if r.status_code == 400} == {"invalid_grant"}


@pytest.mark.django_db
def test_the_conditional_update_lets_only_the_first_redemption_through(oauth):
    app = oauth.app()
    oauth.code(app, scope="api")
    one_copy = AuthorizationCode.objects.get()
    another_copy = AuthorizationCode.objects.get()

    assert codes.redeem_code(one_copy) is True
    assert codes.redeem_code(another_copy) is False


@pytest.mark.django_db
def test_an_assertion_id_is_spent_once():
    until = timezone.now() + timedelta(minutes=5)

    first = assertions.spend("saml", "3MVG9app", "_id", until=until)
    second = assertions.spend("saml", "3MVG9app", "_id", until=until)
    another_issuer = assertions.spend("saml", "3MVG9other", "_id", until=until)

    assert (first, second, another_issuer) == (True, False, True)


def test_h2_wrong_secrets_sent_at_once_are_all_counted(server):
    # Racing failures must not overwrite each other's count, or an attacker who sends in
    # parallel would get more guesses than the limit allows (RFC 6819 §4.4.1.12).
    app = _app(server)
    wrong = {"grant_type": "refresh_token", "refresh_token": "x", "client_id": app["client_id"]}
    limit = client_authentication.CLIENT_FAILURE_LIMIT.failures
    rounds = -(-limit // RACERS)

    statuses = [
        response.status_code
        for n in range(rounds)
        for response in _race(server, {**wrong, "client_secret": f"wrong-{n}"})
    ]
    after = httpx.post(server + "/services/oauth2/token", data={**wrong, "client_secret": "again"})

    assert statuses.count(400) + statuses.count(401) == limit
    assert after.status_code == 429

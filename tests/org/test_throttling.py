"""Catalogue rows H1 and H2: the org slows down whoever keeps failing (a client_id at the
token endpoint, a username at the sign-in page) and nobody else, so a classroom behind one
NAT address keeps working."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from org import ids
from org.client_authentication import CLIENT_FAILURE_LIMIT
from org.logins import LOCKOUT, MAX_FAILURES
from org.models import OrgUser
from tests.org.conftest import ADA, GRACE, PASSWORD, TOKEN, Org, pkce_pair

OTHER_ADDRESS = "10.20.30.40"


@pytest.fixture
def clock(monkeypatch):
    """The org's clock, held still and moved by hand: "1 000 requests within a minute"
    without depending on how fast this machine is."""

    class Clock:
        now = datetime.fromtimestamp(int(timezone.now().timestamp()), tz=UTC)

        def advance(self, seconds: float) -> None:
            self.now += timedelta(seconds=seconds)

    held = Clock()
    monkeypatch.setattr(timezone, "now", lambda: held.now)
    return held


def client_credentials(oauth: Org, client_id: str, secret: str | None, **extra):
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return oauth.client.post(
        TOKEN, urlencode(form), content_type="application/x-www-form-urlencoded", **extra
    )


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.content
    assert response.json() == {
        "error": "temporarily_unavailable",
        "error_description": "too many failed client authentications, try again later",
    }
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["Cache-Control"] == "no-store"


# H2: one offender, slowed down --------------------------------------------------------------


def test_h2_a_thousand_token_requests_with_one_bad_client_id_are_cut_off_with_429(oauth, clock):
    statuses = [
        client_credentials(oauth, "3MVG9NoSuchApp", "guess").status_code for _ in range(1000)
    ]

    failures = CLIENT_FAILURE_LIMIT.failures
    assert statuses[:failures] == [400] * failures
    assert statuses[failures:] == [429] * (1000 - failures)
    assert_throttled(client_credentials(oauth, "3MVG9NoSuchApp", "guess"))


def test_h2_wrong_secrets_lock_that_client_id_from_that_address_only(oauth, clock):
    victim = oauth.app(grants=["client_credentials"], run_as=ADA)
    bystander = oauth.app(grants=["client_credentials"], run_as=GRACE)
    for _ in range(CLIENT_FAILURE_LIMIT.failures):
        assert client_credentials(oauth, victim.client_id, "wrong").status_code == 401

    locked = client_credentials(oauth, victim.client_id, victim.client_secret)
    elsewhere = client_credentials(
        oauth, victim.client_id, victim.client_secret, REMOTE_ADDR=OTHER_ADDRESS
    )
    other_app = client_credentials(oauth, bystander.client_id, bystander.client_secret)

    assert_throttled(locked)
    assert elsewhere.status_code == 200, elsewhere.content
    assert other_app.status_code == 200, other_app.content


def test_h2_the_lock_lifts_after_retry_after_and_the_next_failure_locks_again(oauth, clock):
    app = oauth.app(grants=["client_credentials"], run_as=ADA)
    for _ in range(CLIENT_FAILURE_LIMIT.failures):
        client_credentials(oauth, app.client_id, "wrong")
    wait = int(client_credentials(oauth, app.client_id, app.client_secret)["Retry-After"])

    clock.advance(wait)
    fixed = client_credentials(oauth, app.client_id, app.client_secret)
    again = client_credentials(oauth, app.client_id, "wrong")

    assert fixed.status_code == 200, fixed.content
    assert again.status_code == 401
    assert_throttled(client_credentials(oauth, app.client_id, app.client_secret))


def test_h2_login_brute_force_gets_429_with_retry_after_for_that_username_only(oauth):
    for _ in range(MAX_FAILURES - 1):
        assert oauth.client.post("/login/", {"username": ADA, "password": "x"}).status_code == 200

    tipping = oauth.client.post("/login/", {"username": ADA, "password": "x"})
    right_password = oauth.client.post("/login/", {"username": ADA, "password": PASSWORD})
    other_user = Client().post("/login/", {"username": GRACE, "password": PASSWORD})

    assert tipping.status_code == 429
    assert tipping.headers["Retry-After"] == str(int(LOCKOUT.total_seconds()))
    assert right_password.status_code == 429
    assert 1 <= int(right_password.headers["Retry-After"]) <= LOCKOUT.total_seconds()
    assert "Too many failed sign-ins" in right_password.content.decode()
    assert other_user.status_code == 303


# H1: a classroom behind one NAT address ----------------------------------------------------

TRAINEES = 60


def make_trainee(org, number: int) -> str:
    username = f"trainee{number}@handshake.example"
    account = get_user_model().objects.create_user(
        username=username, email=username, password=PASSWORD
    )
    OrgUser.objects.create(user=account, org=org, record_id=ids.new_record_id(ids.USER_PREFIX))
    return username


def test_h1_sixty_trainees_behind_one_address_never_see_a_429(org):
    statuses: list[int] = []
    for number in range(TRAINEES):
        username = make_trainee(org, number)
        trainee = Org(Client(REMOTE_ADDR="127.0.0.1"))
        app = trainee.app(
            name=f"Trainee {number}",
            grants=["authorization_code", "refresh_token", "client_credentials"],
            run_as=username,
            pre_authorize=[username],
        )
        # Everyone mistypes a little: a secret twice, a password twice.
        for _ in range(2):
            statuses.append(client_credentials(trainee, app.client_id, "typo").status_code)
            statuses.append(trainee.sign_in(username, "typo").status_code)
        machine = client_credentials(trainee, app.client_id, app.client_secret)
        statuses.append(machine.status_code)
        verifier, challenge = pkce_pair()
        code = trainee.code(
            app, username=username, code_challenge=challenge, code_challenge_method="S256"
        )
        redeemed = trainee.redeem(app, code, code_verifier=verifier)
        refreshed = trainee.token(
            app, grant_type="refresh_token", refresh_token=redeemed.json()["refresh_token"]
        )
        statuses += [redeemed.status_code, refreshed.status_code]

        assert machine.status_code == 200, machine.content
        assert redeemed.status_code == 200, redeemed.content
        assert refreshed.status_code == 200, refreshed.content
        assert trainee.introspect(app, refreshed.json()["access_token"])["username"] == username

    assert 429 not in statuses
    assert sorted(set(statuses)) == [200, 401]

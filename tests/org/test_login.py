from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from org.logins import MAX_FAILURES
from tests.org.conftest import ADA, GRACE, PASSWORD

WRONG = "That username and password do not match."


def test_login_page_shows_the_demo_credentials(client, org):
    response = client.get("/login/")

    page = response.content.decode()
    assert 'name="username"' in page
    assert 'name="password"' in page
    assert ADA in page
    assert GRACE in page
    assert PASSWORD in page


@pytest.mark.parametrize("username", [ADA, "nobody@handshake.example", "ADA@handshake.example "])
def test_wrong_password_gets_one_clear_message_whoever_the_user(client, org, username):
    response = client.post("/login/", {"username": username, "password": "wrong"})

    assert response.status_code == 200
    assert WRONG in response.content.decode()


def test_d2_login_page_locks_a_username_after_repeated_failures(client, org):
    for _ in range(MAX_FAILURES):
        client.post("/login/", {"username": ADA, "password": "wrong"})

    locked = client.post("/login/", {"username": ADA, "password": PASSWORD})
    other = client.post("/login/", {"username": GRACE, "password": PASSWORD})

    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert other.status_code == 303


def test_g4_session_key_changes_on_sign_in_and_sign_out(client, org):
    client.get("/login/")
    client.session.save()
    before = client.session.session_key

    client.post("/login/", {"username": ADA, "password": PASSWORD})
    signed_in = client.session.session_key
    client.post("/logout/")

    assert signed_in != before
    assert client.session.session_key != signed_in
    assert "signed in as" not in client.get("/login/").content.decode()


def test_signing_in_keeps_the_visitors_other_session_data(client, org):
    session = client.session
    session["handshake_visitor"] = "visitor-123"
    session.save()

    client.post("/login/", {"username": ADA, "password": PASSWORD})
    client.post("/login/", {"username": GRACE, "password": PASSWORD})

    assert client.session["handshake_visitor"] == "visitor-123"


def test_inactive_user_cannot_sign_in(client, org):
    get_user_model().objects.filter(username=ADA).update(is_active=False)

    response = client.post("/login/", {"username": ADA, "password": PASSWORD})

    assert WRONG in response.content.decode()


def test_logout_by_get_only_shows_the_sign_in_page(client, org):
    response = client.get("/logout/")

    assert response.status_code == 302

"""Device flow in both shapes (Salesforce's and RFC 8628's), end to end over HTTP with the
verification page at /setup/connect, and catalogue row D6."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.test import Client
from django.utils import timezone

from org import devices
from org.connected_apps import DEVICE_CODE, JWT_BEARER
from org.models import DeviceAuthorization
from tests.org.conftest import ADA, DEVICE_AUTHORIZE, DEVICE_PAGE, GRACE, TOKEN

USER_CODE = re.compile(r"^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$")


@pytest.fixture
def app(oauth):
    return oauth.app(
        grants=[DEVICE_CODE, "refresh_token"], scopes=["api", "refresh_token", "openid"]
    )


def start_salesforce(oauth, app, **form):
    form.setdefault("scope", "api refresh_token")
    return oauth.post(TOKEN, {"response_type": "device_code", "client_id": app.client_id, **form})


def start_standard(oauth, app, **form):
    form.setdefault("scope", "api refresh_token openid")
    return oauth.post(DEVICE_AUTHORIZE, {"client_id": app.client_id, **form})


def poll_salesforce(oauth, app, device_code):
    return oauth.post(
        TOKEN, {"grant_type": "device", "client_id": app.client_id, "code": device_code}
    )


def poll_standard(oauth, app, device_code, **form):
    form.setdefault("client_id", app.client_id)
    return oauth.post(TOKEN, {"grant_type": DEVICE_CODE, "device_code": device_code, **form})


def error_of(response) -> str:
    assert response.status_code == 400, response.content
    assert response.headers["Cache-Control"] == "no-store"
    error: str = response.json()["error"]
    return error


def approve(oauth, user_code: str, *, decision: str = "allow", username: str = ADA):
    oauth.sign_in(username)
    page = oauth.device_page(user_code)
    assert page.status_code == 200, page.content[:500]
    return oauth.device_page(user_code, decision=decision)


def allow_next_poll() -> None:
    """Time passes: the next poll is on time."""
    DeviceAuthorization.objects.update(next_poll_at=timezone.now() - timedelta(seconds=1))


def test_salesforce_shape_start_poll_approve_and_collect_tokens(oauth, app, settings):
    started = start_salesforce(oauth, app)

    body = started.json()
    assert started.status_code == 200, body
    assert USER_CODE.match(body["user_code"])
    assert body["verification_uri"] == settings.HANDSHAKE_BASE_URL + "/setup/connect"
    assert body["interval"] == 5
    assert body["expires_in"] == 600
    assert started.headers["Cache-Control"] == "no-store"
    assert error_of(poll_salesforce(oauth, app, body["device_code"])) == "authorization_pending"

    approved = approve(oauth, body["user_code"])
    tokens = poll_salesforce(oauth, app, body["device_code"])

    assert approved.status_code == 200
    assert "Device connected" in approved.content.decode()
    assert tokens.status_code == 200, tokens.content
    issued = tokens.json()
    assert {"access_token", "refresh_token", "instance_url", "id", "signature"} <= set(issued)
    assert oauth.introspect(app, issued["access_token"])["username"] == ADA


def test_standard_shape_with_the_complete_uri_and_an_id_token(oauth, app, settings):
    started = start_standard(oauth, app).json()
    complete = urlsplit(started["verification_uri_complete"])

    assert f"{complete.scheme}://{complete.netloc}{complete.path}" == started["verification_uri"]
    typed = parse_qs(complete.query)["user_code"][0]
    approve(oauth, typed)
    tokens = poll_standard(oauth, app, started["device_code"])

    assert tokens.status_code == 200, tokens.content
    assert "id_token" in tokens.json()


def test_the_discovery_document_names_the_device_endpoint(oauth, settings):
    meta = oauth.client.get("/.well-known/openid-configuration").json()

    assert meta["device_authorization_endpoint"] == settings.HANDSHAKE_BASE_URL + DEVICE_AUTHORIZE
    assert DEVICE_CODE in meta["grant_types_supported"]


@pytest.mark.parametrize("typed", ["{lower}", "{plain}", " {code} ", "{lower_plain}"])
def test_a_user_code_matches_in_any_case_with_or_without_the_dash(oauth, app, typed):
    code = start_salesforce(oauth, app).json()["user_code"]
    variants = {
        "code": code,
        "lower": code.lower(),
        "plain": code.replace("-", ""),
        "lower_plain": code.replace("-", "").lower(),
    }
    oauth.sign_in()

    page = oauth.device_page(typed.format(**variants))

    assert page.status_code == 200
    html = page.content.decode()
    assert code in html
    assert ">Allow</button>" in html
    assert ">Deny</button>" in html


def test_the_page_sends_a_signed_out_person_to_sign_in_and_back(oauth, app):
    code = start_salesforce(oauth, app).json()["user_code"]

    first = oauth.device_page(code)
    location = first.headers["Location"]
    start_url = parse_qs(urlsplit(location).query)["startURL"][0]
    signed_in = oauth.client.post(
        "/login/", {"username": ADA, "password": "handshake-demo", "startURL": start_url}
    )

    assert first.status_code == 302
    assert location.startswith("/login/?")
    assert start_url == f"{DEVICE_PAGE}?user_code={code}"
    assert signed_in.status_code == 303
    assert signed_in.headers["Location"] == start_url


def test_the_sign_in_page_says_what_the_sign_in_is_for(oauth, app):
    code = start_salesforce(oauth, app).json()["user_code"]

    login_page = oauth.client.get(oauth.device_page(code).headers["Location"])

    assert "to connect a device to your account" in login_page.content.decode()


def test_signing_in_for_a_device_does_not_count_as_a_fresh_sign_in_for_prompt_login(oauth, app):
    web = oauth.app(name="Web app")
    code = start_salesforce(oauth, app).json()["user_code"]
    oauth.client.post(
        "/login/",
        {
            "username": ADA,
            "password": "handshake-demo",
            "startURL": f"{DEVICE_PAGE}?user_code={code}",
        },
    )

    response = oauth.authorize(web, prompt="login")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login/")


def test_the_entry_page_asks_for_the_code(oauth):
    oauth.sign_in()

    page = oauth.device_page()

    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="user_code"' in html
    assert "Code from your device" in html


def test_approval_is_remembered_so_the_jwt_bearer_flow_works_afterwards(oauth, app_keys, settings):
    app = oauth.app(grants=[DEVICE_CODE, JWT_BEARER], cert_pem=app_keys.certificate_pem)
    started = start_salesforce(oauth, app, scope="api").json()
    approve(oauth, started["user_code"])
    claims = {
        "iss": app.client_id,
        "sub": ADA,
        "aud": settings.HANDSHAKE_BASE_URL,
        "exp": int(time.time()) + 60,
    }

    response = oauth.post(
        TOKEN,
        {
            "grant_type": JWT_BEARER,
            "assertion": jwt.encode(claims, app_keys.private_key, algorithm="RS256"),
        },
    )

    assert response.status_code == 200, response.content


def test_an_app_without_the_device_flow_cannot_start_one(oauth):
    app = oauth.app(grants=["authorization_code"])

    for response in (start_salesforce(oauth, app), start_standard(oauth, app)):
        assert error_of(response) == "unauthorized_client"


def test_a_scope_beyond_the_apps_is_refused_at_the_start(oauth, app):
    assert error_of(start_standard(oauth, app, scope="api full")) == "invalid_scope"


def test_an_unknown_client_cannot_start(oauth, org):
    response = oauth.post(DEVICE_AUTHORIZE, {"client_id": "3MVG9nobody"})

    assert error_of(response) == "invalid_client_id"


def test_a_secret_that_is_sent_is_checked(oauth, app):
    response = oauth.post(DEVICE_AUTHORIZE, {"client_id": app.client_id, "client_secret": "0" * 64})

    assert response.status_code == 401


def test_a_person_the_admin_did_not_pre_authorize_cannot_allow(oauth):
    app = oauth.app(grants=[DEVICE_CODE], scopes=["api"], pre_authorize=[GRACE])
    started = start_salesforce(oauth, app, scope="api").json()
    oauth.sign_in(ADA)

    page = oauth.device_page(started["user_code"])
    allowed = oauth.device_page(started["user_code"], decision="allow")

    assert ">Allow</button>" not in page.content.decode()
    assert "invalid_app_access" in page.content.decode()
    assert allowed.status_code == 403
    assert error_of(poll_salesforce(oauth, app, started["device_code"])) == "authorization_pending"


# Catalogue D6 -----------------------------------------------------------------------------


def test_d6_a_poll_before_approval_is_authorization_pending(oauth, app):
    started = start_standard(oauth, app).json()

    response = poll_standard(oauth, app, started["device_code"])

    assert error_of(response) == "authorization_pending"


def test_d6_polling_faster_than_the_interval_is_slow_down_and_the_interval_grows(oauth, app):
    started = start_standard(oauth, app).json()

    first = poll_standard(oauth, app, started["device_code"])
    second = poll_standard(oauth, app, started["device_code"])
    third = poll_standard(oauth, app, started["device_code"])

    assert error_of(first) == "authorization_pending"
    assert error_of(second) == "slow_down"
    assert second.json()["error_description"] == "polling too quickly for the token endpoint."
    assert error_of(third) == "slow_down"
    # RFC 8628 §3.5: 5 seconds more after each slow_down, for all later polls.
    device = DeviceAuthorization.objects.get()
    assert device.interval == 15
    allow_next_poll()
    assert error_of(poll_standard(oauth, app, started["device_code"])) == "authorization_pending"
    assert DeviceAuthorization.objects.get().interval == 15


def test_d6_a_poll_just_inside_the_grown_interval_is_still_too_fast(oauth, app):
    started = start_standard(oauth, app).json()
    poll_standard(oauth, app, started["device_code"])
    poll_standard(oauth, app, started["device_code"])  # slow_down: interval now 10 s
    DeviceAuthorization.objects.update(next_poll_at=timezone.now() + timedelta(seconds=4))

    assert error_of(poll_standard(oauth, app, started["device_code"])) == "slow_down"


def test_d6_a_person_who_denies_gets_the_device_access_denied(oauth, app):
    started = start_salesforce(oauth, app).json()

    denied = approve(oauth, started["user_code"], decision="deny")
    first = poll_salesforce(oauth, app, started["device_code"])
    again = poll_salesforce(oauth, app, started["device_code"])

    assert "Device refused" in denied.content.decode()
    assert error_of(first) == "access_denied"
    assert error_of(again) == "access_denied"


def test_d6_an_expired_device_code_is_expired_token(oauth, app):
    started = start_standard(oauth, app).json()
    DeviceAuthorization.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert error_of(poll_standard(oauth, app, started["device_code"])) == "expired_token"


def test_d6_an_expired_user_code_is_refused_on_the_page(oauth, app):
    started = start_standard(oauth, app).json()
    DeviceAuthorization.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    oauth.sign_in()

    page = oauth.device_page(started["user_code"])

    assert page.status_code == 400
    assert "That code is not valid" in page.content.decode()


def test_d6_an_approval_after_expiry_is_expired_token(oauth, app):
    started = start_standard(oauth, app).json()
    approve(oauth, started["user_code"])
    DeviceAuthorization.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert error_of(poll_standard(oauth, app, started["device_code"])) == "expired_token"


def test_d6_a_device_code_is_redeemed_once(oauth, app):
    started = start_salesforce(oauth, app).json()
    approve(oauth, started["user_code"])

    first = poll_salesforce(oauth, app, started["device_code"])
    second = poll_salesforce(oauth, app, started["device_code"])
    standard = poll_standard(oauth, app, started["device_code"])

    assert first.status_code == 200
    assert error_of(second) == "invalid_grant"
    assert second.json()["error_description"] == "invalid device code"
    assert error_of(standard) == "invalid_grant"


def test_d6_the_conditional_update_lets_only_one_redemption_through(oauth, app):
    started = start_salesforce(oauth, app).json()
    approve(oauth, started["user_code"])
    one_copy = DeviceAuthorization.objects.get()
    another_copy = DeviceAuthorization.objects.get()

    assert devices.redeem(one_copy) is True
    assert devices.redeem(another_copy) is False


def test_d6_an_unknown_device_code_is_invalid_grant(oauth, app):
    assert error_of(poll_standard(oauth, app, "not-a-device-code")) == "invalid_grant"
    assert error_of(poll_salesforce(oauth, app, "not-a-device-code")) == "invalid_grant"


def test_d6_another_apps_device_code_is_invalid_grant_and_not_burned(oauth, app):
    started = start_standard(oauth, app).json()
    approve(oauth, started["user_code"])
    other = oauth.app(name="Other", grants=[DEVICE_CODE])

    stolen = poll_standard(oauth, other, started["device_code"])
    owner = poll_standard(oauth, app, started["device_code"])

    assert error_of(stolen) == "invalid_grant"
    assert owner.status_code == 200


def test_d6_a_missing_device_code_is_an_invalid_request(oauth, app):
    assert error_of(oauth.post(TOKEN, {"grant_type": DEVICE_CODE, "client_id": app.client_id})) == (
        "invalid_request"
    )


def test_d6_twenty_wrong_codes_from_one_session_are_throttled(oauth, app):
    started = start_standard(oauth, app).json()
    oauth.sign_in()

    statuses = [oauth.device_page(f"BBBB-BB{a}{b}").status_code for a in "CD" for b in "FGHJKLMNPQ"]
    right_code = oauth.device_page(started["user_code"])

    assert statuses[:9] == [400] * 9
    assert 429 in statuses
    assert statuses[-1] == 429
    # Locked out: even the right code waits, so guessing cannot continue.
    assert right_code.status_code == 429
    assert "Too many wrong codes" in right_code.content.decode()


def test_d6_wrong_codes_from_many_sessions_on_one_address_are_throttled(oauth, app):
    # Each browser stays under its own limit; together they exhaust the address's.
    letters = devices.USER_CODE_ALPHABET
    per_session = devices.SESSION_LIMIT.failures - 1
    sessions = -(-devices.ADDRESS_LIMIT.failures // per_session)
    statuses = []
    for session in range(sessions):
        browser = Client()
        browser.post("/login/", {"username": ADA, "password": "handshake-demo"})
        for attempt in range(per_session):
            guess = f"BBBB{letters[session // 20]}{letters[session % 20]}{letters[attempt]}B"
            statuses.append(browser.get(f"{DEVICE_PAGE}?user_code={guess}").status_code)

    assert statuses[: devices.ADDRESS_LIMIT.failures - 1] == [400] * (
        devices.ADDRESS_LIMIT.failures - 1
    )
    assert statuses[devices.ADDRESS_LIMIT.failures - 1 :] == [429] * (
        len(statuses) - devices.ADDRESS_LIMIT.failures + 1
    )


def test_d6_a_wrong_code_does_not_reveal_whether_it_ever_existed(oauth, app):
    started = start_standard(oauth, app).json()
    approve(oauth, started["user_code"])

    used = oauth.device_page(started["user_code"])
    never = oauth.device_page("ZZZZ-ZZZZ")

    assert used.status_code == never.status_code == 400
    assert used.content.decode().count("That code is not valid") == 1
    assert never.content.decode().count("That code is not valid") == 1


def test_d6_user_codes_use_an_alphabet_without_look_alikes(org):
    codes = {devices.new_user_code() for _ in range(500)}

    assert len(codes) == 500
    assert all(USER_CODE.match(devices.display(code)) for code in codes)
    assert not set("".join(codes)) & set("AEIOU01")

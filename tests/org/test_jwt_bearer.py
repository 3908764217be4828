"""JWT bearer flow (RFC 7523) as Salesforce runs it, end to end over HTTP, and catalogue
rows B10, D4 and H6: every forged or out-of-range assertion is refused with invalid_grant."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.utils import timezone

from org.connected_apps import JWT_BEARER
from org.models import Org
from tests.org.conftest import ADA, GRACE

QUERY = "/services/data/v62.0/query?q=SELECT+Id+FROM+Account+LIMIT+1"


@pytest.fixture
def app(oauth, app_keys):
    return oauth.app(
        grants=[JWT_BEARER],
        scopes=["api", "refresh_token"],
        cert_pem=app_keys.certificate_pem,
        pre_authorize=[ADA],
    )


def claims_for(app, settings, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": app.client_id,
        "sub": ADA,
        "aud": settings.HANDSHAKE_BASE_URL,
        "exp": now + 120,
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def assertion(app, settings, keys, **changes: Any) -> str:
    return jwt.encode(claims_for(app, settings, **changes), keys.private_key, algorithm="RS256")


def exchange(oauth, value: str, **form: str):
    return oauth.post(
        "/services/oauth2/token", {"grant_type": JWT_BEARER, "assertion": value, **form}
    )


def refused(response, description: str = "invalid assertion") -> None:
    assert response.status_code == 400, response.content
    assert response.json() == {"error": "invalid_grant", "error_description": description}
    assert response.headers["Cache-Control"] == "no-store"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_signed_assertion_for_a_pre_authorized_user_gets_an_access_token(
    oauth, app, app_keys, settings
):
    response = exchange(oauth, assertion(app, settings, app_keys))

    body = response.json()
    assert response.status_code == 200, body
    assert body["token_type"] == "Bearer"
    assert body["instance_url"] == settings.HANDSHAKE_BASE_URL
    assert body["id"].startswith(settings.HANDSHAKE_BASE_URL + "/id/00D")
    # Salesforce issues no refresh token in this flow, whatever the scopes.
    assert "refresh_token" not in body
    assert response.headers["Cache-Control"] == "no-store"
    assert oauth.introspect(app, body["access_token"])["username"] == ADA
    api = oauth.client.get(QUERY, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert api.status_code == 200


def test_the_scope_parameter_is_ignored_the_approval_decides(oauth, app, app_keys, settings):
    response = exchange(oauth, assertion(app, settings, app_keys), scope="full web")

    assert response.status_code == 200
    # The app's scopes for a pre-authorized user; refresh_token is left out, no refresh
    # token being issued in this flow.
    assert response.json()["scope"] == "api"


def test_a_user_who_never_approved_the_app_is_refused_like_salesforce(oauth, app_keys, settings):
    app = oauth.app(grants=[JWT_BEARER, "authorization_code"], cert_pem=app_keys.certificate_pem)

    response = exchange(oauth, assertion(app, settings, app_keys))

    refused(response, "user hasn't approved this consumer")


def test_an_earlier_approval_in_the_web_server_flow_is_enough(oauth, app_keys, settings):
    app = oauth.app(grants=[JWT_BEARER, "authorization_code"], cert_pem=app_keys.certificate_pem)
    oauth.code(app, scope="api")

    response = exchange(oauth, assertion(app, settings, app_keys))

    assert response.status_code == 200, response.content
    assert response.json()["scope"] == "api"


def test_a_user_the_admin_did_not_pre_authorize_gets_invalid_app_access(
    oauth, app, app_keys, settings
):
    response = exchange(oauth, assertion(app, settings, app_keys, sub=GRACE))

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_app_access"


def test_an_app_without_the_flow_enabled_is_unauthorized(oauth, app_keys, settings):
    app = oauth.app(
        grants=["client_credentials"], cert_pem=app_keys.certificate_pem, pre_authorize=[ADA]
    )

    response = exchange(oauth, assertion(app, settings, app_keys))

    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"


def test_an_app_without_a_certificate_cannot_be_asserted_for(oauth, app_keys, settings):
    app = oauth.app(grants=[JWT_BEARER], pre_authorize=[ADA])

    refused(exchange(oauth, assertion(app, settings, app_keys)))


def test_a_missing_assertion_is_an_invalid_request(oauth, app):
    response = oauth.post("/services/oauth2/token", {"grant_type": JWT_BEARER})

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_client_credentials_sent_along_are_checked(oauth, app, app_keys, settings):
    value = assertion(app, settings, app_keys)

    wrong_secret = exchange(oauth, value, client_id=app.client_id, client_secret="0" * 64)
    other_app = oauth.app(name="Other")
    someone_else = exchange(
        oauth, value, client_id=other_app.client_id, client_secret=other_app.client_secret
    )
    right = exchange(oauth, value, client_id=app.client_id, client_secret=app.client_secret)

    assert wrong_secret.status_code == 401
    refused(someone_else)
    assert right.status_code == 200


# Catalogue D4 -----------------------------------------------------------------------------


def test_d4_a_bad_signature_is_refused(oauth, app, attacker_keys, settings):
    refused(exchange(oauth, assertion(app, settings, attacker_keys)))


def test_d4_a_tampered_payload_is_refused(oauth, app, app_keys, settings):
    header, _, signature = assertion(app, settings, app_keys).split(".")
    forged = b64(json.dumps(claims_for(app, settings, sub=GRACE)).encode())

    refused(exchange(oauth, f"{header}.{forged}.{signature}"))


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_d4_alg_none_is_refused(oauth, app, settings, alg):
    header = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims_for(app, settings)).encode())

    refused(exchange(oauth, f"{header}.{payload}."))


def test_d4_hs256_signed_with_the_certificate_public_key_is_refused(oauth, app, app_keys, settings):
    public_pem = app_keys.certificate.public_key().public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
    )
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims_for(app, settings)).encode())
    mac = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()

    refused(exchange(oauth, f"{header}.{payload}.{b64(mac)}"))


@pytest.mark.parametrize("alg", ["RS512", "PS256"])
def test_d4_other_rsa_algorithms_are_refused(oauth, app, app_keys, settings, alg):
    value = jwt.encode(claims_for(app, settings), app_keys.private_key, algorithm=alg)

    refused(exchange(oauth, value))


def test_d4_an_ec_signature_is_refused(oauth, app, settings):
    value = jwt.encode(claims_for(app, settings), ec.generate_private_key(ec.SECP256R1()), "ES256")

    refused(exchange(oauth, value))


def test_d4_an_unknown_critical_header_is_refused(oauth, app, app_keys, settings):
    value = jwt.encode(
        claims_for(app, settings), app_keys.private_key, "RS256", headers={"crit": ["x-evil"]}
    )

    refused(exchange(oauth, value))


@pytest.mark.parametrize(
    "audience",
    [
        "https://login.salesforce.com",
        "https://evil.test",
        # RFC 7523 would allow the token endpoint URL; Salesforce wants the login URL.
        "{base}/services/oauth2/token",
        "{base}/",
        ["https://evil.test"],
    ],
)
def test_d4_an_audience_other_than_the_login_url_is_refused(
    oauth, app, app_keys, settings, audience
):
    if isinstance(audience, str):
        audience = audience.format(base=settings.HANDSHAKE_BASE_URL)

    refused(
        exchange(oauth, assertion(app, settings, app_keys, aud=audience)), "audience is invalid"
    )


def test_d4_a_list_audience_holding_the_login_url_is_accepted(oauth, app, app_keys, settings):
    value = assertion(app, settings, app_keys, aud=[settings.HANDSHAKE_BASE_URL])

    assert exchange(oauth, value).status_code == 200


def test_d4_an_assertion_without_exp_is_refused(oauth, app, app_keys, settings):
    refused(exchange(oauth, assertion(app, settings, app_keys, exp=None)))


def test_d4_exp_beyond_a_window_the_org_sets_is_refused_with_salesforces_misleading_message(
    oauth, app, app_keys, settings
):
    Org.objects.update(jwt_bearer_window_seconds=180)  # Salesforce's documented three minutes
    value = assertion(app, settings, app_keys, exp=int(time.time()) + 600)

    # There is no authorization code in this flow: the words are Salesforce's, and wrong.
    refused(exchange(oauth, value), "expired authorization code")


def test_d4_an_exp_in_the_past_is_refused_the_same_way(oauth, app, app_keys, settings):
    value = assertion(app, settings, app_keys, exp=int(time.time()) - 300)

    refused(exchange(oauth, value), "expired authorization code")


def test_d4_the_window_is_an_org_setting(oauth, app, app_keys, settings):
    Org.objects.update(jwt_bearer_window_seconds=900)
    value = assertion(app, settings, app_keys, exp=int(time.time()) + 600)

    assert exchange(oauth, value).status_code == 200


def test_d4_by_default_an_exp_in_milliseconds_centuries_ahead_is_accepted_as_real_orgs_do(
    oauth, app, app_keys, settings
):
    # What Salesforce's own CLI signs: Date.now() + 300, milliseconds read as seconds.
    value = assertion(app, settings, app_keys, exp=int(time.time() * 1000) + 300)

    assert exchange(oauth, value).status_code == 200


@pytest.mark.parametrize("exp", [10**400, 1e308, float("inf")], ids=["400-digits", "1e308", "inf"])
def test_d4_an_exp_past_any_date_is_accepted_and_its_jti_is_still_spent_once(
    oauth, app, app_keys, settings, exp
):
    value = assertion(app, settings, app_keys, exp=exp, jti="remembered-for-ever")

    assert exchange(oauth, value).status_code == 200
    refused(exchange(oauth, value))


def test_d4_without_jti_an_assertion_with_a_distant_exp_can_be_replayed(
    oauth, app, app_keys, settings
):
    value = assertion(app, settings, app_keys, exp=int(time.time() * 1000) + 300)

    assert [exchange(oauth, value).status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.parametrize("exp", [float("nan"), -(10**400), float("-inf"), "4102444800", True])
def test_d4_an_exp_that_is_not_a_time_ahead_is_refused(oauth, app, app_keys, settings, exp):
    response = exchange(oauth, assertion(app, settings, app_keys, exp=exp))

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_d4_nbf_in_the_future_is_refused(oauth, app, app_keys, settings):
    refused(exchange(oauth, assertion(app, settings, app_keys, nbf=int(time.time()) + 600)))


def test_d4_an_unknown_iss_is_refused(oauth, app, app_keys, settings):
    refused(exchange(oauth, assertion(app, settings, app_keys, iss="3MVG9unknown")))


def test_d4_an_assertion_without_sub_is_refused(oauth, app, app_keys, settings):
    refused(exchange(oauth, assertion(app, settings, app_keys, sub=None)))


def test_d4_an_unknown_sub_gets_the_same_answer_as_an_unapproved_one(
    oauth, app, app_keys, settings
):
    value = assertion(app, settings, app_keys, sub="nobody@handshake.example")

    refused(exchange(oauth, value), "user hasn't approved this consumer")


def test_d4_a_replayed_jti_is_refused(oauth, app, app_keys, settings):
    value = assertion(app, settings, app_keys, jti="one-time-only")

    first = exchange(oauth, value)
    second = exchange(oauth, value)

    assert first.status_code == 200
    refused(second)


def test_d4_without_jti_an_assertion_may_be_used_until_it_expires(oauth, app, app_keys, settings):
    value = assertion(app, settings, app_keys)

    assert [exchange(oauth, value).status_code for _ in range(2)] == [200, 200]


def test_d4_garbage_assertions_are_refused_never_a_500(oauth, app):
    for value in ["x", "a.b.c", "e30.e30.", "..", "eyJhbGciOiJSUzI1NiJ9." + "A" * 5000 + ".x"]:
        refused(exchange(oauth, value))


# Catalogue B10: assertion claims at the token endpoint ------------------------------------


@pytest.fixture
def frozen_now(monkeypatch):
    """The org's clock held at a whole second, so "61 s ahead" is exactly that when checked."""
    now = datetime.fromtimestamp(int(time.time()), tz=UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return int(now.timestamp())


@pytest.mark.parametrize(
    ("changes", "description"),
    [
        pytest.param(
            {"aud": "https://login.salesforce.com"}, "audience is invalid", id="aud-other-server"
        ),
        # Salesforce's words for an exp out of range, misleading as they are: no code here.
        pytest.param({"exp": -300}, "expired authorization code", id="exp-5-min-ago"),
        pytest.param({"sub": None}, "invalid assertion", id="no-sub"),
        pytest.param({"nbf": 61}, "invalid assertion", id="nbf-61-s-ahead"),
        pytest.param({"nbf": 600}, "invalid assertion", id="nbf-10-min-ahead"),
    ],
)
def test_b10_jwt_bearer_assertion_with_bad_claims_is_an_invalid_grant(
    oauth, app, app_keys, settings, frozen_now, changes, description
):
    """The grant side of B10 (RFC 7523 §3). The org has no private_key_jwt client
    authentication (discovery lists only client secrets and none), so the catalogue's
    401 invalid_client half has nothing to test beyond the next test's refusal."""
    relative = {"exp", "nbf"}
    claims = {
        name: frozen_now + value if name in relative else value for name, value in changes.items()
    }

    refused(exchange(oauth, assertion(app, settings, app_keys, **claims)), description)


def test_b10_nbf_eight_seconds_ahead_is_accepted_as_clock_skew(
    oauth, app, app_keys, settings, frozen_now
):
    value = assertion(app, settings, app_keys, nbf=frozen_now + 8, exp=frozen_now + 120)

    response = exchange(oauth, value)

    assert response.status_code == 200, response.content
    assert response.json()["token_type"] == "Bearer"


def test_b10_a_private_key_jwt_client_assertion_does_not_authenticate_a_client(
    oauth, app_keys, settings
):
    client = oauth.app(grants=["client_credentials"], run_as=ADA, cert_pem=app_keys.certificate_pem)
    now = int(time.time())
    # RFC 7523 §2.2 / §3: a well-formed client assertion, signed with the app's own key.
    client_assertion = jwt.encode(
        {
            "iss": client.client_id,
            "sub": client.client_id,
            "aud": settings.HANDSHAKE_BASE_URL + "/services/oauth2/token",
            "exp": now + 60,
            "jti": "b10-client-assertion",
        },
        app_keys.private_key,
        algorithm="RS256",
    )
    discovery = oauth.client.get("/.well-known/openid-configuration").json()

    response = oauth.post(
        "/services/oauth2/token",
        {
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": client_assertion,
        },
    )

    assert "private_key_jwt" not in discovery["token_endpoint_auth_methods_supported"]
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "access_token" not in response.json()


# Catalogue H6: clock skew ------------------------------------------------------------------


@pytest.mark.parametrize("claim", ["iat", "nbf"])
def test_h6_thirty_seconds_ahead_is_accepted(oauth, app, app_keys, settings, claim):
    value = assertion(app, settings, app_keys, **{claim: int(time.time()) + 30})

    assert exchange(oauth, value).status_code == 200


@pytest.mark.parametrize("claim", ["iat", "nbf"])
def test_h6_ten_minutes_ahead_is_refused(oauth, app, app_keys, settings, claim):
    refused(exchange(oauth, assertion(app, settings, app_keys, **{claim: int(time.time()) + 600})))


def test_h6_expired_one_second_beyond_the_leeway_is_refused(oauth, app, app_keys, settings):
    value = assertion(app, settings, app_keys, exp=int(time.time()) - 61)

    refused(exchange(oauth, value), "expired authorization code")


def test_h6_expired_within_the_leeway_is_accepted(oauth, app, app_keys, settings):
    value = assertion(app, settings, app_keys, exp=int(time.time()) - 20)

    assert exchange(oauth, value).status_code == 200

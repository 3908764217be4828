from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import timedelta

import jwt
import pytest
from django.utils import timezone

from org import codes
from org.connected_apps import update_connected_app
from org.models import AuthorizationCode
from tests.org.conftest import CALLBACK, pkce_pair, query_of

SCOPE = "api refresh_token openid"


def _jwks_key(client, token: str):
    kid = jwt.get_unverified_header(token)["kid"]
    keys = client.get("/id/keys").json()["keys"]
    jwk = next(key for key in keys if key["kid"] == kid)
    return jwt.PyJWK(jwk).key


def test_web_server_flow_with_pkce_returns_salesforce_shaped_tokens(oauth, settings):
    app = oauth.app(require_pkce=True)

    body = oauth.tokens(app, scope=SCOPE, state="xyz", nonce="n-1")

    assert set(body) == {
        "access_token",
        "refresh_token",
        "signature",
        "scope",
        "id_token",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
        "expires_in",
    }
    assert body["token_type"] == "Bearer"
    assert body["instance_url"] == settings.HANDSHAKE_BASE_URL
    assert body["id"].startswith(settings.HANDSHAKE_BASE_URL + "/id/00D")
    assert "/005" in body["id"]
    assert body["issued_at"].isdigit()
    assert len(body["issued_at"]) == 13
    assert body["scope"] == SCOPE
    assert body["expires_in"] == 7200
    assert body["access_token"].startswith("00D")
    expected = hmac.new(
        app.client_secret.encode(), (body["id"] + body["issued_at"]).encode(), hashlib.sha256
    ).digest()
    assert base64.b64decode(body["signature"]) == expected


def test_authorization_response_carries_code_state_and_issuer(oauth, settings):
    app = oauth.app()
    oauth.sign_in()

    response = oauth.consent(app, scope="api", state="opaque-state")

    assert response.status_code == 303
    params = query_of(response.headers["Location"])
    assert response.headers["Location"].startswith(CALLBACK + "?")
    assert params["state"] == "opaque-state"
    assert params["iss"] == settings.HANDSHAKE_BASE_URL
    assert params["code"].startswith("aPrx")


def test_classic_web_server_flow_without_pkce_works_for_a_confidential_app(oauth):
    app = oauth.app()

    body = oauth.tokens(app, scope="api", pkce=False)

    assert body["scope"] == "api"
    assert "refresh_token" not in body
    assert "id_token" not in body


def test_token_request_may_use_http_basic(oauth):
    app = oauth.app()
    code = oauth.code(app, scope="api")

    response = oauth.token(
        app, auth="basic", grant_type="authorization_code", code=code, redirect_uri=CALLBACK
    )

    assert response.status_code == 200, response.content


def test_app_without_require_secret_redeems_with_consumer_key_alone(oauth):
    app = oauth.app()
    update_connected_app(app.client_id, owner="tests", require_secret_web_server=False)
    code = oauth.code(app, scope="api")

    response = oauth.post(
        "/services/oauth2/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app.client_id,
            "redirect_uri": CALLBACK,
        },
    )

    assert response.status_code == 200, response.content


def test_a_sent_secret_is_checked_even_when_not_required(oauth):
    app = oauth.app()
    update_connected_app(app.client_id, owner="tests", require_secret_web_server=False)
    code = oauth.code(app, scope="api")

    response = oauth.redeem(app, code, client_secret="not-the-secret")

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_public_app_uses_pkce_and_no_secret(oauth):
    app = oauth.app(public=True)
    verifier, challenge = pkce_pair()
    code = oauth.code(app, scope="api", code_challenge=challenge, code_challenge_method="S256")

    response = oauth.redeem(app, code, code_verifier=verifier)

    assert app.client_secret is None
    assert response.status_code == 200, response.content
    assert "signature" not in response.json()


def test_e4_id_token_verifies_with_the_jwks_and_carries_the_required_claims(
    oauth, client, settings
):
    app = oauth.app()

    body = oauth.tokens(app, scope=SCOPE, nonce="nonce-for-e4")

    token = body["id_token"]
    claims = jwt.decode(
        token,
        _jwks_key(client, token),
        algorithms=["RS256"],
        audience=app.client_id,
        issuer=settings.HANDSHAKE_BASE_URL,
        options={"require": ["iss", "aud", "exp", "iat", "sub"]},
    )
    assert claims["nonce"] == "nonce-for-e4"
    assert claims["sub"] == body["id"]
    digest = hashlib.sha256(body["access_token"].encode()).digest()
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
    assert claims["auth_time"] <= claims["iat"]


def test_an_approval_is_remembered_until_consent_is_asked_for_again(oauth):
    app = oauth.app()
    oauth.code(app, scope="api")

    again = oauth.authorize(app, scope="api")
    asked = oauth.authorize(app, scope="api", prompt="consent")

    assert again.status_code == 302
    assert "code" in query_of(again.headers["Location"])
    assert asked.status_code == 200
    assert b"Allow access?" in asked.content


def test_b1_code_replay_revokes_issued_tokens(oauth):
    app = oauth.app()
    code = oauth.code(app, scope="api refresh_token")
    first = oauth.redeem(app, code)
    assert first.status_code == 200

    second = oauth.redeem(app, code)

    assert second.status_code == 400
    assert second.json() == {
        "error": "invalid_grant",
        "error_description": "invalid authorization code",
    }
    tokens = first.json()
    assert oauth.introspect(app, tokens["access_token"]) == {"active": False}
    assert oauth.introspect(app, tokens["refresh_token"]) == {"active": False}


def test_b1_code_replay_after_thirty_seconds_still_revokes(oauth):
    app = oauth.app()
    code = oauth.code(app, scope="api")
    first = oauth.redeem(app, code).json()
    AuthorizationCode.objects.update(used_at=timezone.now() - timedelta(seconds=30))

    assert oauth.redeem(app, code).status_code == 400
    assert oauth.introspect(app, first["access_token"]) == {"active": False}


def test_b3_expired_code_is_refused(oauth):
    app = oauth.app()
    code = oauth.code(app, scope="api")
    AuthorizationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = oauth.redeem(app, code)

    assert response.status_code == 400
    assert response.json()["error_description"] == "expired authorization code"


def test_code_lifetime_is_ten_minutes():
    assert timedelta(minutes=10) == codes.CODE_LIFETIME


def test_b4_another_app_cannot_redeem_a_code_and_does_not_burn_it(oauth):
    app_a = oauth.app(name="A")
    app_b = oauth.app(name="B")
    code = oauth.code(app_a, scope="api")

    stolen = oauth.redeem(app_b, code)
    rightful = oauth.redeem(app_a, code)

    assert stolen.status_code == 400
    assert stolen.json()["error"] == "invalid_grant"
    assert "access_token" not in stolen.json()
    # Policy: a wrong app's attempt leaves the code usable by the app it was issued to.
    assert rightful.status_code == 200


@pytest.mark.parametrize("sent", ["https://client.example/other", None])
def test_b5_redirect_uri_at_token_endpoint_must_match_the_authorization_request(oauth, sent):
    app = oauth.app(redirect_uris=[CALLBACK, "https://client.example/other"])
    code = oauth.code(app, scope="api")
    form = {"grant_type": "authorization_code", "code": code}
    if sent:
        form["redirect_uri"] = sent

    response = oauth.token(app, **form)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("verifier", "error"),
    [
        ("x" * 64, "invalid_request"),  # wrong: Salesforce says invalid_request
        (None, "invalid_grant"),  # missing: Salesforce says invalid_grant
        ("a" * 42, "invalid_request"),  # too short for RFC 7636 §4.1
        ("a" * 129, "invalid_request"),  # too long
    ],
)
def test_b6_bad_code_verifier_is_refused_with_salesforces_codes(oauth, verifier, error):
    app = oauth.app()
    _, challenge = pkce_pair()
    code = oauth.code(app, scope="api", code_challenge=challenge, code_challenge_method="S256")
    form = {"code_verifier": verifier} if verifier else {}

    response = oauth.redeem(app, code, **form)

    assert response.status_code == 400
    assert response.json()["error"] == error


def test_b6_a_failed_verifier_does_not_burn_the_code(oauth):
    app = oauth.app()
    verifier, challenge = pkce_pair()
    code = oauth.code(app, scope="api", code_challenge=challenge)

    assert oauth.redeem(app, code, code_verifier="y" * 50).status_code == 400
    assert oauth.redeem(app, code, code_verifier=verifier).status_code == 200


def test_b7_pkce_downgrade_code_verifier_without_challenge_is_refused(oauth):
    app = oauth.app()
    code = oauth.code(app, scope="api")

    response = oauth.redeem(app, code, code_verifier=pkce_pair()[0])

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_a18_a_thousand_codes_are_long_random_and_unique():
    values = [codes.new_code_value() for _ in range(1000)]

    assert len(set(values)) == 1000
    # 48 base64url characters (36 random bytes, 288 bits), well above RFC 6749 §10.10's 128,
    # all within RFC 6749 Appendix A.11's VSCHAR.
    assert all(re.fullmatch(r"aPrx[A-Za-z0-9_-]{48}", value) for value in values)
    # No position is fixed or narrow: each shows nearly all 64 characters.
    assert min(len({value[4 + i] for value in values}) for i in range(48)) >= 55


def test_a18_codes_the_endpoint_hands_out_have_the_same_shape_and_spread(oauth):
    app = oauth.app()
    oauth.sign_in()
    issued = [query_of(oauth.consent(app).headers["Location"])["code"] for _ in range(200)]

    assert len(set(issued)) == 200
    assert all(re.fullmatch(r"aPrx[A-Za-z0-9_-]{48}", code) for code in issued)
    assert min(len({code[4 + i] for code in issued}) for i in range(48)) >= 45


def test_codes_are_stored_only_as_digests(oauth):
    app = oauth.app()
    code = oauth.code(app, scope="api")

    row = AuthorizationCode.objects.get()

    assert row.code_hash == hashlib.sha256(code.encode()).hexdigest()
    assert code not in str(list(AuthorizationCode.objects.values()))

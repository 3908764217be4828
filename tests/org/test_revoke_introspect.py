from __future__ import annotations

import base64
from datetime import timedelta

import jwt
import pytest
from django.utils import timezone

from org.models import AccessToken
from tests.org.conftest import INTROSPECT, REVOKE

SCOPE = "api refresh_token openid"


def _revoke(oauth, app, token, **extra):
    form = {"token": token, **extra}
    if app is not None:
        form.update(client_id=app.client_id, client_secret=app.client_secret)
    return oauth.post(REVOKE, form)


@pytest.mark.parametrize("hint", [None, "access_token", "bogus_hint"])
def test_c5_revoking_an_unknown_token_is_an_empty_200(oauth, hint):
    app = oauth.app()
    extra = {"token_type_hint": hint} if hint else {}

    response = _revoke(oauth, app, "not-a-real-token", **extra)

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["Cache-Control"] == "no-store"


def test_c5_a_bogus_hint_is_ignored_and_the_token_is_revoked(oauth):
    app = oauth.app()
    tokens = oauth.tokens(app, scope=SCOPE)

    _revoke(oauth, app, tokens["access_token"], token_type_hint="bogus_hint")

    assert oauth.introspect(app, tokens["access_token"]) == {"active": False}


def test_c6_another_app_cannot_revoke_a_token(oauth):
    app_a = oauth.app(name="A")
    app_b = oauth.app(name="B")
    tokens = oauth.tokens(app_a, scope=SCOPE)

    response = _revoke(oauth, app_b, tokens["refresh_token"])

    assert response.status_code == 200
    assert oauth.introspect(app_a, tokens["refresh_token"])["active"] is True
    assert oauth.introspect(app_a, tokens["access_token"])["active"] is True


def test_c7_revoking_a_refresh_token_revokes_its_access_tokens(oauth):
    app = oauth.app()
    first = oauth.tokens(app, scope=SCOPE)
    second = oauth.token(
        app, grant_type="refresh_token", refresh_token=first["refresh_token"]
    ).json()

    _revoke(oauth, app, second["refresh_token"])

    for token in (first["access_token"], second["access_token"], second["refresh_token"]):
        assert oauth.introspect(app, token) == {"active": False}


def test_c7_revoking_an_access_token_leaves_the_refresh_token(oauth):
    app = oauth.app()
    tokens = oauth.tokens(app, scope=SCOPE)

    _revoke(oauth, app, tokens["access_token"])

    assert oauth.introspect(app, tokens["access_token"]) == {"active": False}
    assert oauth.introspect(app, tokens["refresh_token"])["active"] is True


def test_a_bare_token_can_be_revoked_like_salesforce_allows(oauth):
    app = oauth.app()
    tokens = oauth.tokens(app, scope=SCOPE)

    response = _revoke(oauth, None, tokens["refresh_token"])

    assert response.status_code == 200
    assert oauth.introspect(app, tokens["access_token"]) == {"active": False}


def test_revocation_needs_post_and_a_token(oauth):
    app = oauth.app()

    get = oauth.client.get(REVOKE + "?token=abc")
    missing = oauth.post(REVOKE, {"client_id": app.client_id, "client_secret": app.client_secret})

    assert get.status_code == 405
    assert get.json()["error"] == "invalid_request"
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"


def test_c8_introspection_without_client_authentication_is_401(oauth):
    app = oauth.app()
    tokens = oauth.tokens(app, scope=SCOPE)

    anonymous = oauth.post(INTROSPECT, {"token": tokens["access_token"]})
    key_only = oauth.post(INTROSPECT, {"token": tokens["access_token"], "client_id": app.client_id})

    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "invalid_client"
    assert key_only.status_code == 401


def test_c9_inactive_tokens_introspect_as_active_false_and_nothing_else(oauth):
    app_a = oauth.app(name="A")
    app_b = oauth.app(name="B")
    tokens = oauth.tokens(app_a, scope=SCOPE)
    revoked = oauth.tokens(app_a, scope=SCOPE)
    _revoke(oauth, app_a, revoked["access_token"])

    assert oauth.introspect(app_a, "unknown") == {"active": False}
    assert oauth.introspect(app_a, revoked["access_token"]) == {"active": False}
    assert oauth.introspect(app_b, tokens["access_token"]) == {"active": False}


def test_c9_expired_access_token_is_inactive(oauth):
    app = oauth.app()
    tokens = oauth.tokens(app, scope=SCOPE)
    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert oauth.introspect(app, tokens["access_token"]) == {"active": False}


def test_introspection_answers_in_salesforces_shape(oauth):
    app = oauth.app()
    tokens = oauth.tokens(app, scope=SCOPE)

    response = oauth.post(
        INTROSPECT,
        {"token": tokens["access_token"], "token_type_hint": "access_token"},
        headers={"Authorization": oauth_basic(app)},
    )

    body = response.json()
    assert response.headers["Cache-Control"] == "no-store"
    assert body["active"] is True
    assert body["client_id"] == app.client_id
    assert body["username"] == "ada@handshake.example"
    assert body["sub"] == tokens["id"]
    assert body["token_type"] == "access_token"
    assert body["scope"] == SCOPE
    assert body["exp"] - body["iat"] == 7200


def oauth_basic(app) -> str:
    return "Basic " + base64.b64encode(f"{app.client_id}:{app.client_secret}".encode()).decode()


def test_c10_tokens_are_long_and_unique(oauth):
    app = oauth.app()
    issued = [oauth.tokens(app, scope=SCOPE) for _ in range(5)]

    access = {tokens["access_token"] for tokens in issued}
    refresh = {tokens["refresh_token"] for tokens in issued}
    assert len(access) == len(refresh) == 5
    assert all(len(token.split("!AQ", 1)[1]) >= 64 for token in access)
    assert all(len(token) >= 64 for token in refresh)


def test_c10_jwt_access_tokens_carry_aud_exp_and_jti(oauth, client, settings):
    app = oauth.app(jwt_access_tokens=True)
    tokens = oauth.tokens(app, scope=SCOPE)

    header = jwt.get_unverified_header(tokens["access_token"])
    keys = client.get("/id/keys").json()["keys"]
    key = jwt.PyJWK(next(k for k in keys if k["kid"] == header["kid"])).key
    claims = jwt.decode(
        tokens["access_token"],
        key,
        algorithms=["RS256"],
        audience=settings.HANDSHAKE_BASE_URL,
        issuer=settings.HANDSHAKE_BASE_URL,
        options={"require": ["aud", "exp", "jti", "iat", "sub"]},
    )
    assert header["typ"] == "at+jwt"
    assert claims["client_id"] == app.client_id
    assert oauth.introspect(app, tokens["access_token"])["active"] is True

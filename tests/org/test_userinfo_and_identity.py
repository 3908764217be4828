from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from org.models import AccessToken
from tests.org.conftest import GRACE, REVOKE, USERINFO


def _bearer(token: str, scheme: str = "Bearer") -> dict[str, str]:
    return {"Authorization": f"{scheme} {token}"}


def test_userinfo_returns_salesforce_claims(oauth):
    app = oauth.app()
    tokens = oauth.tokens(app, scope="api openid")

    response = oauth.client.get(USERINFO, headers=_bearer(tokens["access_token"]))

    body = response.json()
    assert response.status_code == 200
    assert body["sub"] == tokens["id"]
    assert body["preferred_username"] == "ada@handshake.example"
    assert body["email"] == "ada@handshake.example"
    assert body["name"] == "Ada Lovelace"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("scheme", ["bearer", "BEARER"])
def test_e5_the_bearer_scheme_is_case_insensitive(oauth, scheme):
    app = oauth.app()
    tokens = oauth.tokens(app, scope="api openid")

    response = oauth.client.get(USERINFO, headers=_bearer(tokens["access_token"], scheme))

    assert response.status_code == 200


def test_e5_no_token_is_401_with_a_bearer_challenge(client, org):
    response = client.get(USERINFO)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer realm=")


def test_e5_revoked_token_is_401_invalid_token(oauth):
    app = oauth.app()
    tokens = oauth.tokens(app, scope="api openid")
    oauth.post(
        REVOKE,
        {
            "token": tokens["access_token"],
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        },
    )

    response = oauth.client.get(USERINFO, headers=_bearer(tokens["access_token"]))

    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_e5_expired_token_is_401(oauth):
    app = oauth.app()
    tokens = oauth.tokens(app, scope="api openid")
    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = oauth.client.get(USERINFO, headers=_bearer(tokens["access_token"]))

    assert response.status_code == 401


@pytest.mark.parametrize("name", ["access_token", "oauth_token"])
def test_e5_a_token_in_the_query_string_is_refused(oauth, name):
    app = oauth.app()
    tokens = oauth.tokens(app, scope="api openid")

    userinfo = oauth.client.get(f"{USERINFO}?{name}={tokens['access_token']}")
    identity = oauth.client.get(f"{tokens['id']}?{name}={tokens['access_token']}")

    assert userinfo.status_code == 400
    assert identity.status_code == 400
    assert userinfo.json()["error"] == "invalid_request"


def test_e5_token_without_an_identity_scope_is_403(oauth):
    app = oauth.app()
    tokens = oauth.tokens(app, scope="api")

    response = oauth.client.get(USERINFO, headers=_bearer(tokens["access_token"]))

    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_identity_url_answers_for_the_tokens_own_user(oauth):
    app = oauth.app()
    tokens = oauth.tokens(app, scope="api openid")
    path = tokens["id"].split("127.0.0.1:8000", 1)[1]

    response = oauth.client.get(path, headers=_bearer(tokens["access_token"]))

    body = response.json()
    assert response.status_code == 200
    assert body["id"] == tokens["id"]
    assert body["username"] == "ada@handshake.example"
    assert body["user_id"] in tokens["id"]
    assert body["organization_id"] in tokens["id"]
    assert "{version}" in body["urls"]["rest"]


def test_identity_url_of_another_user_is_refused(oauth):
    app = oauth.app()
    ada = oauth.tokens(app, scope="api openid")
    oauth.client.post("/logout/")
    grace = oauth.tokens(app, scope="api openid", username=GRACE)
    grace_path = grace["id"].split("127.0.0.1:8000", 1)[1]

    response = oauth.client.get(grace_path, headers=_bearer(ada["access_token"]))

    assert response.status_code == 403

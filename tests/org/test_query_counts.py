"""Each endpoint's database statements, pinned at what its guarantees need: the app read once
(with the caller's lock-out at the token endpoint), single use and rotation as one conditional
UPDATE, and the new tokens written in the same transaction. Transaction control (BEGIN,
COMMIT, savepoints) is left out: the test itself runs inside a transaction."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.org.conftest import ADA, REVOKE, USERINFO, pkce_pair

_STATEMENT = re.compile(
    r'^(SELECT|INSERT INTO|UPDATE|DELETE FROM)\b.*?"(org_\w+|django_\w+|auth_\w+)"'
)


def _statements(queries) -> list[str]:
    """Each data statement as 'VERB table' (the first table it names)."""
    found = []
    for query in queries:
        sql = query["sql"]
        if sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            continue
        match = _STATEMENT.match(sql)
        assert match, sql
        found.append(f"{match[1].split()[0]} {match[2]}")
    return found


def _run(request):
    with CaptureQueriesContext(connection) as captured:
        response = request()
    return response, _statements(captured.captured_queries)


@pytest.fixture
def web_app(oauth):
    return oauth.app(
        grants=["authorization_code", "refresh_token"], scopes=["api", "refresh_token", "openid"]
    )


def test_client_credentials_reads_the_app_once_and_writes_the_token(oauth):
    app = oauth.app(grants=["client_credentials"], scopes=["api"], run_as=ADA)

    response, done = _run(lambda: oauth.token(app, grant_type="client_credentials"))

    assert response.status_code == 200
    assert done == ["SELECT org_connectedapp", "INSERT org_tokenfamily", "INSERT org_accesstoken"]


def test_code_redemption_spends_the_code_and_stores_its_tokens(oauth, web_app):
    verifier, challenge = pkce_pair()
    code = oauth.code(web_app, code_challenge=challenge, scope="api refresh_token openid")

    response, done = _run(lambda: oauth.redeem(web_app, code, code_verifier=verifier))

    assert response.status_code == 200
    assert "id_token" in response.json()
    assert done == [
        "SELECT org_connectedapp",
        "SELECT org_authorizationcode",
        "UPDATE org_authorizationcode",  # used_at, only where it is still unset
        "INSERT org_tokenfamily",
        "INSERT org_accesstoken",
        "INSERT org_refreshtoken",
        "SELECT org_tokenfamily",  # Salesforce's five refresh tokens per user and app
        "SELECT org_signingkey",  # the ID token's key, after the tokens are stored
    ]


def test_refresh_rotation_retires_the_token_and_stores_the_new_pair(oauth, web_app):
    body = oauth.tokens(web_app, scope="api refresh_token")

    response, done = _run(
        lambda: oauth.token(
            web_app, grant_type="refresh_token", refresh_token=body["refresh_token"]
        )
    )

    assert response.status_code == 200
    assert done == [
        "SELECT org_connectedapp",
        "SELECT org_refreshtoken",
        "UPDATE org_refreshtoken",  # rotated_at, only where it is still unset
        "INSERT org_accesstoken",
        "INSERT org_refreshtoken",
    ]


def test_authorize_for_an_approved_app_reads_the_app_once(oauth, web_app):
    oauth.tokens(web_app, scope="api")
    _, challenge = pkce_pair()

    response, done = _run(lambda: oauth.authorize(web_app, scope="api", code_challenge=challenge))

    assert response.status_code == 302
    assert done == [
        "SELECT org_connectedapp",
        "SELECT django_session",
        "SELECT org_orguser",
        "SELECT org_userapproval",
        "INSERT org_authorizationcode",
    ]


def test_introspection_reads_the_caller_and_the_token(oauth, web_app):
    body = oauth.tokens(web_app, scope="api")

    _, done = _run(lambda: oauth.introspect(web_app, body["access_token"]))

    assert done == ["SELECT org_connectedapp", "SELECT org_accesstoken"]


def test_userinfo_reads_the_token_with_its_user_at_once(oauth, web_app, client):
    body = oauth.tokens(web_app, scope="api openid")

    response, done = _run(
        lambda: client.get(USERINFO, headers={"Authorization": "Bearer " + body["access_token"]})
    )

    assert response.status_code == 200
    assert done == ["SELECT org_accesstoken"]


@pytest.mark.parametrize("kind", ["access_token", "refresh_token"])
def test_revocation_is_one_conditional_update_per_kind_of_token(oauth, web_app, kind):
    body = oauth.tokens(web_app, scope="api refresh_token")
    form = {"token": body[kind], "client_id": web_app.client_id}

    response, done = _run(lambda: oauth.post(REVOKE, form))

    assert response.status_code == 200
    assert oauth.introspect(web_app, body["access_token"]) == {"active": False}
    expected = ["SELECT org_connectedapp", "UPDATE org_tokenfamily"]
    if kind == "access_token":
        expected.append("UPDATE org_accesstoken")
    assert done == expected

"""Each endpoint's database statements, pinned at what its guarantees need: the app read once
(with the caller's lock-out at the token endpoint), single use and rotation as one conditional
UPDATE, and the new tokens written in the same transaction. Transaction control (BEGIN,
COMMIT, savepoints) is left out: the test itself runs inside a transaction."""

from __future__ import annotations

import re
import time

import jwt
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from org.connected_apps import JWT_BEARER
from org.models import AccessToken, ConnectedApp
from tests.org.conftest import ADA, REVOKE, TOKEN, USERINFO, pkce_pair

API = "/services/data/v62.0/"
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


def test_jwt_bearer_reads_the_app_the_user_and_the_pre_authorization_once(
    oauth, app_keys, settings
):
    app = oauth.app(
        grants=[JWT_BEARER], scopes=["api"], cert_pem=app_keys.certificate_pem, pre_authorize=[ADA]
    )
    claims = {"iss": app.client_id, "sub": ADA, "aud": settings.HANDSHAKE_BASE_URL}
    claims["exp"] = int(time.time()) + 120
    assertion = jwt.encode(claims, app_keys.private_key, algorithm="RS256")

    response, done = _run(
        lambda: oauth.post(TOKEN, {"grant_type": JWT_BEARER, "assertion": assertion})
    )

    assert response.status_code == 200
    assert done == [
        "SELECT org_connectedapp",
        "SELECT org_orguser",  # the user the assertion names
        "SELECT org_orguser",  # admin pre-authorization, asked once
        "INSERT org_tokenfamily",
        "INSERT org_accesstoken",
    ]


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


def test_a_rest_query_reads_the_token_counts_the_call_and_reads_the_records(oauth, client):
    app = oauth.app(grants=["client_credentials"], scopes=["api"], run_as=ADA)
    access = oauth.token(app, grant_type="client_credentials").json()["access_token"]
    query = "/services/data/v62.0/query?q=SELECT+Id+FROM+Account+LIMIT+1"
    client.get(query, headers={"Authorization": "Bearer " + access})  # today's usage row

    response, done = _run(lambda: client.get(query, headers={"Authorization": "Bearer " + access}))

    assert response.status_code == 200
    assert done == [
        "SELECT org_accesstoken",  # with its family, app and user
        # One more of the day's requests, only under the limit, returning the count that
        # Sforce-Limit-Info shows.
        "UPDATE org_apiusage",
        "SELECT org_record",
    ]


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


def test_the_kept_statements_read_a_changed_app_and_a_revoked_token_fresh(oauth, client):
    app = oauth.app(grants=["client_credentials"], scopes=["api"], run_as=ADA)
    access = oauth.token(app, grant_type="client_credentials").json()["access_token"]
    bearer = {"Authorization": "Bearer " + access}
    assert client.get(API, headers=bearer).status_code == 200

    ConnectedApp.objects.filter(client_id=app.client_id).update(grants=["authorization_code"])
    AccessToken.objects.update(revoked_at=timezone.now())

    refused = oauth.token(app, grant_type="client_credentials")
    assert refused.status_code == 400
    assert refused.json()["error"] == "unauthorized_client"
    assert client.get(API, headers=bearer).status_code == 401

from __future__ import annotations

import pytest

from org.logins import MAX_FAILURES
from org.seed import DEMO_USERS
from tests.org.conftest import ADA, GRACE, PASSWORD

QUERY = "/services/data/v62.0/query?q=SELECT+Id,+Name+FROM+Account+LIMIT+2"


def test_client_credentials_issues_a_token_for_the_run_as_user(oauth, settings):
    app = oauth.app(grants=["client_credentials"], run_as=GRACE)

    response = oauth.token(app, grant_type="client_credentials")

    body = response.json()
    assert response.status_code == 200, body
    assert body["api_instance_url"] == settings.HANDSHAKE_BASE_URL
    assert "refresh_token" not in body
    assert "refresh_token" not in body["scope"].split()
    assert {"signature", "issued_at", "instance_url", "id"} <= set(body)
    assert oauth.introspect(app, body["access_token"])["username"] == GRACE
    api = oauth.client.get(QUERY, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert api.status_code == 200


def test_client_credentials_with_http_basic(oauth):
    app = oauth.app(grants=["client_credentials"], run_as=ADA)

    response = oauth.token(app, auth="basic", grant_type="client_credentials")

    assert response.status_code == 200


def test_client_credentials_without_a_run_as_user_fails_like_salesforce(oauth):
    app = oauth.app(grants=["client_credentials"])

    response = oauth.token(app, grant_type="client_credentials")

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "no client credentials user enabled",
    }


def test_client_credentials_run_as_user_must_be_admin_approved(oauth):
    app = oauth.app(grants=["client_credentials"], run_as=ADA, pre_authorize=[GRACE])

    response = oauth.token(app, grant_type="client_credentials")

    assert response.json() == {
        "error": "invalid_app_access",
        "error_description": "user is not admin approved to access this app",
    }


def test_d3_public_app_cannot_use_client_credentials(oauth):
    app = oauth.app(public=True)

    response = oauth.token(app, grant_type="client_credentials")

    assert response.status_code in {400, 401}
    assert response.json()["error"] in {"unauthorized_client", "invalid_client"}
    assert "access_token" not in response.json()


def test_username_password_flow_issues_a_token_without_refresh(oauth):
    app = oauth.app(grants=["password"], scopes=["api", "refresh_token"])

    response = oauth.token(app, grant_type="password", username=ADA, password=PASSWORD)

    body = response.json()
    assert response.status_code == 200, body
    assert "refresh_token" not in body
    assert oauth.introspect(app, body["access_token"])["username"] == ADA


def test_username_password_flow_accepts_the_security_token_appended(oauth):
    app = oauth.app(grants=["password"])
    token = DEMO_USERS[0].security_token

    response = oauth.token(app, grant_type="password", username=ADA, password=PASSWORD + token)

    assert response.status_code == 200


def test_d1_username_password_flow_is_refused_unless_the_app_enables_it(oauth):
    app = oauth.app()

    response = oauth.token(app, grant_type="password", username=ADA, password=PASSWORD)

    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"


def test_d1_org_that_blocks_the_flow_reports_an_authentication_failure(oauth, org):
    org.allow_username_password_flow = False
    org.save()
    app = oauth.app(grants=["password"])

    response = oauth.token(app, grant_type="password", username=ADA, password=PASSWORD)

    assert response.json()["error_description"] == "authentication failure"


@pytest.mark.parametrize("username", [ADA, "nobody@handshake.example"])
def test_d2_wrong_credentials_give_one_generic_answer(oauth, username):
    app = oauth.app(grants=["password"])

    response = oauth.token(app, grant_type="password", username=username, password="wrong")

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "authentication failure",
    }


def test_d2_repeated_failures_lock_that_username_only(oauth):
    app = oauth.app(grants=["password"])
    for _ in range(MAX_FAILURES):
        oauth.token(app, grant_type="password", username=ADA, password="wrong")

    locked = oauth.token(app, grant_type="password", username=ADA, password=PASSWORD)
    other = oauth.token(app, grant_type="password", username=GRACE, password=PASSWORD)

    assert locked.status_code == 400
    assert locked.json()["error_description"] == "authentication failure"
    assert other.status_code == 200


def test_jwt_access_tokens_work_on_the_rest_api(oauth):
    app = oauth.app(grants=["client_credentials"], run_as=ADA, jwt_access_tokens=True)
    token = oauth.token(app, grant_type="client_credentials").json()["access_token"]

    response = oauth.client.get(QUERY, headers={"Authorization": f"Bearer {token}"})

    assert token.count(".") == 2
    assert response.status_code == 200

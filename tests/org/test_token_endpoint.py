from __future__ import annotations

import base64
import json

import pytest

from tests.org.conftest import CALLBACK, TOKEN


def _basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def test_b8_wrong_secret_over_basic_is_401_with_www_authenticate(oauth):
    app = oauth.app()

    response = oauth.post(
        TOKEN, {"grant_type": "client_credentials"}, headers=_basic(app.client_id, "wrong")
    )

    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "invalid client credentials",
    }
    assert response.headers["WWW-Authenticate"].startswith("Basic ")


def test_b8_confidential_app_without_client_authentication_is_401(oauth):
    app = oauth.app()
    code = oauth.code(app, scope="api")

    response = oauth.post(
        TOKEN,
        {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app.client_id,
            "redirect_uri": CALLBACK,
        },
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_unknown_consumer_key_is_salesforces_invalid_client_id(oauth):
    response = oauth.post(
        TOKEN, {"grant_type": "client_credentials", "client_id": "3MVG9nope", "client_secret": "x"}
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_client_id",
        "error_description": "client identifier invalid",
    }


def test_b9_two_client_authentication_methods_at_once_are_refused(oauth):
    app = oauth.app()

    response = oauth.post(
        TOKEN,
        {"grant_type": "client_credentials", "client_secret": app.client_secret},
        headers=_basic(app.client_id, app.client_secret),
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_b9_secret_in_the_query_string_is_refused(oauth):
    app = oauth.app()

    response = oauth.client.post(
        f"{TOKEN}?client_secret={app.client_secret}",
        f"grant_type=client_credentials&client_id={app.client_id}",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_b11_get_on_the_token_endpoint_is_405_json(client, org):
    response = client.get(TOKEN + "?grant_type=client_credentials")

    assert response.status_code == 405
    assert response.json()["error"] == "invalid_request"
    assert response.headers["Allow"] == "POST"


def test_b11_json_body_is_refused(oauth):
    app = oauth.app()

    response = oauth.client.post(
        TOKEN,
        json.dumps({"grant_type": "client_credentials", "client_id": app.client_id}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("grant_type", ["", "magic", "urn:ietf:params:oauth:grant-type:unknown"])
def test_b11_unsupported_grant_type(oauth, grant_type):
    app = oauth.app()

    response = oauth.token(app, grant_type=grant_type)

    assert response.status_code == 400
    assert response.json() == {
        "error": "unsupported_grant_type",
        "error_description": "grant type not supported",
    }


def test_b11_grant_the_app_has_not_enabled_is_unauthorized_client(oauth):
    app = oauth.app(run_as="ada@handshake.example")

    response = oauth.token(app, grant_type="client_credentials")

    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"


@pytest.mark.parametrize(
    "form",
    [
        {"grant_type": "authorization_code", "code": "abc\x00def"},
        {"grant_type": "authorization_code", "code": "x" * (1024 * 1024)},
        {"grant_type": "password", "username": "ada\x00", "password": "p"},
        {"grant_type": "authorization_code", "client_id": "\x00"},
    ],
)
def test_b12_nul_bytes_and_huge_values_are_400_never_500(oauth, form):
    response = oauth.post(TOKEN, form)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_b12_invalid_utf8_is_a_clean_error(oauth):
    response = oauth.client.post(
        TOKEN,
        b"grant_type=authorization_code&code=%ff%fe&client_id=%c3%28",
        content_type="application/x-www-form-urlencoded",
    )

    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_b12_too_many_fields_is_a_clean_error(oauth):
    body = "&".join(f"f{n}=v" for n in range(1500))

    response = oauth.client.post(TOKEN, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_b12_repeated_parameter_is_invalid_request(oauth):
    app = oauth.app()

    response = oauth.client.post(
        TOKEN,
        f"grant_type=client_credentials&client_id={app.client_id}&client_id={app.client_id}",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_b12_malformed_basic_header_is_invalid_client(oauth):
    response = oauth.post(
        TOKEN, {"grant_type": "client_credentials"}, headers={"Authorization": "Basic //79/w=="}
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_b13_token_responses_are_never_cached(oauth):
    app = oauth.app()
    code = oauth.code(app, scope="api")

    success = oauth.redeem(app, code)
    failure = oauth.redeem(app, code)

    for response in (success, failure):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Pragma"] == "no-cache"
        assert response.headers["Content-Type"] == "application/json"
    assert success.json()["token_type"] == "Bearer"
    assert "expires_in" in success.json()
    assert "Traceback" not in failure.content.decode()

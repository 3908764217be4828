"""Catalogue group I, the org's side: form charsets (I2), startURL (I7), port 0 (I9)."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest
from django.test import Client

from tests.org.conftest import ADA, AUTHORIZE, PASSWORD

# One path per kind of POST the site takes: OAuth endpoints, the REST API, org pages,
# playground pages and the advisor.
OAUTH_POSTS = [
    "/services/oauth2/token",
    "/services/oauth2/authorize",
    "/services/oauth2/device/authorize",
    "/services/oauth2/revoke",
    "/services/oauth2/introspect",
]
PAGE_POSTS = [
    "/login/",
    "/logout/",
    "/setup/",
    "/setup/connect",
    "/playground/servers/",
    "/playground/inspect/",
    "/playground/flows/web-server/runs/",
    "/advisor/",
]
CHARSETS = ["latin-1", "us-ascii", "utf-16", "ISO-8859-1"]


def _post(client: Client, path: str, charset: str):
    return client.post(
        path,
        "grant_type=password&username=caf%E9",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )


@pytest.fixture(params=[True, False], ids=["with-csrf-cookie", "without-cookie"])
def visitor(request, org):
    client = Client(enforce_csrf_checks=True)
    if request.param:
        client.cookies["csrftoken"] = "k" * 32
    return client


@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize("path", OAUTH_POSTS)
def test_i2_oauth_endpoints_answer_a_non_utf8_form_with_json_invalid_request(
    visitor, path, charset, caplog
):
    caplog.set_level(logging.INFO)

    response = _post(visitor, path, charset)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "invalid_request"
    assert charset in response.json()["error_description"]
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize("path", PAGE_POSTS)
def test_i2_pages_answer_a_non_utf8_form_with_a_400_page(visitor, path, charset, caplog):
    caplog.set_level(logging.INFO)

    response = _post(visitor, path, charset)

    assert response.status_code == 400
    assert b"Bad request" in response.content
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


def test_i2_the_rest_api_answers_a_non_utf8_form_in_salesforce_error_shape(visitor):
    response = _post(visitor, "/services/data/v62.0/sobjects/Account/", "latin-1")

    assert response.status_code == 415
    assert response.json()[0]["errorCode"] == "UNSUPPORTED_MEDIA_TYPE"


def test_i2_utf8_by_another_name_is_read_as_utf8(oauth):
    app = oauth.app(grants=["client_credentials"], run_as=ADA)

    response = Client().post(
        "/services/oauth2/token",
        urlencode({"grant_type": "client_credentials", "client_id": app.client_id})
        + "&client_secret="
        + app.client_secret,
        content_type="application/x-www-form-urlencoded; charset=UTF8",
    )

    assert response.status_code == 200, response.content
    assert "access_token" in json.loads(response.content)


# startURL (I7) ---------------------------------------------------------------------------


def _sign_in(client: Client, start_url: str):
    return client.post("/login/", {"username": ADA, "password": PASSWORD, "startURL": start_url})


@pytest.mark.parametrize("character", ["\r\n", "\r", "\n", "\x0b", "\x7f", "\u2028", " "])
def test_i7_a_start_url_with_line_breaks_or_controls_is_dropped_without_a_500(
    client, org, character
):
    start = f"{AUTHORIZE}?response_type=code{character}Set-Cookie: taken=1"

    response = _sign_in(client, start)
    page = client.get("/login/", {"startURL": start})

    assert response.status_code == 303
    assert response["Location"] == "/login/"
    assert "taken" not in response.cookies
    assert page.status_code == 200


@pytest.mark.parametrize(
    "start",
    [
        "/services/oauth2/authorize/../../playground/",
        "/services/oauth2/authorize/%2e%2e/%2E%2E/playground/",
        "/services/oauth2/authorize/..%2f..%2fplayground/",
        "/setup/connect/../../advisor/",
        "/setup/approvals/../apps/x/delete/",
        "//evil.example/services/oauth2/authorize",
        "/\\evil.example/services/oauth2/authorize",
        "https://evil.example/services/oauth2/authorize",
        "/services/oauth2/authorizeXYZ",
    ],
)
def test_i7_dot_segments_and_other_origins_never_lead_sign_in_off_the_allowed_pages(
    client, org, start
):
    response = _sign_in(client, start)

    assert response.status_code == 303
    assert response["Location"] == "/login/"


def test_i7_a_start_url_is_followed_with_its_dot_segments_resolved(client, org):
    response = _sign_in(client, "/services/oauth2/x/../authorize?response_type=code&state=s")

    assert response["Location"] == "/services/oauth2/authorize?response_type=code&state=s"


# Port 0 (I9) -----------------------------------------------------------------------------


def test_i9_a_loopback_redirect_uri_with_port_0_is_refused_at_authorize(oauth):
    app = oauth.app(redirect_uris=["http://127.0.0.1/cb"])
    oauth.sign_in()

    zero = oauth.authorize(app, redirect_uri="http://127.0.0.1:0/cb")
    padded = oauth.authorize(app, redirect_uri="http://127.0.0.1:000/cb")
    fine = oauth.authorize(app, redirect_uri="http://127.0.0.1:53122/cb", scope="api")

    for refused in (zero, padded):
        assert refused.status_code == 400
        assert "Location" not in refused.headers
        assert b"redirect_uri_mismatch" in refused.content
    assert fine.status_code == 200


def test_i9_a_callback_url_with_port_0_cannot_be_registered(client, org):
    from org.redirect_uris import redirect_uri_problem

    assert redirect_uri_problem("http://127.0.0.1:0/cb") == "A callback URL cannot use port 0."
    assert redirect_uri_problem("https://app.example:0/cb") == "A callback URL cannot use port 0."

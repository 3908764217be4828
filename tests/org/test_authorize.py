from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from org.connected_apps import update_connected_app
from org.models import UserApproval
from tests.org.conftest import ADA, AUTHORIZE, CALLBACK, GRACE, fragment_of, pkce_pair, query_of


def _assert_error_page(response, error: str):
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert error.encode() in response.content
    assert b"This sign-in cannot continue" in response.content


@pytest.mark.parametrize(
    "variant",
    [
        CALLBACK + "/",
        "HTTPS://client.example/cb",
        "https://CLIENT.example/cb",
        CALLBACK + "?x=1",
        "https://client.example/cb/../evil",
        "https://client.example/cb/%2E%2E/",
        "https://client.example/cb%252E%252E",
        "https://client.example@evil.test/cb",
        CALLBACK + "#frag",
        "javascript:alert(1)",
        "data:text/html,hi",
        "file:///etc/passwd",
        "/cb",
        "https://evil.test/cb",
    ],
)
def test_a1_unregistered_redirect_uri_variants_get_an_error_page(oauth, variant):
    app = oauth.app()
    oauth.sign_in()

    response = oauth.authorize(app, redirect_uri=variant, scope="api")

    _assert_error_page(response, "redirect_uri_mismatch")


def test_a1_changed_query_value_is_a_different_uri(oauth):
    app = oauth.app(redirect_uris=[CALLBACK + "?tenant=a"])

    response = oauth.authorize(app, redirect_uri=CALLBACK + "?tenant=b")

    _assert_error_page(response, "redirect_uri_mismatch")


@pytest.mark.parametrize("client_id", ["3MVG9unknown", "", "3MVG9\x00abc"])
def test_a2_unknown_missing_or_nul_client_id_gets_an_error_page(oauth, client_id):
    app = oauth.app()

    response = oauth.authorize(app, client_id=client_id)

    assert response.status_code == 400
    assert "Location" not in response.headers


def test_a2_unknown_client_uses_salesforces_code(oauth):
    app = oauth.app()

    response = oauth.authorize(app, client_id="3MVG9unknown")

    _assert_error_page(response, "invalid_client_id")


def test_a3_missing_redirect_uri_gets_an_error_page(oauth, client):
    app = oauth.app(redirect_uris=[CALLBACK, "https://client.example/two"])

    response = client.get(
        AUTHORIZE + "?" + urlencode({"response_type": "code", "client_id": app.client_id})
    )

    _assert_error_page(response, "redirect_uri_missing")


def test_a4_loopback_redirect_uri_may_change_port_only(oauth):
    app = oauth.app(redirect_uris=["http://127.0.0.1/cb"])
    oauth.sign_in()

    accepted = oauth.consent(app, redirect_uri="http://127.0.0.1:53122/cb", scope="api")
    other_path = oauth.authorize(app, redirect_uri="http://127.0.0.1:53122/cb2")
    other_host = oauth.authorize(app, redirect_uri="http://localhosts/cb")

    assert accepted.status_code == 303
    assert accepted.headers["Location"].startswith("http://127.0.0.1:53122/cb?code=")
    _assert_error_page(other_path, "redirect_uri_mismatch")
    _assert_error_page(other_host, "redirect_uri_mismatch")


def test_a6_bad_scope_is_redirected_only_after_sign_in(oauth, settings):
    app = oauth.app()

    before = oauth.authorize(app, scope="bogus", state="s-1")
    oauth.sign_in()
    after = oauth.authorize(app, scope="bogus", state="s-1")

    assert before.status_code == 302
    assert before.headers["Location"].startswith("/login/?startURL=")
    params = query_of(after.headers["Location"])
    assert after.headers["Location"].startswith(CALLBACK)
    assert params == {
        "error": "invalid_scope",
        "error_description": "the requested scope is not allowed",
        "state": "s-1",
        "iss": settings.HANDSHAKE_BASE_URL,
    }


@pytest.mark.parametrize(
    ("response_type", "error"),
    [
        (None, "invalid_request"),
        ("code token", "unsupported_response_type"),
        ('a"b', "unsupported_response_type"),
    ],
)
def test_a6_missing_or_unsupported_response_type_is_redirected(oauth, response_type, error):
    app = oauth.app()
    oauth.sign_in()
    params = {"client_id": app.client_id, "redirect_uri": CALLBACK, "state": "st"}
    if response_type:
        params["response_type"] = response_type

    response = oauth.client.get(AUTHORIZE + "?" + urlencode(params))

    assert response.status_code == 302
    assert query_of(response.headers["Location"])["error"] == error
    assert query_of(response.headers["Location"])["state"] == "st"


@pytest.mark.parametrize("name", ["client_id", "redirect_uri"])
def test_a7_duplicate_client_id_or_redirect_uri_gets_an_error_page(oauth, name):
    app = oauth.app()
    value = app.client_id if name == "client_id" else CALLBACK
    query = urlencode(
        [("response_type", "code"), ("client_id", app.client_id), ("redirect_uri", CALLBACK)]
        + [(name, value)]
    )

    response = oauth.client.get(f"{AUTHORIZE}?{query}")

    _assert_error_page(response, "invalid_request")


@pytest.mark.parametrize("name", ["state", "code_challenge", "scope"])
def test_a7_other_duplicate_parameters_are_redirected_as_invalid_request(oauth, name):
    app = oauth.app()
    oauth.sign_in()
    _, challenge = pkce_pair()
    value = challenge if name == "code_challenge" else "api"
    query = urlencode(
        [
            ("response_type", "code"),
            ("client_id", app.client_id),
            ("redirect_uri", CALLBACK),
            (name, value),
            (name, value),
        ]
    )

    response = oauth.client.get(f"{AUTHORIZE}?{query}")

    assert response.status_code == 302
    assert query_of(response.headers["Location"])["error"] == "invalid_request"


def test_a8_user_agent_flow_is_refused_unless_the_app_enables_it(oauth):
    app = oauth.app()
    oauth.sign_in()

    response = oauth.authorize(app, response_type="token", state="s")

    params = fragment_of(response.headers["Location"])
    assert params["error"] == "unauthorized_client"
    assert params["state"] == "s"


def test_a8_token_id_token_without_nonce_is_refused(oauth):
    app = oauth.app(grants=["implicit"], scopes=["api", "openid"])
    oauth.sign_in()

    response = oauth.authorize(app, response_type="token id_token", scope="openid")

    params = fragment_of(response.headers["Location"])
    assert params["error"] == "invalid_request"


def test_a9_prompt_none_without_a_session_is_login_required(oauth, settings):
    app = oauth.app()

    response = oauth.authorize(app, prompt="none", state="silent")

    assert response.status_code == 302
    assert query_of(response.headers["Location"]) == {
        "error": "login_required",
        "error_description": "the user must sign in",
        "state": "silent",
        "iss": settings.HANDSHAKE_BASE_URL,
    }


def test_prompt_none_without_an_approval_is_consent_required(oauth):
    app = oauth.app()
    oauth.sign_in()

    response = oauth.authorize(app, prompt="none")

    assert query_of(response.headers["Location"])["error"] == "consent_required"


def test_immediate_true_without_a_session_is_immediate_unsuccessful(oauth):
    app = oauth.app()

    response = oauth.authorize(app, immediate="true")

    assert query_of(response.headers["Location"])["error"] == "immediate_unsuccessful"


def test_prompt_none_with_session_and_approval_issues_a_code_silently(oauth):
    app = oauth.app()
    oauth.code(app, scope="api")

    response = oauth.authorize(app, scope="api", prompt="none")

    assert "code" in query_of(response.headers["Location"])


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"code_challenge_method": "plain", "code_challenge": "a" * 43},
        {"code_challenge_method": "S512", "code_challenge": "a" * 43},
        {"code_challenge_method": "S256", "code_challenge": "a" * 42},
        {"code_challenge_method": "S256", "code_challenge": "a" * 129},
        {"code_challenge_method": "S256", "code_challenge": "a" * 42 + "="},
        {"code_challenge_method": "S256"},
    ],
)
def test_a10_public_app_needs_an_s256_challenge(oauth, params):
    app = oauth.app(public=True)
    oauth.sign_in()

    response = oauth.authorize(app, state="p", **params)

    assert response.status_code == 302
    assert query_of(response.headers["Location"])["error"] == "invalid_request"


def test_a10_missing_challenge_when_the_app_requires_pkce_is_refused_up_front(oauth):
    app = oauth.app(require_pkce=True)
    oauth.sign_in()

    response = oauth.authorize(app)

    assert query_of(response.headers["Location"])["error_description"] == (
        "missing required code challenge"
    )


def test_a11_consent_post_without_csrf_token_is_refused(oauth, org):
    app = oauth.app()
    browser = Client(enforce_csrf_checks=True)
    browser.get("/login/")
    browser.post(
        "/login/",
        {
            "username": ADA,
            "password": "handshake-demo",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"].value,
        },
    )
    query = urlencode(
        {"response_type": "code", "client_id": app.client_id, "redirect_uri": CALLBACK}
    )

    response = browser.post(f"{AUTHORIZE}?{query}", {"decision": "allow"})

    assert response.status_code == 403
    assert "Location" not in response.headers
    assert not UserApproval.objects.exists()


def test_a11_login_post_without_csrf_token_is_refused(org):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post("/login/", {"username": ADA, "password": "handshake-demo"})

    assert response.status_code == 403


def test_a13_redirects_after_post_are_303_never_307(oauth):
    app = oauth.app()

    signed_in = oauth.client.post(
        "/login/?" + urlencode({"startURL": AUTHORIZE}),
        {"username": ADA, "password": "handshake-demo"},
    )
    consented = oauth.consent(app)

    assert signed_in.status_code == 303
    assert consented.status_code == 303


def test_a15_authorization_endpoint_sends_no_cors_headers(oauth):
    app = oauth.app()
    query = urlencode(
        {"response_type": "code", "client_id": app.client_id, "redirect_uri": CALLBACK}
    )

    preflight = oauth.client.options(
        f"{AUTHORIZE}?{query}",
        headers={"Origin": "https://evil.test", "Access-Control-Request-Method": "GET"},
    )
    get = oauth.client.get(f"{AUTHORIZE}?{query}", headers={"Origin": "https://evil.test"})

    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert "Access-Control-Allow-Origin" not in get.headers


@pytest.mark.parametrize(
    "start_url",
    ["https://evil.test/", "//evil.test", "/\\evil.test", "/setup/", "javascript:alert(1)"],
)
def test_a16_login_never_redirects_off_the_authorization_endpoint(oauth, start_url):
    response = oauth.client.post(
        "/login/?" + urlencode({"startURL": start_url}),
        {"username": ADA, "password": "handshake-demo", "startURL": start_url},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/login/"


@pytest.mark.parametrize("state", ["s" * 4096, "x y/+?&=%é", "🙂"])
def test_a17_state_is_echoed_byte_for_byte(oauth, state):
    app = oauth.app()
    oauth.sign_in()

    response = oauth.consent(app, scope="api", state=state, nonce="n" * 384)

    assert query_of(response.headers["Location"])["state"] == state


def test_deny_sends_access_denied_back_with_state(oauth):
    app = oauth.app()
    oauth.sign_in()

    response = oauth.consent(app, decision="deny", state="d-1")

    assert response.status_code == 303
    params = query_of(response.headers["Location"])
    assert params["error"] == "access_denied"
    assert params["error_description"] == "end-user denied authorization"
    assert params["state"] == "d-1"
    assert "code" not in params


def test_consent_page_lists_scopes_in_plain_words_with_allow_and_deny(oauth):
    app = oauth.app(name="Expense Tracker")
    oauth.sign_in()

    response = oauth.authorize(app, scope="api refresh_token")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Expense Tracker" in page
    assert "Read and change your records through the REST API" in page
    assert ">Allow</button>" in page
    assert ">Deny</button>" in page


def test_admin_approved_app_refuses_a_user_who_is_not_pre_authorized(oauth):
    app = oauth.app(pre_authorize=[GRACE])
    oauth.sign_in(ADA)

    response = oauth.authorize(app, state="a")

    params = query_of(response.headers["Location"])
    assert params["error"] == "OAUTH_APP_ACCESS_DENIED"
    assert params["error_description"] == "user is not admin approved to access this app"


def test_admin_approved_app_skips_the_approval_page_for_a_pre_authorized_user(oauth):
    app = oauth.app(pre_authorize=[ADA])
    oauth.sign_in(ADA)

    response = oauth.authorize(app, scope="api")

    assert response.status_code == 302
    assert "code" in query_of(response.headers["Location"])


def test_prompt_login_asks_for_the_password_again(oauth):
    app = oauth.app()
    oauth.code(app, scope="api")

    forced = oauth.authorize(app, scope="api", prompt="login")
    login_page = oauth.client.get(forced.headers["Location"])
    oauth.client.post(forced.headers["Location"], {"username": ADA, "password": "handshake-demo"})
    after = oauth.authorize(app, scope="api", prompt="login")

    assert forced.headers["Location"].startswith("/login/?startURL=")
    assert b"Continue as" not in login_page.content
    assert "code" in query_of(after.headers["Location"])


def test_prompt_select_account_offers_to_continue_as_the_signed_in_user(oauth):
    app = oauth.app()
    oauth.code(app, scope="api")

    chooser = oauth.authorize(app, scope="api", prompt="select_account")
    page = oauth.client.get(chooser.headers["Location"])
    start_url = query_of(chooser.headers["Location"])["startURL"]
    continued = oauth.client.post("/login/", {"action": "continue", "startURL": start_url})
    after = oauth.client.get(continued.headers["Location"])

    assert b"Continue as Ada" in page.content
    assert "code" in query_of(after.headers["Location"])


def test_login_hint_fills_in_the_username(oauth):
    app = oauth.app()

    response = oauth.authorize(app, login_hint=GRACE)
    page = oauth.client.get(response.headers["Location"])

    assert f'value="{GRACE}"'.encode() in page.content


def test_display_touch_uses_the_touch_layout(oauth):
    app = oauth.app()
    oauth.sign_in()

    response = oauth.authorize(app, display="touch")

    assert b"org-frame--touch" in response.content


def test_user_agent_flow_returns_tokens_in_the_fragment(oauth, settings):
    app = oauth.app(grants=["implicit"], scopes=["api", "openid", "refresh_token"])
    oauth.sign_in()

    response = oauth.consent(
        app, response_type="token id_token", scope="api openid", state="ua", nonce="n-ua"
    )

    location = response.headers["Location"]
    assert "?" not in location.split("#")[0]
    params = fragment_of(location)
    assert params["token_type"] == "Bearer"
    assert params["state"] == "ua"
    assert params["iss"] == settings.HANDSHAKE_BASE_URL
    assert {"access_token", "instance_url", "id", "issued_at", "signature", "id_token"} <= set(
        params
    )
    # RFC 6749 §4.2.2: never a refresh token from the authorization endpoint.
    assert "refresh_token" not in params


def test_user_agent_flow_is_off_when_the_org_blocks_it(oauth, org):
    org.allow_user_agent_flow = False
    org.save()
    app = oauth.app(grants=["implicit"])
    oauth.sign_in()

    response = oauth.authorize(app, response_type="token")

    assert fragment_of(response.headers["Location"])["error"] == "unauthorized_client"


def test_changed_scopes_ask_for_approval_again(oauth):
    app = oauth.app()
    oauth.code(app, scope="api")
    update_connected_app(app.client_id, owner="tests", scopes=["api", "openid", "refresh_token"])

    response = oauth.authorize(app, scope="api openid")

    assert response.status_code == 200
    assert b"Allow access?" in response.content

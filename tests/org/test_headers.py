from __future__ import annotations

import pytest

from org.connected_apps import DEVICE_CODE
from tests.org.conftest import AUTHORIZE, DEVICE_AUTHORIZE

BROWSER_PAGES = ["login", "consent", "error", "setup", "device", "device-confirm"]


@pytest.fixture
def page(oauth):
    def fetch(name):
        if name == "login":
            return oauth.client.get("/login/")
        if name == "setup":
            return oauth.client.get("/setup/")
        if name.startswith("device"):
            app = oauth.app(grants=[DEVICE_CODE])
            started = oauth.post(DEVICE_AUTHORIZE, {"client_id": app.client_id}).json()
            oauth.sign_in()
            return oauth.device_page(started["user_code"] if name == "device-confirm" else None)
        app = oauth.app()
        if name == "error":
            return oauth.authorize(app, redirect_uri="https://evil.test/cb")
        oauth.sign_in()
        return oauth.authorize(app)

    return fetch


@pytest.mark.parametrize("name", BROWSER_PAGES)
def test_a12_g2_org_pages_forbid_framing_and_carry_security_headers(page, name):
    response = page(name)

    assert response.status_code in {200, 400}
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "script-src 'self' 'nonce-" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Pages with forms send same-origin (a no-referrer page's POST carries Origin: null,
    # which fails CSRF); either way nothing reaches another origin.
    expected = "no-referrer" if name == "error" else "same-origin"
    assert response.headers["Referrer-Policy"] == expected
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("name", BROWSER_PAGES)
def test_a14_org_pages_load_nothing_from_another_origin(page, name):
    html = page(name).content.decode()

    assert "style=" not in html
    for marker in ('src="http', 'href="http', 'src="//', 'href="//'):
        assert marker not in html


def test_authorize_redirects_are_never_cached(oauth):
    app = oauth.app()

    response = oauth.authorize(app)

    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Location"].startswith("/login/")
    assert AUTHORIZE in response.headers["Location"].replace("%2F", "/")

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import Page, expect

from playground.org.connected_apps import create_connected_app
from playground.org.seed import seed_org


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_person_signs_in_approves_and_lands_on_the_callback_with_a_code(
    live_server, page: Page, settings
):
    seed_org()
    callback = live_server.url + "/playground/"
    app = create_connected_app(name="Browser Test App", redirect_uris=[callback])
    query = urlencode(
        {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": callback,
            "scope": "api refresh_token",
            "state": "browser-state",
        }
    )

    page.goto(f"{live_server.url}/services/oauth2/authorize?{query}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_text("Browser Test App")).to_be_visible()
    page.get_by_label("Username").fill("ada@handshake.example")
    page.get_by_label("Password").fill("handshake-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Allow access?")
    page.get_by_role("button", name="Allow", exact=True).click()
    page.wait_for_url(callback + "?*")

    landed = urlsplit(page.url)
    params = parse_qs(landed.query)
    assert f"{landed.scheme}://{landed.netloc}{landed.path}" == callback
    assert params["code"][0].startswith("aPrx")
    assert params["state"] == ["browser-state"]
    assert params["iss"] == [settings.HANDSHAKE_BASE_URL]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_bad_redirect_uri_stays_on_the_error_page(live_server, page: Page):
    seed_org()
    app = create_connected_app(name="Strict", redirect_uris=["https://client.example/cb"])
    query = urlencode(
        {"response_type": "code", "client_id": app.client_id, "redirect_uri": "https://evil.test/"}
    )

    page.goto(f"{live_server.url}/services/oauth2/authorize?{query}")

    expect(page.get_by_role("heading", level=1)).to_have_text("This sign-in cannot continue")
    assert page.url.startswith(live_server.url)

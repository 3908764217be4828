from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

from org.connected_apps import DEVICE_CODE, create_connected_app
from org.seed import seed_org


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
    page.get_by_role("button", name="Sign in", exact=True).click()
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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_device_flow_person_allows_on_setup_connect_and_the_device_gets_tokens(
    live_server, page: Page, settings
):
    settings.HANDSHAKE_BASE_URL = live_server.url
    seed_org()
    app = create_connected_app(
        name="Living Room TV",
        grants=[DEVICE_CODE, "refresh_token"],
        scopes=["api", "refresh_token"],
    )
    token_url = live_server.url + "/services/oauth2/token"
    started = httpx.post(
        live_server.url + "/services/oauth2/device/authorize",
        data={"client_id": app.client_id, "scope": "api refresh_token"},
    ).json()
    poll = {"grant_type": DEVICE_CODE, "device_code": started["device_code"]}
    poll["client_id"] = app.client_id
    pending = httpx.post(token_url, data=poll)

    page.goto(started["verification_uri_complete"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_text("to connect a device to your account")).to_be_visible()
    page.get_by_label("Username").fill("ada@handshake.example")
    page.get_by_label("Password").fill("handshake-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connect this device?")
    expect(page.get_by_text(started["user_code"], exact=True)).to_be_visible()
    expect(page.get_by_text("Living Room TV")).to_be_visible()
    page.get_by_role("button", name="Allow", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Device connected")
    tokens = httpx.post(token_url, data=poll)

    assert pending.status_code == 400
    assert pending.json()["error"] == "authorization_pending"
    assert tokens.status_code == 200, tokens.text
    assert tokens.json()["access_token"].startswith("00D")
    assert "refresh_token" in tokens.json()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_device_page_takes_a_typed_code_in_lower_case_without_the_dash(
    live_server, page: Page, settings
):
    settings.HANDSHAKE_BASE_URL = live_server.url
    seed_org()
    app = create_connected_app(name="Printer", grants=[DEVICE_CODE], scopes=["api"])
    started = httpx.post(
        live_server.url + "/services/oauth2/token",
        data={"response_type": "device_code", "client_id": app.client_id, "scope": "api"},
    ).json()

    page.goto(started["verification_uri"])
    page.get_by_label("Username").fill("grace@handshake.example")
    page.get_by_label("Password").fill("handshake-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connect a device")
    page.get_by_label("Code from your device").fill(started["user_code"].replace("-", "").lower())
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Deny", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Device refused")
    poll = httpx.post(
        live_server.url + "/services/oauth2/token",
        data={"grant_type": "device", "client_id": app.client_id, "code": started["device_code"]},
    )
    assert poll.json()["error"] == "access_denied"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_g6_person_reviews_approved_apps_and_revokes_one(
    live_server, page: Page, settings, tmp_path, scheme
):
    settings.HANDSHAKE_BASE_URL = live_server.url
    seed_org()
    callback = live_server.url + "/playground/"
    app = create_connected_app(name="Expense Tracker", redirect_uris=[callback])
    page.emulate_media(color_scheme=scheme)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": callback,
            "scope": "api refresh_token",
        }
    )
    page.goto(f"{live_server.url}/services/oauth2/authorize?{query}")
    page.get_by_label("Username").fill("ada@handshake.example")
    page.get_by_label("Password").fill("handshake-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("button", name="Allow", exact=True).click()
    page.wait_for_url(callback + "?*")
    code = parse_qs(urlsplit(page.url).query)["code"][0]
    credentials = {"client_id": app.client_id, "client_secret": app.client_secret}
    tokens = httpx.post(
        live_server.url + "/services/oauth2/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": callback}
        | credentials,
    ).json()

    page.goto(live_server.url + "/setup/")
    page.get_by_role("link", name="Apps with access to your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Apps with access to your account")
    expect(page.get_by_role("heading", level=2, name="Expense Tracker")).to_be_visible()
    expect(page.get_by_text("Read and change your records through the REST API")).to_be_visible()
    page.screenshot(path=tmp_path / f"approvals-{scheme}.png", full_page=True)
    page.get_by_role("link", name="Revoke Expense Tracker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revoke Expense Tracker?")
    page.screenshot(path=tmp_path / f"revoke-{scheme}.png", full_page=True)
    page.get_by_role("button", name="Revoke access").click()

    expect(page.get_by_role("status")).to_contain_text("Expense Tracker no longer has access")
    expect(page.get_by_role("heading", name="Expense Tracker")).to_have_count(0)
    introspected = httpx.post(
        live_server.url + "/services/oauth2/introspect",
        data={"token": tokens["refresh_token"]} | credentials,
    ).json()
    assert introspected == {"active": False}

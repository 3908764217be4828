from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from playground.run_context import callback_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOOPBACK = {"127.0.0.1", "localhost"}


def _loopback_only(page: Page) -> list[str]:
    """Abort, before any packet leaves, every request not bound for this machine (the
    provider's built-in pages load a web font from the internet)."""
    blocked: list[str] = []

    def route(request: Route) -> None:
        host = urlsplit(request.request.url).hostname or ""
        if host in LOOPBACK:
            request.continue_()
        else:
            blocked.append(request.request.url)
            request.abort()

    page.route("**/*", route)
    return blocked


def test_web_server_flow_against_an_independent_provider_in_a_browser(
    live_server, settings, oidc_provider, page: Page
):
    settings.HANDSHAKE_BASE_URL = live_server.url
    provider = oidc_provider(callback_url(live_server.url))
    _loopback_only(page)
    site = live_server.url

    page.goto(site + "/playground/")
    page.get_by_role("link", name="Point the playground at a server").click()
    expect(page.locator(".callback-url")).to_have_text(site + "/playground/callback/")
    page.get_by_label("Issuer URL").fill(provider.issuer)
    page.get_by_label("Client ID").fill(provider.client_id)
    page.get_by_label("Client secret").fill(provider.client_secret)
    page.get_by_role("button", name="Read its discovery document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(provider.issuer)
    page.get_by_role("button", name="Start a run of the Web server flow with PKCE").click()

    page.locator("#step-discover").get_by_role("button", name="Send it").click()
    expect(page.locator("#step-discover .step__headline")).to_contain_text("described itself")
    page.locator("#step-authorize").get_by_role("button", name="Prepare the request").click()
    page.get_by_role("link", name="Go to the provider's sign-in page").click()

    expect(page).to_have_url(re.compile(re.escape(provider.issuer) + "/interaction/"))
    page.locator("input[name=login]").fill("grace")
    page.locator("input[name=password]").fill("any password works here")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("#step-callback .step__headline")).to_contain_text("authorization code")
    page.locator("#step-token").get_by_role("button", name="Send it").click()
    token = page.locator("#step-token")
    expect(token.locator(".step__headline").first).to_contain_text("id_token")
    expect(token.locator(".jwt .verdict--ok")).to_contain_text("Signature verified")
    page.locator("#step-userinfo").get_by_role("button", name="Send it").click()
    expect(page.locator("#step-userinfo .step__headline").first).to_contain_text("grace")
    expect(page.locator("body")).not_to_contain_text(provider.client_secret)

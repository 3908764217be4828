"""In a browser: Deny on the consent page is shown as a refusal, and Try again recovers."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.playground.conftest import watch_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in_and_choose(page: Page, decision: str) -> None:
    if page.get_by_label("Password").count():
        page.get_by_label("Username").fill("ada@handshake.example")
        page.get_by_label("Password").fill("handshake-demo")
        page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("button", name=decision).click()


def test_deny_is_explained_as_a_refusal_and_try_again_reaches_a_code(site, page: Page):
    problems = watch_page(page, site)
    page.goto(site + "/playground/flows/web-server/")
    page.get_by_role("button", name="Start a run").click()
    page.locator("#step-authorize").get_by_role("button").click()
    page.get_by_role("link", name="Go to the org's sign-in page").click()
    _sign_in_and_choose(page, "Deny")

    callback = page.locator("#step-callback")
    expect(callback.locator(".step__headline")).to_contain_text("You chose Deny")
    expect(callback.locator(".lanes")).to_contain_text("error=access_denied")
    expect(callback.locator(".lanes")).not_to_contain_text("with code")
    expect(callback.locator(".note").first).to_contain_text("Nothing was issued")
    callback.get_by_role("button", name="Try again").click()
    page.get_by_role("link", name="Go to the org's sign-in page").click()
    _sign_in_and_choose(page, "Allow")

    expect(page.locator("#step-callback .step__headline")).to_contain_text("authorization code")
    page.locator("#step-token").get_by_role("button").click()
    expect(page.locator("#step-token .step__headline")).to_contain_text("answered 200")
    assert problems == []

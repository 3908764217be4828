from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.playground.conftest import watch_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A poll goes every 5 seconds at first and 10 after a slow_down: room for two of them.
POLL_WAIT_MS = 30_000


def test_device_flow_is_approved_in_a_second_page_while_the_first_polls(site, page: Page, browser):
    problems = watch_page(page, site)
    page.goto(site + "/playground/")
    page.get_by_role("link", name="Device flow", exact=True).click()
    page.get_by_role("button", name="Start a run").click()
    page.locator("#step-device-authorization").get_by_role("button").click()

    poll = page.locator("#step-device-poll")
    code = poll.locator(".device-code__code")
    expect(code).to_have_text(re.compile(r"^[A-Z]{4}-[A-Z]{4}$"))
    link = poll.get_by_role("link", name="the verification page")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
    expect(poll.locator("svg.qr__image")).to_be_visible()
    expect(poll.locator(".poll-progress")).to_be_visible()
    # The page starts polling by itself.
    expect(poll.locator(".poll-log__item").first).to_contain_text(
        "authorization_pending", timeout=POLL_WAIT_MS
    )
    # A poll the page sent by itself leaves the keyboard focus where it was.
    expect(page.locator("#step-device-authorization-title")).to_be_focused()
    # Poll now, at once after the last poll: too soon.
    poll.get_by_role("button", name="Poll now").click()
    expect(page.locator("#step-device-poll .step__headline")).to_contain_text("slow_down")
    expect(page.locator("#step-device-poll .poll-status__when")).to_contain_text("10 seconds")

    # A second page, as a phone would be: its own cookies, signed in at the org as Ada.
    phone_context = browser.new_context()
    phone = phone_context.new_page()
    phone.goto(link.get_attribute("href") or "")
    phone.get_by_label("Username").fill("ada@handshake.example")
    phone.get_by_label("Password").fill("handshake-demo")
    phone.get_by_role("button", name="Sign in", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Connect this device?")
    expect(phone.locator(".org-code")).to_have_text(code.inner_text())
    phone.get_by_role("button", name="Allow").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Device connected")
    phone_context.close()

    headline = page.locator("#step-device-poll .step__headline")
    expect(headline).to_contain_text("Approved", timeout=POLL_WAIT_MS)
    log = page.locator("#step-device-poll .poll-log__item")
    expect(log.last).to_contain_text("tokens")
    expect(log.first).to_contain_text("authorization_pending")
    expect(page.locator("#step-device-poll .jwt .verdict--ok").first).to_be_visible()
    page.locator("#step-call-api").get_by_role("button").click()
    expect(page.locator("#step-call-api .step__headline")).to_contain_text("Account records")
    assert problems == []


def test_without_javascript_the_poll_button_polls_once_per_press(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/playground/flows/device/")
    page.get_by_role("button", name="Start a run").click()
    page.locator("#step-device-authorization").get_by_role("button").click()

    page.locator("#step-device-poll").get_by_role("button", name="Poll now").click()

    expect(page.locator("#step-device-poll .poll-log__item")).to_have_count(1)
    expect(page.locator("#step-device-poll .step__headline")).to_contain_text(
        "authorization_pending"
    )
    expect(page.locator("#step-device-poll .poll-progress")).to_be_hidden()
    context.close()

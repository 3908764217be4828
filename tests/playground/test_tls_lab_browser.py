from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.playground.conftest import watch_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_watches_both_handshakes_and_breaks_one_with_the_keyboard(site, page: Page):
    problems = watch_page(page, site)
    page.goto(site + "/playground/")
    page.get_by_role("link", name="Open the handshake lab").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The handshake lab")
    page.get_by_role("button", name="Perform both handshakes").click()

    expect(page).to_have_url(re.compile(r"/playground/tls/runs/[\w-]{32}/$"))
    pair = page.locator(".tls-pair > .tls-handshake")
    expect(pair).to_have_count(2)
    expect(pair.nth(0)).to_contain_text("Handshake complete.")
    expect(pair.nth(1)).to_contain_text("Handshake complete.")
    expect(pair.nth(0).locator("summary", has_text="CertificateRequest")).to_have_count(0)

    # A message opens from the keyboard and shows what it carries.
    message = pair.nth(1).locator(".tls-message").filter(has_text="CertificateRequest")
    fields = message.locator(".tls-fields")
    expect(fields).to_be_hidden()
    message.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(fields).to_be_visible()
    expect(fields).to_contain_text("none named: any CA the server trusts")
    expect(pair.nth(1).locator(".tls-chain")).to_have_count(2)
    expect(pair.nth(1).locator(".tls-verdict").first).to_contain_text("they agree")

    fault = page.locator("#fault-no-client-certificate")
    fault.get_by_role("button", name="Try it").click()
    expect(page).to_have_url(re.compile(r"#fault-no-client-certificate$"))
    fault = page.locator("#fault-no-client-certificate")
    expect(fault).to_contain_text("Refused with the alert certificate_required (116).")
    expect(fault).to_contain_text("TLSV13_ALERT_CERTIFICATE_REQUIRED")
    expect(fault.locator(".tls-message--fatal")).to_contain_text("Alert")
    expect(fault.get_by_role("button", name="Try it again")).to_be_visible()

    page.get_by_role("link", name="Ask the advisor").click()
    expect(page).to_have_url(re.compile(r"/advisor/"))
    assert problems == []

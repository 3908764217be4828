from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.playground.conftest import watch_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_fault_chosen_next_to_the_button_is_refused_and_the_step_still_runs(site, page: Page):
    problems = watch_page(page, site)
    page.goto(site + "/playground/flows/client-credentials/")
    page.get_by_role("button", name="Start a run").click()
    token = page.locator("#step-token")

    token.get_by_label("How to send it").select_option(label="Wrong client secret")
    token.get_by_role("button", name="Send it").click()

    broken = page.locator("#step-token .breakage")
    expect(broken).to_contain_text("refused, as it should be")
    expect(broken).to_contain_text("401")
    expect(broken).to_contain_text("invalid_client")
    expect(broken.locator(".lesson")).to_contain_text("How to fix the client")
    expect(page.locator("#step-token-title")).to_be_focused()
    page.locator("#step-token").get_by_role("button", name="Send it").click()
    expect(page.locator("#step-token .step__headline").first).to_contain_text("answered 200")
    expect(page.locator("#step-token .breakage")).to_have_count(1)
    assert problems == []


def test_breaking_a_step_works_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/playground/flows/client-credentials/")
    page.get_by_role("button", name="Start a run").click()
    page.locator("#step-token").get_by_role("button").click()
    api = page.locator("#step-call-api")

    api.get_by_label("How to send it").select_option(value="token-in-url")
    api.get_by_role("button", name="Send it").click()

    broken = page.locator("#step-call-api .breakage")
    expect(broken).to_contain_text("INVALID_SESSION_ID")
    expect(broken).to_contain_text("access_token=")
    context.close()

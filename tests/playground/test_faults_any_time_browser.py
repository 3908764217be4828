"""In a browser: a fault fired on a step after it (and the steps after it) ran."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.playground.conftest import watch_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_fault_fired_after_its_step_ran_is_refused_and_the_run_goes_on(site, page: Page):
    problems = watch_page(page, site)
    page.goto(site + "/playground/flows/client-credentials/")
    page.get_by_role("button", name="Start a run").click()
    page.locator("#step-token").get_by_role("button", name="Send it").click()
    expect(page.locator("#step-token .step__headline").first).to_contain_text("answered 200")
    page.locator("#step-call-api").get_by_role("button", name="Send it").click()
    expect(page.locator("#step-call-api .step__headline").first).to_contain_text("Account records")
    token = page.locator("#step-token")

    token.get_by_label("Now break it").select_option(label="Wrong client secret")
    token.get_by_role("button", name="Break it").click()

    broken = page.locator("#step-token .breakage")
    expect(broken).to_contain_text("refused, as it should be")
    expect(broken).to_contain_text("invalid_client")
    expect(page.locator("#step-call-api .step__headline").first).to_contain_text("Account records")
    expect(page.locator("#step-introspect")).to_contain_text("next")
    assert problems == []

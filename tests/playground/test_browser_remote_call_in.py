from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.playground.conftest import watch_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEPS = ("create-record", "read-record", "update-record", "query-records", "delete-record")


def test_remote_call_in_as_a_person_would(site, page: Page):
    problems = watch_page(page, site)
    page.goto(site + "/playground/flows/remote-call-in/")
    page.get_by_role("button", name="Start a run").click()
    page.locator("#step-token").get_by_role("button", name="Send it").click()
    expect(page.locator("#step-token .step__headline")).to_contain_text("answered 200")

    create = page.locator("#step-create-record")
    create.get_by_label("How to send it").select_option(label="Leave out a required field")
    create.get_by_role("button", name="Send it").click()
    expect(create.locator(".breakage")).to_contain_text("REQUIRED_FIELD_MISSING")

    for slug in STEPS:
        page.locator(f"#step-{slug}").get_by_role("button", name="Send it").click()
        expect(page.locator(f"#step-{slug} .step__headline").first).to_be_visible()
    expect(page.locator("#step-create-record")).to_contain_text("your own practice data space")
    expect(page.locator("#step-query-records .step__headline").first).to_contain_text(
        "Industry = Energy"
    )
    expect(page.locator("#step-delete-record .step__headline").first).to_contain_text("204")
    page.locator("#step-read-deleted").get_by_role("button", name="Send it").click()
    expect(page.locator("#step-read-deleted .step__headline").first).to_contain_text(
        "ENTITY_IS_DELETED"
    )
    assert problems == []

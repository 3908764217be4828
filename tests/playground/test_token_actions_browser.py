"""In a browser: Copy and Open in the inspector beside a run's tokens, no secret in any URL."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.playground.conftest import watch_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_runs_access_token_opens_in_the_inspector_as_opaque(site, page: Page):
    problems = watch_page(page, site)
    page.goto(site + "/playground/flows/client-credentials/")
    page.get_by_role("button", name="Start a run").click()
    page.locator("#step-token").get_by_role("button", name="Send it").click()
    token = page.locator("#step-token .param", has_text="access_token").first
    expect(token.get_by_role("button", name="Copy")).to_be_visible()

    token.get_by_role("button", name="Open in the inspector").click()

    # The whole token reached the inspector, not the shortened one the table shows.
    pasted = page.locator("textarea[name=token]").input_value()
    assert "!" in pasted
    assert "…" not in pasted

    expect(page.locator(".verdict")).to_contain_text("Opaque: not a JWT")
    expect(page.locator(".jwt__reason")).to_contain_text("turns on JWT access tokens")
    assert "!" not in page.url
    assert "token=" not in page.url
    # The inspector answers a token it cannot decode with 400 (catalogue F7), which the
    # browser logs; nothing else may go wrong.
    assert [p for p in problems if "400 (Bad Request)" not in p] == []

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.playground.conftest import watch_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A 1280×720 projector with the browser zoomed to 150%: 853×480 CSS pixels, each drawn 1.5×.
PROJECTOR: dict[str, Any] = {"viewport": {"width": 853, "height": 480}, "device_scale_factor": 1.5}
PKCE_STEPS: tuple[str, ...] = ("discover", "authorize", "callback", "token", "userinfo", "call-api")
PKCE_STEPS += ("revoke-refresh-token", "call-api-again")


def _finish_pkce_run(page: Page, site: str) -> str:
    page.goto(site + "/playground/flows/web-server-pkce/")
    page.get_by_role("button", name="Start a run").click()
    page.locator("#step-discover").get_by_role("button").click()
    page.locator("#step-authorize").get_by_role("button").click()
    page.get_by_role("link", name="Go to the org's sign-in page").click()
    page.get_by_label("Username").fill("ada@handshake.example")
    page.get_by_label("Password").fill("handshake-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("button", name="Allow").click()
    for slug in PKCE_STEPS[3:]:
        page.locator(f"#step-{slug}").get_by_role("button").click()
        expect(page.locator(f"#step-{slug} .step__headline")).to_be_visible()
    return page.url.partition("#")[0]


def _height(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


def test_a_finished_pkce_run_in_presenter_view_fits_in_far_less_than_the_full_view(
    site, browser: Browser
):
    context = browser.new_context(**PROJECTOR)
    page = context.new_page()
    problems = watch_page(page, site)
    run_url = _finish_pkce_run(page, site)
    page.goto(run_url)
    full = _height(page)

    page.get_by_role("link", name=re.compile("^Presenter view")).click()

    expect(page.get_by_role("link", name="Full view")).to_be_visible()
    presented = _height(page)
    assert presented < 0.4 * full, (presented, full)
    folds = page.locator("details.step__fold")
    expect(folds).to_have_count(len(PKCE_STEPS))
    expect(page.locator("details.step__fold[open]")).to_have_count(0)
    token = page.locator("#step-token")
    expect(token.locator(".step__fold-line")).to_contain_text("id_token")
    expect(token.locator(".exchange").first).to_be_hidden()

    token.locator(".step__fold-line").click()

    expect(token.locator(".exchange").first).to_be_visible()
    headers = token.locator(".http__routine").first
    expect(headers.locator("summary")).to_have_text(re.compile(r"^\d+ more headers"))
    expect(headers.locator("pre")).to_be_hidden()
    headers.locator("summary").click()
    expect(headers.locator("pre")).to_contain_text("Content-Security-Policy")
    assert problems == []
    context.close()


def test_after_each_click_in_presenter_view_the_next_step_is_in_view(site, browser: Browser):
    context = browser.new_context(**PROJECTOR)
    page = context.new_page()
    page.goto(site + "/playground/flows/client-credentials/")
    page.get_by_role("button", name="Start a run").click()
    page.get_by_role("link", name=re.compile("^Presenter view")).click()

    for done, due in (("token", "call-api"), ("call-api", "introspect")):
        page.locator(f"#step-{done}").get_by_role("button", name=re.compile("^(?!Break)")).click()
        expect(page.locator(f"#step-{done} details.step__fold")).not_to_have_attribute(
            "open", re.compile(".*")
        )
        expect(page.locator(f"#step-{due}-title")).to_be_focused()
        expect(page.locator(f"#step-{due}").get_by_role("button").first).to_be_in_viewport()
        expect(page.locator(f"#step-{done} .step__fold-line")).to_be_in_viewport()
    context.close()


def test_the_presenter_view_moves_on_without_javascript_too(site, browser: Browser):
    context = browser.new_context(java_script_enabled=False, **PROJECTOR)
    page = context.new_page()
    page.goto(site + "/playground/flows/client-credentials/")
    page.get_by_role("button", name="Start a run").click()
    page.get_by_role("link", name=re.compile("^Presenter view")).click()

    page.locator("#step-token").get_by_role("button", name=re.compile("^(?!Break)")).click()

    expect(page).to_have_url(re.compile(r"\?view=presenter#step-call-api-title$"))
    expect(page.locator("#step-call-api").get_by_role("button").first).to_be_in_viewport()
    fold = page.locator("#step-token details.step__fold")
    fold.locator(".step__fold-line").click()
    expect(fold.locator(".exchange").first).to_be_visible()
    context.close()


def test_the_keyboard_reaches_and_opens_a_folded_step_with_a_visible_focus(site, browser: Browser):
    context = browser.new_context(**PROJECTOR)
    page = context.new_page()
    page.goto(site + "/playground/flows/client-credentials/")
    page.get_by_role("button", name="Start a run").click()
    page.get_by_role("link", name=re.compile("^Presenter view")).click()
    page.locator("#step-token").get_by_role("button", name=re.compile("^(?!Break)")).click()
    expect(page.locator("#step-call-api-title")).to_be_focused()

    page.keyboard.press("Shift+Tab")

    summary = page.locator("#step-token .step__fold-line")
    expect(summary).to_be_focused()
    outline = summary.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline not in {"none", ""}
    page.keyboard.press("Enter")
    expect(page.locator("#step-token details.step__fold")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_be_visible()
    context.close()

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.playground.conftest import watch_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in_and_allow(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("sign in|log in", re.I))
    page.get_by_label("Username").fill("ada@handshake.example")
    page.get_by_label("Password").fill("handshake-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("button", name="Allow").click()


def test_web_server_flow_with_pkce_as_a_person_would(site, page: Page):
    problems = watch_page(page, site)
    page.goto(site + "/playground/")
    page.get_by_role("link", name="Web server flow with PKCE").click()
    page.get_by_role("button", name="Start a run").click()

    page.locator("#step-discover").get_by_role("button").click()
    expect(page.locator("#step-discover .step__headline")).to_contain_text("described itself")
    page.locator("#step-authorize").get_by_role("button").click()
    expect(page.locator("#step-authorize")).to_contain_text("code_challenge")
    expect(page.locator("#step-authorize .pkce")).to_contain_text("SHA-256")
    page.get_by_role("link", name="Go to the org's sign-in page").click()
    _sign_in_and_allow(page)

    expect(page.locator("#step-callback .step__headline")).to_contain_text("authorization code")
    expect(page.locator("#step-callback")).to_contain_text("state")
    page.locator("#step-token").get_by_role("button").click()
    token_card = page.locator("#step-token")
    expect(token_card.locator(".step__headline")).to_contain_text("id_token")
    expect(token_card.locator(".jwt .verdict--ok")).to_contain_text("Signature verified")
    expect(token_card.locator(".jwt-part--header")).to_be_visible()
    expect(token_card).to_contain_text("Nonce")
    expect(page.locator("#step-token-title")).to_be_focused()
    page.locator("#step-userinfo").get_by_role("button").click()
    expect(page.locator("#step-userinfo .step__headline")).to_contain_text("ada@handshake.example")
    page.locator("#step-call-api").get_by_role("button").click()
    expect(page.locator("#step-call-api .step__headline")).to_contain_text("Account records")

    page.reload()
    expect(page.locator("#step-call-api .step__headline")).to_contain_text("Account records")
    assert problems == []


def test_user_agent_flow_reads_the_fragment_and_erases_it(site, page: Page):
    problems = watch_page(page, site)
    page.goto(site + "/playground/flows/user-agent/")
    page.get_by_role("button", name="Start a run").click()
    page.locator("#step-authorize").get_by_role("button").click()
    page.get_by_role("link", name="Go to the org's sign-in page").click()
    _sign_in_and_allow(page)

    expect(page.locator("[data-fragment-status]")).to_contain_text(
        "erased them from the address bar"
    )
    assert "#" not in page.url
    assert "access_token" not in page.url
    expect(page.locator("[data-fragment-params]")).to_contain_text("access_token")
    expect(page.locator("[data-fragment-params] mark.secret").first).to_be_visible()
    page.get_by_role("button", name="Hand the fragment to the playground").click()

    fragment = page.locator("#step-fragment")
    expect(fragment.locator(".step__headline")).to_contain_text("URL fragment")
    expect(fragment).to_contain_text("browser history")
    expect(fragment.locator(".hmac .verdict--ok")).to_be_visible()
    page.locator("#step-call-api").get_by_role("button").click()
    expect(page.locator("#step-call-api .step__headline")).to_contain_text("Account records")
    assert problems == []


def test_every_step_works_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/playground/flows/client-credentials/")
    page.get_by_role("button", name="Start a run").click()

    for slug in ("token", "call-api", "introspect", "revoke-access-token", "call-api-again"):
        page.locator(f"#step-{slug}").get_by_role("button").click()
        expect(page.locator(f"#step-{slug} .step__headline")).to_be_visible()

    expect(page.locator("#step-call-api-again .step__headline")).to_contain_text("Refused")
    # Each answer lands on its step's heading, so keyboard users start from the result.
    expect(page.locator("#step-call-api-again-title")).to_be_focused()
    context.close()


def test_a_step_sent_before_htmx_was_ready_lands_on_its_result(site, page: Page):
    page.goto(site + "/playground/flows/client-credentials/")
    page.get_by_role("button", name="Start a run").click()

    # form.submit() sends the form as the browser would without htmx: a whole page comes back.
    page.locator("#step-token form.step__action").first.evaluate("form => form.submit()")

    expect(page).to_have_url(re.compile(r"#step-token-title$"))
    expect(page.locator("#step-token .step__headline")).to_contain_text("answered 200")
    expect(page.locator("#step-token-title")).to_be_focused()


def test_the_run_page_fits_a_phone(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(site + "/playground/flows/client-credentials/")
    page.get_by_role("button", name="Start a run").click()
    page.locator("#step-token").get_by_role("button").click()
    expect(page.locator("#step-token .step__headline")).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_a_step_the_server_cannot_answer_says_so_instead_of_doing_nothing(site, page: Page):
    from playground.models import FlowRun

    # The network will drop the step's request. Set up before the page loads: switching
    # interception on while the page was loading sometimes swallowed the click itself.
    page.route("**/steps/token/", lambda route: route.abort())
    page.goto(site + "/playground/flows/client-credentials/")
    page.get_by_role("button", name="Start a run").click()
    expect(page).to_have_url(re.compile(r"/playground/runs/"))
    page.wait_for_load_state()
    step = page.locator("#step-token")

    step.get_by_role("button").first.click()
    expect(step.get_by_role("alert")).to_contain_text("did not reach the server")
    page.unroute("**/steps/token/")

    # The run is gone from the server (purged while the page stayed open): its real 404.
    FlowRun.objects.all().delete()
    step.get_by_role("button").first.click()
    expect(step.get_by_role("alert")).to_contain_text(
        "The server answered 404: Page not found. Nothing lives"
    )
    expect(step.get_by_role("button").first).to_be_enabled()

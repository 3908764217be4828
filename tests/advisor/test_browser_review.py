from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, settings):
    from org.seed import seed_org

    settings.HANDSHAKE_BASE_URL = live_server.url
    seed_org()
    return live_server.url


def test_the_jwt_bearer_pages_say_the_app_proves_itself_with_its_key_not_a_secret(site, page: Page):
    page.goto(site + "/playground/flows/jwt-bearer/")
    client_type = page.locator("dt", has_text="Client type").locator("xpath=following-sibling::dd")
    expect(client_type).to_contain_text("private key")
    expect(client_type).not_to_contain_text("has a secret")

    page.get_by_role("button", name="Start a run").click()

    secret = page.locator(".run-header dt", has_text="Client secret").locator(
        "xpath=following-sibling::dd"
    )
    expect(secret).to_contain_text("not used in this flow")
    expect(page.locator(".run-header mark.secret")).to_have_count(0)


def test_the_address_bar_point_cites_the_implicit_grant_section(site, page: Page):
    page.goto(site + "/advisor/?environment=production")
    flow = page.locator("#decision-flow")
    option = flow.locator("li.option", has_text="User-agent flow")
    option.locator("summary").click()
    reason = option.locator("li.reason", has_text="Tokens exposed in URLs")

    expect(reason.locator(".source")).to_have_text(re.compile(r"^RFC 9700 §2\.1\.2: "))
    expect(reason.locator("a.source")).to_have_attribute("href", re.compile(r"#section-2\.1\.2$"))


def test_the_diagram_text_shows_events_published_into_salesforce(site, page: Page):
    page.goto(
        site + "/advisor/?data-direction=into-salesforce&system-count=2&system-names=Warehouse"
        "&external-publishers=yes"
    )
    links = page.locator(".diagram__links")

    expect(links).to_contain_text("Warehouse to Event bus: publishes platform events")
    expect(links).to_contain_text("Event bus to Salesforce")
    expect(links).not_to_contain_text("Salesforce to Event bus")


NIGHTLY = "/advisor/scenarios/"


def _load_nightly(page: Page, site: str) -> None:
    page.goto(site + NIGHTLY)
    page.get_by_role("link", name="Load this scenario: Nightly ERP sync").click()
    expect(page.locator('.summary__choice[data-decision="flow"]')).to_have_text("JWT bearer flow")


def test_on_a_desktop_the_five_decisions_stay_in_view_and_nothing_scrolls_apart(site, page: Page):
    page.set_viewport_size({"width": 1440, "height": 900})
    _load_nightly(page, site)
    summary = page.locator("#summary")
    result = page.locator("#result")

    for fraction in (0.3, 0.6, 1.0):
        page.evaluate(f"window.scrollTo(0, document.body.scrollHeight * {fraction})")
        expect(summary).to_be_in_viewport(ratio=1)
    box = summary.bounding_box()
    assert box is not None
    assert box["height"] < 160
    # The detail is in the page's own scroll: the result pane is not a box of its own to scroll.
    assert result.evaluate("e => getComputedStyle(e).overflowY") == "visible"
    assert result.evaluate("e => e.scrollHeight <= e.clientHeight + 1")

    summary.get_by_role("link", name=re.compile("Topology")).click()
    heading = page.locator("#decision-topology-title")
    expect(heading).to_be_in_viewport()
    heading_box, summary_box = heading.bounding_box(), summary.bounding_box()
    assert heading_box
    assert summary_box
    assert heading_box["y"] >= summary_box["y"] + summary_box["height"]  # not hidden under it


def test_on_a_phone_a_bar_jumps_to_the_recommendation_and_follows_the_answers(site, page: Page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site + "/advisor/")
    bar = page.locator("#jump-bar")
    expect(bar).to_be_in_viewport()

    page.get_by_label("No, it runs unattended").check()
    expect(bar).to_contain_text("JWT bearer flow")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight * 0.4)")
    expect(bar).to_be_in_viewport()

    bar.get_by_role("link").click()

    expect(page.locator("#result-title")).to_be_in_viewport()
    expect(page.locator('.summary__choice[data-decision="flow"]')).to_have_text("JWT bearer flow")


def test_a_count_out_of_range_is_reported_beside_the_field_live_and_on_submit(site, browser):
    for javascript in (True, False):
        context = browser.new_context(java_script_enabled=javascript)
        page = context.new_page()
        page.goto(site + "/advisor/")
        field = page.get_by_label("How many systems take part, counting Salesforce?")
        field.fill("1")
        if not javascript:
            page.get_by_role("button", name="Show the recommendation").click()

        error = page.locator("#error-system-count")
        expect(error).to_have_text(re.compile(r"Give a number from 2 to \d+; 1 was ignored\."))
        assert "error-system-count" in (field.get_attribute("aria-describedby") or "")

        if javascript:
            field.fill("4")
            expect(error).to_have_text("")
            expect(page).to_have_url(re.compile(r"system-count=4"))
        context.close()


def test_a_variant_of_the_current_design_is_compared_with_its_warnings_spelled_out(
    site, page: Page
):
    _load_nightly(page, site)
    page.get_by_role("link", name="Compare with a variant or another design").click()

    expect(page.get_by_role("heading", name="Make a variant of Design A")).to_be_visible()
    expect(page.get_by_text("Give both designs")).to_have_count(0)
    variant = page.locator(".compare-variant")
    expect(variant.get_by_label("No, it runs unattended")).to_be_checked()  # a copy of A
    variant.locator(
        "fieldset.question", has_text="Is a username and password the only"
    ).get_by_label("Yes").check()
    variant.get_by_role("button", name="Compare with this variant").click()

    row = page.locator("tr", has=page.get_by_role("rowheader", name="Warnings and cross-checks"))
    expect(row.locator("td").nth(1)).to_contain_text("can't do multi-factor sign-in")
    expect(row.locator("td").nth(0)).not_to_contain_text("can't do multi-factor sign-in")
    differs = page.locator("table").nth(1)
    expect(differs).to_contain_text("Is a username and password the only credential")
    # The variant can be changed again: the form now holds the variant's answers.
    expect(page.get_by_role("heading", name="Change the variant")).to_be_visible()
    expect(
        page.locator(
            ".compare-variant fieldset.question", has_text="Is a username and password"
        ).get_by_label("Yes")
    ).to_be_checked()

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

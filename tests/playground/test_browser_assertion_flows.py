from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.playground.conftest import watch_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_jwt_bearer_flow_from_the_page(site, page: Page):
    problems = watch_page(page, site)
    page.goto(site + "/playground/")
    page.get_by_role("link", name="JWT bearer flow").first.click()
    page.get_by_role("button", name="Start a run").click()

    page.get_by_role("button", name="Add the certificate").click()
    certificate = page.locator("#step-certificate")
    expect(certificate.locator(".step__headline")).to_contain_text("self-signed certificate")
    expect(certificate).to_contain_text("fingerprint")
    expect(certificate).to_contain_text("RSA, 2048 bits")

    token = page.locator("#step-token")
    expect(token.get_by_label("iss: who issued the assertion")).to_have_value(
        page.locator(".facts code").first.inner_text()
    )
    # Shorter than the field's maxlength, as anything typed is: a value that fills the field
    # to its limit makes Chromium drop text typed over a selection that has not registered yet.
    token.get_by_label("exp: seconds from signing until it expires").fill("soon")
    token.get_by_role("button", name="Sign and send").click()
    expect(token.locator(".field__error")).to_contain_text("A whole number of seconds")
    expect(token.get_by_label("exp: seconds from signing until it expires")).to_have_attribute(
        "aria-invalid", "true"
    )

    token.get_by_label("exp: seconds from signing until it expires").fill("120")
    token.get_by_label("How to send it").select_option(label="Expired assertion")
    token.get_by_role("button", name="Sign and send").click()
    broken = token.locator(".breakage")
    expect(broken).to_contain_text("refused, as it should be")
    expect(broken).to_contain_text("expired authorization code")
    expect(broken.locator(".lesson")).to_contain_text("What an attacker would have had")

    token.get_by_role("button", name="Sign and send").click()
    expect(token.locator(".step__headline").first).to_contain_text("no refresh token")
    expect(token.locator(".jwt .jwt-part--header").first).to_be_visible()
    expect(token.locator(".jwt .jwt-part--signature").first).to_be_visible()
    expect(token.locator(".jwt .verdict--ok")).to_contain_text("Signature verified")
    expect(token).to_contain_text("No refresh token came back")
    expect(token).to_contain_text("The certificate the org checks it with")
    expect(page.locator("#step-token-title")).to_be_focused()

    page.locator("#step-call-api").get_by_role("button", name="Send it").click()
    expect(page.locator("#step-call-api .step__headline")).to_contain_text("Account records")
    assert problems == []


def test_both_assertion_flows_work_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()

    page.goto(site + "/playground/flows/jwt-bearer/")
    page.get_by_role("button", name="Start a run").click()
    page.get_by_role("button", name="Add the certificate").click()
    token = page.locator("#step-token")
    token.get_by_label("sub: the user the token will act for").fill("x" * 20 + "\u0007")
    token.get_by_role("button", name="Sign and send").click()
    expect(page.locator("#step-token .field__error")).to_contain_text("control characters")
    page.locator("#step-token").get_by_label("sub: the user the token will act for").fill(
        "ada@handshake.example"
    )
    page.locator("#step-token").get_by_role("button", name="Sign and send").click()
    expect(page.locator("#step-token .step__headline").first).to_contain_text("no refresh token")

    page.goto(site + "/playground/flows/saml-bearer/")
    page.get_by_role("button", name="Start a run").click()
    page.get_by_role("button", name="Add the certificate").click()
    saml = page.locator("#step-token")
    saml.get_by_label("How to send it").select_option(
        label="Signature moved onto a forged assertion (wrapping)"
    )
    saml.get_by_role("button", name="Sign and send").click()
    expect(page.locator("#step-token .breakage")).to_contain_text("invalid assertion")
    page.locator("#step-token").get_by_role("button", name="Sign and send").click()
    signed = page.locator("#step-token .step__jwts .xml")
    expect(signed).to_contain_text("<saml:NameID")
    expect(signed.locator(".xml__line.xml-part--signed-info").first).to_contain_text(
        "<ds:SignedInfo>"
    )
    context.close()

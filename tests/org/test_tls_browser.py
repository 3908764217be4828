"""A person gives their app a client certificate on the TLS Setup page, with the keyboard
alone, and sees it registered; the CA link downloads the certificate the TLS port uses."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from org.models import ConnectedApp, TlsClientAuth
from org.seed import seed_org
from pki import certificates


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_registers_a_self_signed_client_certificate_for_their_app(live_server, page: Page):
    seed_org()
    own = certificates.issue(None, common_name="browser app", purpose=certificates.Purpose.CLIENT)
    page.goto(f"{live_server.url}/setup/")
    page.get_by_label("App name").fill("Browser TLS app")
    for box in page.query_selector_all('input[name="grants"]:checked'):
        box.uncheck()
    page.check('input[name="grants"][value="client_credentials"]')
    page.get_by_role("button", name="Create app").click()

    page.goto(f"{live_server.url}/setup/tls/")
    expect(page.get_by_role("heading", level=1)).to_have_text("TLS and mutual TLS")
    page.get_by_label("Client certificate (PEM)").fill(own.certificate_pem)
    page.get_by_label("Client certificate (PEM)").press("Tab")
    expect(
        page.get_by_role("button", name="Save the client certificate of Browser TLS app")
    ).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_text("self_signed_tls_client_auth").last).to_be_visible()
    expect(page.get_by_text(certificates.fingerprint(own.certificate))).to_be_visible()
    app = ConnectedApp.objects.get(name="Browser TLS app")
    assert app.tls_client_auth == TlsClientAuth.SELF_SIGNED
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the CA certificate (PEM)").click()
    assert download.value.suggested_filename == "handshake-org-ca.pem"

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_client_credentials_token_request_shows_its_basic_header_and_form_decoded(
    site, page: Page
):
    page.goto(site + "/playground/flows/client-credentials/")
    page.get_by_role("button", name="Start a run").click()
    page.locator("#step-token").get_by_role("button", name=re.compile("^(?!Break)")).click()

    request = page.locator("#step-token .exchange").first.get_by_label("Request")
    header = request.locator("pre").inner_text()
    credentials = re.search(r"Authorization: Basic (\S+)", header)
    assert credentials
    client_id, _, secret = base64.b64decode(credentials.group(1)).decode().partition(":")
    basic = request.locator("table.decoded", has_text="Basic credentials")
    expect(basic.get_by_role("row", name="client_id")).to_contain_text(client_id)
    expect(basic.get_by_role("row", name="client_secret").locator("mark.secret")).to_have_text(
        secret
    )
    form = request.locator("table.decoded", has_text="form body")
    expect(form.get_by_role("row", name="grant_type")).to_contain_text("client_credentials")

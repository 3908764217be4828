"""The sign-in page's one-click "Sign in as Ada": the form a browser would submit, as it would."""

from __future__ import annotations

from urllib.parse import quote

import lxml.html
from django.test import Client

from tests.org.conftest import ADA, PASSWORD

PRACTICE_FORM = "//form[contains(@class, 'org-practice-sign-in')]"


def _practice_form(page: bytes) -> dict[str, str]:
    forms = lxml.html.fromstring(page).xpath(PRACTICE_FORM)
    assert len(forms) == 1
    return {field.name: field.value for field in forms[0].inputs if field.name}


def test_one_click_signs_in_ada_and_the_password_stays_printed(org):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/")

    fields = _practice_form(page.content)
    signed_in = client.post("/login/", fields)

    assert b"Sign in as Ada Lovelace" in page.content
    assert f"<code>{PASSWORD}</code>" in page.content.decode()
    assert signed_in.status_code == 303
    assert f"({ADA})" in client.get("/login/").content.decode()


def test_one_click_carries_the_start_url_on(org):
    client = Client(enforce_csrf_checks=True)
    start = "/setup/connect"
    page = client.get(f"/login/?startURL={quote(start)}")

    signed_in = client.post("/login/", _practice_form(page.content))

    assert signed_in.status_code == 303
    assert signed_in["Location"] == start


def test_one_click_without_the_csrf_token_is_refused(org):
    client = Client(enforce_csrf_checks=True)
    fields = _practice_form(client.get("/login/").content)
    del fields["csrfmiddlewaretoken"]

    refused = client.post("/login/", fields)

    assert refused.status_code == 403
    assert "signed in as" not in client.get("/login/").content.decode()

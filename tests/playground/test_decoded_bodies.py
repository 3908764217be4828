from __future__ import annotations

from base64 import b64encode

import lxml.html
import pytest
from django.urls import reverse

from playground.decoded_bodies import Field, basic_credentials, decode, form_fields
from playground.exchange import OutgoingRequest, record
from tests.playground.conftest import run_step, start_run


def _exchange(request: OutgoingRequest, *, response_headers=(), response_body=b""):
    return record(
        request,
        sent_headers=request.headers,
        status=200,
        response_headers=response_headers,
        response_body=response_body,
        elapsed_ms=1.0,
    )


def test_basic_credentials_are_read_back_as_the_client_id_and_secret_that_were_sent():
    request = OutgoingRequest.form(
        "http://127.0.0.1/token",
        {"grant_type": "client_credentials"},
        basic_auth=("my app", "s:e+c%"),
    )

    decoded = _exchange(request).decoded()

    assert decoded.basic == (
        Field("client_id", "my app"),
        Field("client_secret", "s:e+c%", secret=True),
    )
    assert decoded.basic_unreadable is False


@pytest.mark.parametrize(
    "credentials",
    ["not base64!", b64encode(b"no-colon-here").decode(), b64encode(b"\xff\xfe:x").decode()],
)
def test_a_basic_header_that_is_not_base64_of_id_colon_secret_is_called_unreadable(credentials):
    assert basic_credentials(credentials) is None
    decoded = decode(
        request_headers=[("Authorization", f"Basic {credentials}")],
        request_body="",
        response_headers=(),
        response_body="",
        secret_values=frozenset(),
    )
    assert decoded.basic == ()
    assert decoded.basic_unreadable is True


def test_a_bearer_header_is_not_taken_for_basic_credentials():
    request = OutgoingRequest.get("http://127.0.0.1/api", bearer="00Dtoken-value")

    decoded = _exchange(request).decoded()

    assert decoded.basic == ()
    assert decoded.basic_unreadable is False


def test_a_form_body_becomes_its_fields_in_order_with_encoding_undone_and_credentials_flagged():
    request = OutgoingRequest.form(
        "http://127.0.0.1/token",
        [("grant_type", "authorization_code"), ("code", "aPrx+code/value"), ("note", "")],
    )

    decoded = _exchange(request).decoded()

    assert decoded.request_form == (
        Field("grant_type", "authorization_code"),
        Field("code", "aPrx+code/value", secret=True),
        Field("note", ""),
    )


def test_a_field_is_flagged_when_its_value_is_a_secret_of_the_exchange_under_any_name():
    fields = form_fields("custom=abcdef123456&plain=1", frozenset({"abcdef123456"}))

    assert fields == (Field("custom", "abcdef123456", secret=True), Field("plain", "1"))


def test_only_form_encoded_bodies_are_read_as_forms_whatever_the_charset_parameter():
    as_form = decode(
        request_headers=[("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")],
        request_body="a=1",
        response_headers=[("Content-Type", "application/json")],
        response_body='{"a": "1"}',
        secret_values=frozenset(),
    )
    assert as_form.request_form == (Field("a", "1"),)
    assert as_form.response_form == ()


def test_the_routine_response_headers_are_counted_apart_and_the_token_rules_stay_in_view():
    request = OutgoingRequest.form("http://127.0.0.1/token", {"grant_type": "client_credentials"})
    headers = [
        ("Content-Type", "application/json"),
        ("Cache-Control", "no-store"),
        ("Content-Security-Policy", "default-src 'self'"),
        ("X-Frame-Options", "DENY"),
        ("Content-Length", "2"),
    ]

    shown = _exchange(request, response_headers=headers, response_body=b"{}").response_view()

    head = "".join(part.text for part in shown.head)
    routine = "".join(part.text for part in shown.routine)
    assert head == "HTTP/1.1 200 OK\nContent-Type: application/json\nCache-Control: no-store"
    assert (
        routine
        == "Content-Security-Policy: default-src 'self'\nX-Frame-Options: DENY\nContent-Length: 2"
    )
    assert shown.routine_count == 3
    assert "".join(part.text for part in shown.body) == "{}"


@pytest.mark.django_db
def test_the_run_page_reads_out_the_basic_header_and_the_form_body_of_the_token_request(
    client, org
):
    run = start_run(client, "client-credentials")
    run_step(client, run, "token")
    run.refresh_from_db()

    page = client.get(reverse("playground:run_detail", args=[run.id]))

    tree = lxml.html.fromstring(page.content)
    token = tree.get_element_by_id("step-token")
    tables = token.xpath(".//table[contains(@class, 'decoded')]")
    rows = {
        table.xpath("string(caption)"): {
            row.xpath("string(th)"): row.xpath("string(td)") for row in table.xpath(".//tr")
        }
        for table in tables
    }
    basic = rows["The Basic credentials, decoded (RFC 6749 §2.3.1)"]
    assert basic["client_id"] == run.client_id
    assert basic["client_secret"] == run.client_secret
    secret_cell = token.xpath(".//table[contains(@class, 'decoded')]//td/mark[@class='secret']")
    assert [mark.text for mark in secret_cell] == [run.client_secret]
    assert rows["The form body, field by field"] == {"grant_type": "client_credentials"}


@pytest.mark.django_db
def test_the_run_page_folds_the_sites_own_headers_behind_a_count(client, org):
    run = start_run(client, "client-credentials")
    run_step(client, run, "token")

    page = client.get(reverse("playground:run_detail", args=[run.id]))

    tree = lxml.html.fromstring(page.content)
    token = tree.get_element_by_id("step-token")
    fold = token.xpath(".//details[contains(@class, 'http__routine')]")[0]
    assert fold.xpath("string(summary)").startswith("6 more headers")
    assert "Content-Security-Policy: default-src" in fold.xpath("string(pre)")
    head = token.xpath(".//pre[contains(@class, 'http--response')]")[0].text_content()
    assert "Cache-Control: no-store" in head
    assert "Content-Security-Policy" not in head

"""Invariants of startURL handling over generated input (catalogue row I7)."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from org.start_urls import safe_start_url
from tests.org.conftest import ADA, PASSWORD

TARGETS = ("/services/oauth2/authorize", "/setup/connect", "/setup/approvals/")
PIECES = st.sampled_from(
    [*TARGETS, "/", "..", ".", "%2e", "%2E%2e", "//", "\\", "?", "#", "x", "playground", "\r\n"]
    + ["\u2028", "\x0b", "\x7f", " ", "https:", "evil.example", "@", "%0d%0a", "&", "="]
)
START_URLS = st.lists(PIECES, max_size=12).map("".join) | st.text(max_size=80)


@given(START_URLS)
def test_i7_a_safe_start_url_is_empty_or_one_of_the_allowed_pages_on_this_origin(raw):
    safe = safe_start_url(raw)

    if safe:
        path = safe.partition("?")[0]
        assert path in TARGETS
        assert all("!" <= character <= "~" for character in safe)
        assert "#" not in safe


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(START_URLS)
def test_i7_signing_in_with_any_start_url_never_leaves_the_allowed_pages(client, org, raw):
    response = client.post("/login/", {"username": ADA, "password": PASSWORD, "startURL": raw})

    assert response.status_code == 303
    location = response["Location"]
    assert location == "/login/" or location.partition("?")[0] in TARGETS


CHARSET_NAMES = st.sampled_from(
    ["latin-1", "utf-16", "utf-32", "cp1252", "us-ascii", "UTF8", "utf_8", "koi8-r", "nope"]
) | st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=20)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    charset=CHARSET_NAMES,
    path=st.sampled_from(["/services/oauth2/token", "/login/", "/setup/", "/playground/inspect/"]),
    body=st.binary(max_size=200),
)
def test_i2_any_declared_charset_and_body_is_answered_below_500(org, charset, path, body):
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "k" * 32

    # generic() sends the bytes as they are; post() would encode them to the charset first.
    response = client.generic(
        "POST", path, body, content_type=f"application/x-www-form-urlencoded; charset={charset}"
    )

    assert response.status_code < 500

from __future__ import annotations

import base64
import json
import logging

import jwt
import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.inspector import MAX_TOKEN_LENGTH
from tests.playground.conftest import result, run_step, start_run, through_callback

URL = "/playground/inspect/"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(claims):
    header = _b64(json.dumps({"alg": "none"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}."


def _all_rows_as_text() -> str:
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            dump.append(repr(cursor.fetchall()))
    return "\n".join(dump)


@pytest.mark.django_db
def test_get_shows_the_form(client):
    response = client.get(reverse("playground:inspect_token"))

    assert response.status_code == 200
    assert 'name="token"' in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_an_id_token_from_a_run_verifies_against_the_orgs_keys(client, org):
    run = start_run(client, "web-server-pkce")
    run_step(client, run, "discover")
    run_step(client, run, "authorize")
    through_callback(client, run)
    run_step(client, run, "token")
    id_token = result(run, "token").exchanges[0].json_body()["id_token"]

    response = client.post(URL, {"token": id_token, "key_source": "org"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Signature verified" in body
    assert "/id/keys" in body  # the fetch is shown


@pytest.mark.django_db
def test_a_tampered_token_names_the_failure(client, org):
    key = "k" * 40
    token = jwt.encode({"sub": "x", "exp": 4102444800}, key, algorithm="HS256")
    header, payload, signature = token.split(".")
    forged = (
        f"{header}.{_b64(json.dumps({'sub': 'admin', 'exp': 4102444800}).encode())}.{signature}"
    )

    response = client.post(URL, {"token": forged, "key_source": "hmac", "key": key})

    assert response.status_code == 200
    assert "Bad signature" in response.content.decode()


@pytest.mark.django_db
def test_f1_alg_none_through_the_page_is_unsigned(client):
    response = client.post(URL, {"token": _unsigned({"sub": "x"}), "key_source": "none"})

    body = response.content.decode()
    assert "Unsigned" in body
    assert "Signature verified" not in body


@pytest.mark.django_db
def test_f6_an_oversized_body_is_refused_before_reading(client):
    response = client.post(URL, {"token": "a" * (300 * 1024), "key_source": "none"})

    assert response.status_code == 413
    assert "a" * 1000 not in response.content.decode()


@pytest.mark.django_db
def test_f6_an_oversized_token_is_refused_without_decoding(client):
    response = client.post(URL, {"token": "a" * (MAX_TOKEN_LENGTH + 10), "key_source": "none"})

    assert response.status_code == 400
    assert "Too large" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c.d", "!!!.e30.", "e30.e30.e30.e30.e30"])
def test_f7_malformed_input_is_a_400_with_a_reason(client, token):
    response = client.post(URL, {"token": token, "key_source": "none"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "Traceback" not in body
    assert ("three parts" in body) or ("base64url" in body) or ("encrypted" in body)


@pytest.mark.django_db
def test_f8_claims_are_escaped_and_truncated(client):
    token = _unsigned(
        {
            "name": "<script>alert(1)</script>",
            "picture": '"><img src=x onerror=alert(1)>',
            "profile": "javascript:alert(1)",
            "long": "y" * 10_000,
        }
    )

    response = client.post(URL, {"token": token, "key_source": "none"})

    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x" not in body
    assert 'href="javascript:' not in body
    assert "y" * 1000 not in body
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_f9_a_token_in_the_query_string_is_not_processed(client):
    token = _unsigned({"sub": "query-secret-subject"})

    response = client.get(URL, {"token": token})

    assert response.status_code == 200
    assert "query-secret-subject" not in response.content.decode()
    assert token not in response.content.decode()


@pytest.mark.django_db
def test_f9_inspection_is_post_only_and_stores_and_logs_nothing(client, caplog):
    token = _unsigned({"sub": "never-stored-subject-7f3a"})
    caplog.set_level(logging.DEBUG)

    response = client.post(URL, {"token": token, "key_source": "none"})

    assert response.status_code == 200
    assert "never-stored-subject-7f3a" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert client.put(URL).status_code == 405
    assert token not in caplog.text
    assert "never-stored-subject-7f3a" not in caplog.text
    assert "never-stored-subject" not in _all_rows_as_text()


@pytest.mark.django_db
def test_a_pasted_key_is_required_for_key_sources_that_need_one(client):
    response = client.post(URL, {"token": _unsigned({}), "key_source": "pem", "key": ""})

    assert response.status_code == 400
    assert "Paste the key" in response.content.decode()


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    token=st.text(max_size=200),
    source=st.sampled_from(["org", "pem", "jwk", "hmac", "none", "bogus"]),
    key=st.text(max_size=80),
)
def test_the_inspector_page_never_fails_with_a_500(client, token, source, key):
    response = client.post(URL, {"token": token, "key_source": source, "key": key})

    assert response.status_code in {200, 400}

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.org.connected_apps import create_connected_app

NAMES = [
    "grant_type",
    "code",
    "client_id",
    "client_secret",
    "redirect_uri",
    "code_verifier",
    "refresh_token",
    "username",
    "password",
    "scope",
    "token",
    "assertion",
]
GRANTS = ["authorization_code", "refresh_token", "client_credentials", "password", "implicit"]
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
text = st.text(max_size=200)
values = st.one_of(
    text, st.sampled_from(GRANTS), st.just(""), st.text(alphabet="\x00\"\\'%&=+", max_size=20)
)
forms = st.lists(st.tuples(st.one_of(st.sampled_from(NAMES), text), values), max_size=8)
HEADERS = st.one_of(
    st.just({}),
    st.builds(
        lambda v: {"Authorization": v},
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60),
    ),
    st.builds(
        lambda v: {"Authorization": "Basic " + v}, st.text(alphabet="ABCDabcd0123+/=:", max_size=40)
    ),
)


@pytest.fixture
def known_app(org):
    return create_connected_app(
        name="Fuzzed",
        redirect_uris=["https://client.example/cb"],
        grants=["authorization_code", "refresh_token", "client_credentials", "password"],
        run_as="ada@handshake.example",
    )


def _assert_clean_json(response):
    assert response.status_code < 500, response.content[:300]
    body = json.loads(response.content)
    assert isinstance(body, dict)
    if response.status_code >= 400:
        assert isinstance(body["error"], str)


@FUZZ
@given(form=forms, headers=HEADERS, use_known_client=st.booleans())
def test_token_endpoint_answers_garbage_forms_with_json_never_5xx(
    client, known_app, form, headers, use_known_client
):
    if use_known_client:
        form = [("client_id", known_app.client_id), *form]

    response = client.post(
        "/services/oauth2/token",
        urlencode(form),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )

    _assert_clean_json(response)


@FUZZ
@given(
    body=st.binary(max_size=400),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/json",
            "text/plain",
            "multipart/form-data; boundary=x",
            "",
        ]
    ),
)
def test_token_endpoint_answers_raw_bytes_with_json_never_5xx(client, org, body, content_type):
    response = client.post("/services/oauth2/token", body, content_type=content_type)

    _assert_clean_json(response)


@FUZZ
@given(form=forms, endpoint=st.sampled_from(["revoke", "introspect"]))
def test_revocation_and_introspection_never_5xx(client, known_app, form, endpoint):
    response = client.post(
        f"/services/oauth2/{endpoint}",
        urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code < 500
    if response.content:
        json.loads(response.content)


@FUZZ
@given(params=forms)
def test_authorization_endpoint_never_5xx(client, known_app, params):
    response = client.get(
        "/services/oauth2/authorize?"
        + urlencode(
            [
                ("client_id", known_app.client_id),
                ("redirect_uri", "https://client.example/cb"),
                *params,
            ]
        )
    )

    assert response.status_code < 500

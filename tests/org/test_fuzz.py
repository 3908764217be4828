from __future__ import annotations

import base64
import json
import time
from urllib.parse import urlencode

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from org.connected_apps import create_connected_app
from org.models import LoginThrottle
from tests.org.test_saml_bearer import assertion_xml, sign

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


EXTENSION_GRANTS = [
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:saml2-bearer",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:token-exchange",
    "device",
    "assertion",
]
TOKEN_TYPES = [
    "urn:ietf:params:oauth:token-type:access_token",
    "urn:ietf:params:oauth:token-type:jwt",
    "urn:ietf:params:oauth:token-type:saml2",
    "urn:oasis:names:tc:SAML:2.0:profiles:SSO:browser",
]
XML_BITS = st.sampled_from(
    [
        '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a" Version="2.0">',
        "<saml:Issuer>",
        "</saml:Issuer>",
        "<saml:NameID>ada@handshake.example<!---->x</saml:NameID>",
        '<!DOCTYPE a [<!ENTITY e "x">]>',
        "&e;",
        "<ds:Signature/>",
        "</saml:Assertion>",
        "<?xml version='1.0' encoding='UTF-16'?>",
        "\x00",
    ]
)
xml_documents = st.lists(st.one_of(XML_BITS, st.text(max_size=20)), max_size=8).map("".join)
encoded_xml = xml_documents.map(
    lambda xml: base64.urlsafe_b64encode(xml.encode("utf-8", "surrogatepass")).decode()
)
jwt_like = st.lists(
    st.one_of(
        st.sampled_from(["eyJhbGciOiJSUzI1NiJ9", "eyJhbGciOiJub25lIn0", "e30", "W10", ""]),
        st.text(alphabet="ABCabc123-_=", max_size=30),
    ),
    min_size=1,
    max_size=5,
).map(".".join)
extension_values = st.one_of(
    text, st.sampled_from(EXTENSION_GRANTS + TOKEN_TYPES), encoded_xml, jwt_like, st.just("")
)
EXTENSION_NAMES = [
    "grant_type",
    "assertion",
    "assertion_type",
    "device_code",
    "code",
    "response_type",
    "scope",
    "subject_token",
    "subject_token_type",
    "actor_token",
    "actor_token_type",
    "requested_token_type",
    "audience",
    "resource",
    "client_secret",
]
extension_forms = st.lists(
    st.tuples(st.sampled_from(EXTENSION_NAMES), extension_values), max_size=8
)


@pytest.fixture
def extension_app(org):
    return create_connected_app(
        name="Fuzzed extensions",
        grants=EXTENSION_GRANTS[:4],
        run_as="ada@handshake.example",
        pre_authorize=["ada@handshake.example"],
    )


@FUZZ
@given(
    form=extension_forms,
    grant=st.sampled_from([*EXTENSION_GRANTS, None]),
    use_known_client=st.booleans(),
    endpoint=st.sampled_from(["token", "device/authorize"]),
)
def test_extension_grants_answer_garbage_with_json_never_5xx(
    client, extension_app, form, grant, use_known_client, endpoint
):
    fields = dict(form)
    if grant is not None:
        fields["grant_type"] = grant
    if use_known_client:
        fields["client_id"] = extension_app.client_id

    response = client.post(
        f"/services/oauth2/{endpoint}",
        urlencode(fields),
        content_type="application/x-www-form-urlencoded",
    )

    _assert_clean_json(response)


@FUZZ
@given(typed=st.text(max_size=40), decision=st.sampled_from(["", "allow", "deny", "maybe"]))
def test_device_verification_page_never_5xx(client, extension_app, typed, decision):
    # Start each example below the guessing limit, so the page really looks codes up.
    LoginThrottle.objects.all().delete()
    client.post("/login/", {"username": "ada@handshake.example", "password": "handshake-demo"})

    if decision:
        response = client.post("/setup/connect", {"user_code": typed, "decision": decision})
    else:
        response = client.get("/setup/connect", {"user_code": typed})

    assert response.status_code in {200, 400, 403, 429}


@pytest.fixture
def signed_documents(org, idp_keys, app_keys, settings):
    """A real signed SAML assertion and a real JWT bearer assertion, for mutation."""
    app = create_connected_app(
        name="Mutated",
        grants=["urn:ietf:params:oauth:grant-type:saml2-bearer", EXTENSION_GRANTS[0]],
        pre_authorize=["ada@handshake.example"],
        saml_idp_cert_pem=idp_keys.certificate_pem,
        cert_pem=app_keys.certificate_pem,
    )
    saml_document = sign(assertion_xml(app, settings), idp_keys)
    claims = {
        "iss": app.client_id,
        "sub": "ada@handshake.example",
        "aud": settings.HANDSHAKE_BASE_URL,
        "exp": int(time.time()) + 120,
    }
    return saml_document, jwt.encode(claims, app_keys.private_key, algorithm="RS256")


@FUZZ
@given(
    position=st.floats(min_value=0, max_value=1),
    insert=st.binary(min_size=0, max_size=12),
    cut=st.integers(min_value=0, max_value=12),
    which=st.sampled_from(["saml", "jwt"]),
)
def test_mutated_real_assertions_are_answered_never_5xx(
    client, signed_documents, position, insert, cut, which
):
    saml_document, jwt_assertion = signed_documents
    original = saml_document if which == "saml" else jwt_assertion.encode()
    at = int(position * len(original))
    mutated = original[:at] + insert + original[at + cut :]
    if which == "saml":
        value = base64.urlsafe_b64encode(mutated).decode()
        grant = "urn:ietf:params:oauth:grant-type:saml2-bearer"
    else:
        value = mutated.decode("latin-1")
        grant = EXTENSION_GRANTS[0]

    response = client.post(
        "/services/oauth2/token",
        urlencode({"grant_type": grant, "assertion": value}),
        content_type="application/x-www-form-urlencoded",
    )

    _assert_clean_json(response)

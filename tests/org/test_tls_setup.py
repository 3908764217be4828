"""The TLS Setup page, the public CA certificate, and how a PEM text registers an app's client
certificate (org/tls/registration.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from org.connected_apps import create_connected_app
from org.models import ConnectedApp, TlsClientAuth
from org.tls import registration
from org.tls.registration import UnusableRegistration, register
from pki import certificates

SETUP_TLS = "/setup/tls/"
CA_PEM = "/setup/tls/ca.pem"


@pytest.fixture(scope="module")
def ca():
    return certificates.make_authority("Setup test CA")


def _client_of(ca, **kwargs):
    return certificates.issue(
        ca, common_name="setup app", purpose=certificates.Purpose.CLIENT, **kwargs
    )


def test_the_ca_certificate_is_public_and_is_the_ca_that_signs_the_tls_port(client, org):
    from org.tls import authority

    response = client.get(CA_PEM)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    published = certificates.read_pem(response.content.decode())
    assert certificates.describe(published).is_authority
    assert certificates.signed_by(authority.server_certificate().certificate, published)


def test_the_setup_page_shows_the_ca_the_tls_port_and_how_to_trust_it(client, org, settings):
    settings.HANDSHAKE_TLS_URL = "https://127.0.0.1:9443"

    page = client.get(SETUP_TLS).content.decode()

    published = certificates.read_pem(client.get(CA_PEM).content.decode())
    assert certificates.fingerprint(published) in page
    assert "https://127.0.0.1:9443" in page
    assert "--cacert" in page
    assert "NODE_EXTRA_CA_CERTS" in page


def _own_app(client):
    client.get(SETUP_TLS)  # the visitor id is made on first visit
    from org.visitors import visitor_id

    owner = visitor_id(client.session)
    issued = create_connected_app(
        name="my app", owner=owner, grants=["client_credentials"], run_as="ada@handshake.example"
    )
    session = client.session
    session.save()
    return issued


def test_pasting_a_self_signed_certificate_registers_it(client, org):
    issued = _own_app(client)
    own = certificates.issue(None, common_name="mine", purpose=certificates.Purpose.CLIENT)

    response = client.post(
        SETUP_TLS, {"client_id": issued.client_id, "client_certificate": own.certificate_pem}
    )

    assert response.status_code == 302
    app = ConnectedApp.objects.get(client_id=issued.client_id)
    assert app.tls_client_auth == TlsClientAuth.SELF_SIGNED
    assert "self_signed_tls_client_auth" in client.get(SETUP_TLS).content.decode()


def test_a_pasted_text_that_is_no_certificate_is_a_form_error(client, org):
    issued = _own_app(client)

    response = client.post(
        SETUP_TLS, {"client_id": issued.client_id, "client_certificate": "hello"}
    )

    assert response.status_code == 400
    assert "Paste PEM certificates" in response.content.decode()


def test_another_visitors_app_cannot_be_given_a_certificate(client, org):
    someone_else = create_connected_app(
        name="theirs",
        owner="another visitor",
        grants=["client_credentials"],
        run_as="ada@handshake.example",
    )
    own = certificates.issue(None, common_name="mine", purpose=certificates.Purpose.CLIENT)

    response = client.post(
        SETUP_TLS, {"client_id": someone_else.client_id, "client_certificate": own.certificate_pem}
    )

    assert response.status_code == 400
    assert ConnectedApp.objects.get(client_id=someone_else.client_id).tls_client_auth == ""


def test_a_certificate_and_its_ca_register_the_ca_and_the_subject(ca):
    leaf = _client_of(ca)

    registered = register(leaf.certificate_pem + ca.certificate_pem)

    assert registered.method == TlsClientAuth.PKI
    assert certificates.read_pem(registered.certificate_pem) == ca.certificate
    assert registered.subject_dn == leaf.certificate.subject.rfc4514_string()


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda ca: _client_of(ca).certificate_pem, "paste the CA's certificate after it"),
        (lambda ca: _client_of(ca).certificate_pem * 2, "must be a CA certificate"),
        (
            lambda ca: (
                _client_of(ca).certificate_pem
                + certificates.make_authority("Setup test CA").certificate_pem
            ),
            "did not sign",
        ),
        (
            lambda ca: (
                certificates.issue(
                    ca, common_name="srv", purpose=certificates.Purpose.SERVER
                ).certificate_pem
                + ca.certificate_pem
            ),
            "not meant for TLS clients",
        ),
        (
            lambda ca: (
                _client_of(
                    ca,
                    not_before=datetime.now(UTC) - timedelta(days=9),
                    not_after=datetime.now(UTC) - timedelta(days=1),
                ).certificate_pem
                + ca.certificate_pem
            ),
            "expired",
        ),
    ],
)
def test_a_text_that_cannot_register_says_why(ca, make, reason):
    with pytest.raises(UnusableRegistration, match=reason):
        register(make(ca))


def test_an_empty_text_removes_the_registration():
    assert register("  \n") == registration.NO_REGISTRATION


@given(st.text(max_size=3000))
def test_any_text_registers_nothing_or_is_refused_with_a_reason(text):
    outcome: object
    try:
        outcome = register(text)
    except UnusableRegistration as error:
        outcome = str(error)

    assert outcome == registration.NO_REGISTRATION or (isinstance(outcome, str) and outcome)

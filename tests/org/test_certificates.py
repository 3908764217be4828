"""Certificates of connected apps in Setup: generated (the private key shown once and never
kept) or uploaded, for the JWT bearer and SAML bearer flows."""

from __future__ import annotations

import re
import time
from html import unescape
from urllib.parse import urlencode

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, load_pem_private_key
from django.core.files.uploadedfile import SimpleUploadedFile

from org.connected_apps import (
    JWT_BEARER,
    InvalidSetting,
    NotYourApp,
    create_connected_app,
    generate_certificate_for,
    generate_saml_idp_certificate_for,
)
from org.models import ConnectedApp
from org.visitors import visitor_id
from tests.org.conftest import ADA, TOKEN, make_key_pair, self_signed

KEY_IN_PAGE = re.compile(r'<textarea id="new-private-key"[^>]*>([^<]+)</textarea>')


def _my_app(client, **settings) -> ConnectedApp:
    client.get("/setup/")
    owner = visitor_id(client.session)
    settings.setdefault("grants", [JWT_BEARER])
    issued = create_connected_app(name="Signer", owner=owner, **settings)
    return ConnectedApp.objects.get(client_id=issued.client_id)


def _matches(private_key: rsa.RSAPrivateKey, certificate_pem: str) -> bool:
    public = x509.load_pem_x509_certificate(certificate_pem.encode()).public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    return public.public_numbers() == private_key.public_key().public_numbers()


def test_generate_in_setup_shows_the_private_key_once(client, org):
    app = _my_app(client, grants=[JWT_BEARER])
    path = f"/setup/apps/{app.client_id}/certificate/"

    generated = client.post(path, {"certificate": "jwt", "action": "generate"})
    later = client.get(f"/setup/apps/{app.client_id}/")

    html = generated.content.decode()
    assert generated.status_code == 200
    assert generated.headers["Cache-Control"] == "no-store"
    found = KEY_IN_PAGE.search(html)
    assert found is not None
    pem = unescape(found[1])
    private_key = load_pem_private_key(pem.encode(), password=None)
    assert isinstance(private_key, rsa.RSAPrivateKey)
    app.refresh_from_db()
    assert _matches(private_key, app.cert_pem)
    assert 'download="jwt-private-key.pem"' in html
    assert "PRIVATE KEY" not in later.content.decode()
    assert "SHA-256 fingerprint" in later.content.decode()


def test_the_generated_key_signs_assertions_the_org_accepts(client, org, settings):
    app = _my_app(client, grants=[JWT_BEARER], pre_authorize=[ADA])
    owner = visitor_id(client.session)
    pem = generate_certificate_for(app.client_id, owner=owner)
    key = load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    claims = {
        "iss": app.client_id,
        "sub": ADA,
        "aud": settings.HANDSHAKE_BASE_URL,
        "exp": int(time.time()) + 60,
    }

    response = client.post(
        TOKEN,
        urlencode({"grant_type": JWT_BEARER, "assertion": jwt.encode(claims, key, "RS256")}),
        content_type="application/x-www-form-urlencoded",
    )

    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert response.status_code == 200, response.content


def test_the_org_keeps_the_certificate_and_not_the_private_key_it_generated(org):
    issued = create_connected_app(name="Signer", owner="me", grants=[JWT_BEARER])
    pem = generate_certificate_for(issued.client_id, owner="me")
    app = ConnectedApp.objects.get(client_id=issued.client_id)

    key = load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    assert _matches(key, app.cert_pem)
    stored = " ".join(str(value) for value in vars(app).values())
    assert "PRIVATE KEY" not in stored


def test_a_saml_identity_provider_certificate_can_be_generated_too(org):
    issued = create_connected_app(name="SAML", owner="me", grants=[JWT_BEARER])

    pem = generate_saml_idp_certificate_for(issued.client_id, owner="me")

    app = ConnectedApp.objects.get(client_id=issued.client_id)
    key = load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    assert _matches(key, app.saml_idp_cert_pem)
    assert not app.cert_pem


def test_nobody_else_can_generate_a_key_for_my_app(org):
    issued = create_connected_app(name="Mine", owner="me", grants=[JWT_BEARER])

    with pytest.raises(NotYourApp):
        generate_certificate_for(issued.client_id, owner="someone else")


def test_uploading_a_pem_file_in_setup(client, org):
    app = _my_app(client)
    pem = make_key_pair().certificate_pem
    upload = SimpleUploadedFile("idp.pem", pem.encode(), content_type="application/x-pem-file")

    response = client.post(
        f"/setup/apps/{app.client_id}/certificate/",
        {"certificate": "saml", "action": "upload", "certificate_file": upload},
    )

    assert response.status_code == 302
    app.refresh_from_db()
    assert app.saml_idp_cert_pem.strip() == pem.strip()


@pytest.mark.parametrize(
    "content", [b"not a certificate", b"\xff\xfe binary", b"-----BEGIN CERTIFICATE-----\nAA\n"]
)
def test_uploading_something_else_is_a_clear_error(client, org, content):
    app = _my_app(client)
    upload = SimpleUploadedFile("x.pem", content)

    response = client.post(
        f"/setup/apps/{app.client_id}/certificate/",
        {"certificate": "jwt", "action": "upload", "certificate_file": upload},
        follow=True,
    )

    assert "not a PEM-encoded X.509 certificate" in response.content.decode()
    app.refresh_from_db()
    assert app.cert_pem == ""


@pytest.mark.parametrize(
    "files",
    [{}, {"certificate_file": SimpleUploadedFile("big.pem", b"A" * (64 * 1024 + 1))}],
    ids=["no file", "over 64 KiB"],
)
def test_an_upload_without_a_usable_file_asks_for_one(client, org, files):
    app = _my_app(client)

    response = client.post(
        f"/setup/apps/{app.client_id}/certificate/",
        {"certificate": "jwt", "action": "upload", **files},
        follow=True,
    )

    assert "Choose a PEM file to upload." in response.content.decode()
    app.refresh_from_db()
    assert app.cert_pem == ""


@pytest.mark.parametrize("action", ["generate", "upload"])
def test_changing_an_unknown_certificate_asks_which(client, org, action):
    app = _my_app(client)

    response = client.post(
        f"/setup/apps/{app.client_id}/certificate/",
        {"certificate": "tls", "action": action},
        follow=True,
    )

    assert "Choose which certificate to change." in response.content.decode()
    assert "PRIVATE KEY" not in response.content.decode()


def test_a_certificate_without_an_rsa_key_is_refused(org):
    certificate = self_signed(ec.generate_private_key(ec.SECP256R1()), "ec")

    with pytest.raises(InvalidSetting, match="RSA"):
        create_connected_app(name="EC", cert_pem=certificate.public_bytes(Encoding.PEM).decode())


def test_someone_elses_app_has_no_certificate_page(client, org):
    issued = create_connected_app(name="Theirs", owner="them", grants=[JWT_BEARER])

    response = client.post(
        f"/setup/apps/{issued.client_id}/certificate/", {"certificate": "jwt", "action": "generate"}
    )

    assert response.status_code == 404
    assert ConnectedApp.objects.get(client_id=issued.client_id).cert_pem == ""


def test_the_settings_page_explains_both_certificates(client, org):
    app = _my_app(client)

    html = client.get(f"/setup/apps/{app.client_id}/").content.decode()

    assert "JWT bearer: your app's certificate" in html
    assert "SAML bearer: your identity provider's certificate" in html
    assert "Generate a certificate and key" in html
    assert "Device verification page" in html

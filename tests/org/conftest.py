from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from django.test import Client
from django.utils import timezone

from org.connected_apps import IssuedApp, create_connected_app
from org.seed import seed_org

CALLBACK = "https://client.example/cb"
ADA = "ada@handshake.example"
GRACE = "grace@handshake.example"
PASSWORD = "handshake-demo"
AUTHORIZE = "/services/oauth2/authorize"
TOKEN = "/services/oauth2/token"
REVOKE = "/services/oauth2/revoke"
INTROSPECT = "/services/oauth2/introspect"
USERINFO = "/services/oauth2/userinfo"


DEVICE_AUTHORIZE = "/services/oauth2/device/authorize"
DEVICE_PAGE = "/setup/connect"


@pytest.fixture
def org(db):
    return seed_org()


@dataclass(frozen=True)
class KeyPair:
    """A private key and a self-signed certificate for it, as an app or an IdP holds."""

    private_key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(Encoding.PEM).decode()


def self_signed(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, common_name: str, *, days: int = 30
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = timezone.now()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )


def make_key_pair(common_name: str = "test signer", *, days: int = 30) -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return KeyPair(private_key=key, certificate=self_signed(key, common_name, days=days))


@pytest.fixture(scope="session")
def app_keys() -> KeyPair:
    """The key the app under test signs JWT bearer assertions with."""
    return make_key_pair("JWT bearer test app")


@pytest.fixture(scope="session")
def idp_keys() -> KeyPair:
    """The key of the SAML identity provider the app under test trusts."""
    return make_key_pair("SAML test identity provider")


@pytest.fixture(scope="session")
def attacker_keys() -> KeyPair:
    return make_key_pair("attacker")


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def fragment_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).fragment).items()}


@dataclass
class Org:
    """Drives the org over HTTP through Django's test client, as a browser and app would."""

    client: Client

    def app(self, **settings) -> IssuedApp:
        settings.setdefault("name", "Test app")
        settings.setdefault("owner", "tests")
        settings.setdefault("redirect_uris", [CALLBACK])
        return create_connected_app(**settings)

    def sign_in(self, username: str = ADA, password: str = PASSWORD):
        return self.client.post("/login/", {"username": username, "password": password})

    def authorize(self, app: IssuedApp, **params):
        params.setdefault("response_type", "code")
        params.setdefault("client_id", app.client_id)
        params.setdefault("redirect_uri", CALLBACK)
        return self.client.get(AUTHORIZE + "?" + urlencode(params))

    def consent(self, app: IssuedApp, decision: str = "allow", **params):
        params.setdefault("response_type", "code")
        params.setdefault("client_id", app.client_id)
        params.setdefault("redirect_uri", CALLBACK)
        return self.client.post(AUTHORIZE + "?" + urlencode(params), {"decision": decision})

    def code(self, app: IssuedApp, *, username: str = ADA, **params) -> str:
        """Sign in, approve, and return the code from the callback."""
        self.sign_in(username)
        response = self.consent(app, **params)
        assert response.status_code == 303, response.content[:300]
        location = response.headers["Location"]
        assert location.startswith(params.get("redirect_uri", CALLBACK))
        return query_of(location)["code"]

    def token(self, app: IssuedApp | None = None, *, auth: str = "post", **form):
        headers = {}
        if app is not None and auth == "post":
            form.setdefault("client_id", app.client_id)
            if app.client_secret:
                form.setdefault("client_secret", app.client_secret)
        elif app is not None and auth == "basic":
            raw = f"{app.client_id}:{app.client_secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(raw).decode()
        return self.post(TOKEN, form, headers=headers)

    def post(self, path: str, form: dict[str, Any], headers: dict[str, str] | None = None):
        """A form-encoded POST, as OAuth clients send (RFC 6749 §4.1.3)."""
        return self.client.post(
            path,
            urlencode(form),
            content_type="application/x-www-form-urlencoded",
            headers=headers or {},
        )

    def redeem(self, app: IssuedApp, code: str, **form):
        form.setdefault("redirect_uri", CALLBACK)
        return self.token(app, grant_type="authorization_code", code=code, **form)

    def tokens(self, app: IssuedApp, **params) -> dict[str, Any]:
        """A full web server flow; returns the token response body."""
        verifier = None
        if "code_challenge" not in params and params.pop("pkce", True):
            verifier, params["code_challenge"] = pkce_pair()
            params["code_challenge_method"] = "S256"
        code = self.code(app, **params)
        form = {"code_verifier": verifier} if verifier else {}
        response = self.redeem(app, code, **form)
        assert response.status_code == 200, response.content
        body: dict[str, Any] = response.json()
        return body

    def device_page(self, user_code: str | None = None, **form):
        """The device verification page: GET with ?user_code=, or POST a decision."""
        if form:
            return self.client.post(DEVICE_PAGE, {"user_code": user_code or "", **form})
        query = "?" + urlencode({"user_code": user_code}) if user_code is not None else ""
        return self.client.get(DEVICE_PAGE + query)

    def introspect(self, app: IssuedApp, token: str) -> dict[str, Any]:
        response = self.post(
            INTROSPECT,
            {"token": token, "client_id": app.client_id, "client_secret": app.client_secret},
        )
        assert response.status_code == 200, response.content
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
def oauth(client, org):
    return Org(client)


@pytest.fixture(scope="session")
def tls_site():
    """The org over HTTP and TLS, two processes on one database (tests/org/tls_site.py)."""
    from tests.org.tls_site import start_tls_site

    with start_tls_site() as site:
        yield site

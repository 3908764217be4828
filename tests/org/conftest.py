from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client

from playground.org.connected_apps import IssuedApp, create_connected_app
from playground.org.seed import seed_org

CALLBACK = "https://client.example/cb"
ADA = "ada@handshake.example"
GRACE = "grace@handshake.example"
PASSWORD = "handshake-demo"
AUTHORIZE = "/services/oauth2/authorize"
TOKEN = "/services/oauth2/token"
REVOKE = "/services/oauth2/revoke"
INTROSPECT = "/services/oauth2/introspect"
USERINFO = "/services/oauth2/userinfo"


@pytest.fixture
def org(db):
    return seed_org()


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

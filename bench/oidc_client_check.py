"""A standard OAuth 2.0 / OpenID Connect client library against the org, end to end.

Start the site first (`make run`, or migrate + seed_org + runserver 127.0.0.1:8000), then:

    .venv/bin/python bench/oidc_client_check.py [BASE_URL]

It discovers the org, registers an app through the Setup page (as a person would), runs
the web server flow with PKCE using authlib's httpx OAuth2Client (signing in and
clicking Allow by posting the org's own forms), verifies the ID token against the JWKS
with PyJWT's PyJWKClient, reads userinfo, refreshes, introspects, revokes, and checks
that the revoked tokens are dead. Any failed check stops it with a non-zero exit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
from authlib.integrations.httpx_client import OAuth2Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.browserless import create_app_in_setup, csrf_token  # noqa: E402

BASE_URL = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/")
CALLBACK = BASE_URL + "/playground/callback/"


def check(condition: bool, what: str) -> None:
    print(("  ok    " if condition else "  FAIL  ") + what)
    if not condition:
        raise SystemExit(1)


def short(value: str) -> str:
    return value if len(value) <= 24 else f"{value[:12]}…{value[-8:]}"


def sign_in_and_allow(browser: httpx.Client, authorization_url: str) -> str:
    """Play the person at the org: sign in as Ada, click Allow; return the callback URL."""
    to_login = browser.get(authorization_url)
    login_url = to_login.headers["Location"]
    login_page = browser.get(login_url)
    start_url = parse_qs(urlsplit(login_url).query)["startURL"][0]
    signed_in = browser.post(
        "/login/",
        data={
            "csrfmiddlewaretoken": csrf_token(login_page.text),
            "username": "ada@handshake.example",
            "password": "handshake-demo",
            "startURL": start_url,
        },
    )
    consent = browser.get(signed_in.headers["Location"])
    check("Allow</button>" in consent.text, "consent page offers Allow")
    allowed = browser.post(
        signed_in.headers["Location"],
        data={"csrfmiddlewaretoken": csrf_token(consent.text), "decision": "allow"},
    )
    return str(allowed.headers["Location"])


def main() -> None:
    print(f"Discovery: {BASE_URL}/.well-known/openid-configuration")
    meta: dict[str, Any] = httpx.get(f"{BASE_URL}/.well-known/openid-configuration").json()
    check(meta["issuer"] == BASE_URL, f"issuer is {meta['issuer']}")
    check(meta["code_challenge_methods_supported"] == ["S256"], "PKCE S256 advertised")

    browser = httpx.Client(base_url=BASE_URL)
    client_id, client_secret = create_app_in_setup(
        browser,
        {
            "name": "OIDC client check",
            "redirect_uris": CALLBACK,
            "grants": ["authorization_code", "refresh_token"],
            "scopes": ["api", "refresh_token", "openid", "email", "profile"],
            "require_pkce": "on",
            "rotate_refresh_tokens": "on",
        },
    )
    print(f"Registered app through Setup: client_id {short(client_id)}")

    client = OAuth2Client(
        client_id=client_id,
        client_secret=client_secret,
        scope="openid api refresh_token email profile",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    verifier = secrets.token_urlsafe(64)
    nonce = secrets.token_urlsafe(16)
    url, state = client.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    print("Web server flow with PKCE (authlib OAuth2Client)")
    callback = sign_in_and_allow(browser, url)
    returned = parse_qs(urlsplit(callback).query)
    check(callback.startswith(CALLBACK), "redirected to the registered callback")
    check(returned["state"] == [state], "state came back unchanged")
    check(returned["iss"] == [meta["issuer"]], "iss in the authorization response (RFC 9207)")

    token = client.fetch_token(
        meta["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    check("refresh_token" in token and "id_token" in token, "tokens: access, refresh, id")
    print(f"  access_token {short(token['access_token'])}, expires_in {token['expires_in']}")
    print(
        f"  Salesforce fields: instance_url={token['instance_url']} issued_at={token['issued_at']}"
    )
    expected = hmac_signature(client_secret, token["id"], token["issued_at"])
    check(
        token["signature"] == expected, "Salesforce signature = HMAC-SHA256(secret, id+issued_at)"
    )

    print("ID token, verified with the JWKS (PyJWT PyJWKClient)")
    jwks = jwt.PyJWKClient(meta["jwks_uri"])
    key = jwks.get_signing_key_from_jwt(token["id_token"])
    claims = jwt.decode(
        token["id_token"],
        key.key,
        algorithms=meta["id_token_signing_alg_values_supported"],
        audience=client_id,
        issuer=meta["issuer"],
        options={"require": ["iss", "aud", "exp", "iat", "sub"]},
    )
    check(claims["nonce"] == nonce, f"signature valid (kid {key.key_id}); nonce matches")
    at_hash = hashlib.sha256(token["access_token"].encode()).digest()[:16]
    check(
        claims["at_hash"] == base64.urlsafe_b64encode(at_hash).rstrip(b"=").decode(),
        "at_hash matches the access token",
    )
    print(f"  sub {claims['sub']}")

    print("UserInfo")
    userinfo = client.get(meta["userinfo_endpoint"]).json()
    check(userinfo["sub"] == claims["sub"], f"userinfo for {userinfo['preferred_username']}")

    print("Refresh (rotation on)")
    old_refresh = token["refresh_token"]
    refreshed = client.refresh_token(meta["token_endpoint"], refresh_token=old_refresh)
    check(refreshed["refresh_token"] != old_refresh, "a new refresh token replaced the old one")

    print("Introspection (RFC 7662)")
    active = client.introspect_token(
        meta["introspection_endpoint"], token=refreshed["access_token"]
    )
    body = active.json()
    check(body["active"] is True, f"active, scope {body['scope']!r}, exp {body['exp']}")

    print("Revocation (RFC 7009)")
    revoked = client.revoke_token(
        meta["revocation_endpoint"],
        token=refreshed["refresh_token"],
        token_type_hint="refresh_token",
    )
    check(revoked.status_code == 200, "revoke answered 200")
    for kind in ("refresh_token", "access_token"):
        after = client.introspect_token(meta["introspection_endpoint"], token=refreshed[kind])
        check(
            after.json() == {"active": False},
            f"{kind} is inactive after revoking the refresh token",
        )
    rejected = httpx.get(
        meta["userinfo_endpoint"], headers={"Authorization": f"Bearer {refreshed['access_token']}"}
    )
    check(rejected.status_code == 401, "userinfo refuses the revoked access token")
    print("All checks passed.")


def hmac_signature(secret: str, identity: str, issued_at: str) -> str:
    mac = hmac.new(secret.encode(), (identity + issued_at).encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


if __name__ == "__main__":
    main()

"""Complete the JWT bearer, SAML bearer, device and asset token flows against a running org.

Uses the standard library plus pyjwt and cryptography; the SAML step also uses signxml
(and lxml, which signxml builds on) to sign the assertion, as an identity provider would.
Apps are created with `manage.py create_connected_app`, so run this with the same
database settings as the server (HANDSHAKE_SQLITE_PATH or DATABASE_URL), and with the
server's HANDSHAKE_BASE_URL as --base-url: it is the audience of every assertion.

    python bench/assertion_flows_check.py --base-url http://127.0.0.1:8769
"""

from __future__ import annotations

import argparse
import base64
import http.cookiejar
import json
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml.algorithms import CanonicalizationMethod
from signxml.signer import XMLSigner

ROOT = Path(__file__).resolve().parent.parent
ADA, PASSWORD = "ada@handshake.example", "handshake-demo"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SAML2_BEARER = "urn:ietf:params:oauth:grant-type:saml2-bearer"
DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def step(text: str) -> None:
    print(f"  - {text}")


def key_and_certificate(
    name: str, folder: Path
) -> tuple[rsa.RSAPrivateKey, x509.Certificate, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    path = folder / f"{name}.pem"
    path.write_bytes(certificate.public_bytes(Encoding.PEM))
    return key, certificate, path


def create_app(name: str, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", "create_connected_app", "--json", "--name", name, *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    client_id: str = json.loads(out)["client_id"]
    return client_id


def app_trusting(certificate: Path, option: str, name: str, *grants: str) -> str:
    """An app for the api scope, Ada pre-authorized, that trusts `certificate` (`option` is
    --cert for JWT bearer, --saml-idp-cert for SAML bearer's identity provider)."""
    grant_options = [word for grant in grants for word in ("--grant", grant)]
    return create_app(
        name, *grant_options, "--scope", "api", option, str(certificate), "--pre-authorize", ADA
    )


def post(base: str, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(base + path, data=urllib.parse.urlencode(form).encode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def expect(status: int, body: dict[str, Any], wanted: int = 200) -> dict[str, Any]:
    if status != wanted:
        raise SystemExit(f"expected HTTP {wanted}, got {status}: {body}")
    return body


def jwt_bearer(base: str, folder: Path) -> str:
    print("JWT bearer flow (RFC 7523)")
    key, _, cert_path = key_and_certificate("jwt-app", folder)
    client_id = app_trusting(cert_path, "--cert", "Check: JWT bearer", JWT_BEARER, TOKEN_EXCHANGE)
    step(f"created app {client_id[:16]}… with the certificate, Ada pre-authorized")
    claims = {"iss": client_id, "sub": ADA, "aud": base, "exp": int(time.time()) + 120}
    assertion = jwt.encode(claims, key, algorithm="RS256")
    step(f"signed an RS256 assertion: {json.dumps(claims)[:90]}…")
    body = expect(
        *post(base, "/services/oauth2/token", {"grant_type": JWT_BEARER, "assertion": assertion})
    )
    step(
        f"200: access_token {body['access_token'][:24]}…, scope {body['scope']!r}, "
        f"refresh_token {'present' if 'refresh_token' in body else 'absent'}"
    )
    query = urllib.request.Request(
        base + "/services/data/v62.0/query?q=SELECT+Id,+Name+FROM+Asset",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    with urllib.request.urlopen(query, timeout=10) as response:
        assets = json.load(response)
    first = assets["records"][0]["Name"]
    step(f"REST API with that token: {assets['totalSize']} Assets, first {first!r}")
    far = jwt.encode({**claims, "exp": int(time.time()) + 600}, key, algorithm="RS256")
    status, refused = post(
        base, "/services/oauth2/token", {"grant_type": JWT_BEARER, "assertion": far}
    )
    step(f"exp 10 minutes ahead: {status} {refused['error']} / {refused['error_description']!r}")
    access_token: str = body["access_token"]
    return access_token


def saml_bearer(base: str, folder: Path) -> None:
    print("SAML 2.0 bearer flow (RFC 7522); the assertion is signed with signxml")
    key, certificate, cert_path = key_and_certificate("saml-idp", folder)
    client_id = app_trusting(cert_path, "--saml-idp-cert", "Check: SAML bearer", SAML2_BEARER)
    step(f"created app {client_id[:16]}… trusting the identity provider's certificate")
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    later = (now + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ident = "_" + secrets.token_hex(16)
    xml = (
        f'<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{ident}" '
        f'Version="2.0" IssueInstant="{stamp}"><saml:Issuer>{client_id}</saml:Issuer>'
        f"<saml:Subject><saml:NameID>{ADA}</saml:NameID>"
        '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
        f'<saml:SubjectConfirmationData NotOnOrAfter="{later}" '
        f'Recipient="{base}/services/oauth2/token"/></saml:SubjectConfirmation></saml:Subject>'
        f'<saml:Conditions NotBefore="{stamp}" NotOnOrAfter="{later}"><saml:AudienceRestriction>'
        f"<saml:Audience>{base}</saml:Audience></saml:AudienceRestriction></saml:Conditions>"
        "</saml:Assertion>"
    )
    signer = XMLSigner(c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    signed = signer.sign(
        etree.fromstring(xml.encode()),
        key=key,
        cert=[certificate],
        reference_uri="#" + ident,
        id_attribute="ID",
    )
    encoded = base64.urlsafe_b64encode(etree.tostring(signed)).rstrip(b"=").decode()
    step(f"signed assertion {ident} (RSA-SHA256), base64url: {len(encoded)} characters")
    form = {"grant_type": SAML2_BEARER, "assertion": encoded}
    body = expect(*post(base, "/services/oauth2/token", form))
    step(f"200: access_token {body['access_token'][:24]}…, token_type {body['token_type']}")
    status, replay = post(base, "/services/oauth2/token", form)
    step(f"same assertion again: {status} {replay['error']} / {replay['error_description']!r}")


def approve_as_a_person(base: str, verification_uri_complete: str) -> None:
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with browser.open(verification_uri_complete, timeout=10) as page:
        login_url, login_html = page.url, page.read().decode()
    start_url = urllib.parse.parse_qs(urllib.parse.urlsplit(login_url).query)["startURL"][0]
    step(f"person opens the link, is sent to sign in (startURL={start_url})")
    credentials = {"username": ADA, "password": PASSWORD, "startURL": start_url}
    form = {"csrfmiddlewaretoken": CSRF.findall(login_html)[-1], **credentials}
    with browser.open(base + "/login/", urllib.parse.urlencode(form).encode(), timeout=10) as page:
        confirm_html = page.read().decode()
    code = re.search(r'<span class="org-code">([^<]+)</span>', confirm_html)
    step(
        f"signed in as Ada; the page asks 'Connect this device?' showing {code[1] if code else '?'}"
    )
    decision = {
        "csrfmiddlewaretoken": CSRF.findall(confirm_html)[0],
        "user_code": code[1] if code else "",
        "decision": "allow",
    }
    data = urllib.parse.urlencode(decision).encode()
    with browser.open(base + "/setup/connect", data, timeout=10) as page:
        done = re.search(r"<h1[^>]*>([^<]+)</h1>", page.read().decode())
    step(f"clicked Allow: {done[1] if done else '?'}")


def device(base: str, *, salesforce_shape: bool) -> None:
    shape = "Salesforce's shape" if salesforce_shape else "RFC 8628's shape"
    print(f"Device flow, {shape}")
    client_id = create_app(
        f"Check: device ({'Salesforce' if salesforce_shape else 'RFC 8628'})",
        "--grant",
        DEVICE_CODE,
        "--grant",
        "refresh_token",
        "--scope",
        "api",
        "--scope",
        "refresh_token",
    )
    if salesforce_shape:
        path, form = "/services/oauth2/token", {"response_type": "device_code"}
    else:
        path, form = "/services/oauth2/device/authorize", {}
    started = expect(
        *post(base, path, {**form, "client_id": client_id, "scope": "api refresh_token"})
    )
    step(
        f"POST {path}: user_code {started['user_code']}, interval {started['interval']}, "
        f"verification_uri {started['verification_uri']}"
    )
    if salesforce_shape:
        poll = {"grant_type": "device", "client_id": client_id, "code": started["device_code"]}
    else:
        poll = {
            "grant_type": DEVICE_CODE,
            "client_id": client_id,
            "device_code": started["device_code"],
        }
    status, pending = post(base, "/services/oauth2/token", poll)
    step(f"poll before anyone approves: {status} {pending['error']}")
    status, fast = post(base, "/services/oauth2/token", poll)
    step(f"poll again at once: {status} {fast['error']} / {fast['error_description']!r}")
    approve_as_a_person(base, started["verification_uri_complete"])
    body = expect(*post(base, "/services/oauth2/token", poll))
    step(
        f"poll: 200, access_token {body['access_token'][:24]}…, refresh_token "
        f"{'present' if 'refresh_token' in body else 'absent'}"
    )
    status, again = post(base, "/services/oauth2/token", poll)
    step(f"poll once more: {status} {again['error']} (a device code is redeemed once)")


def asset_token(base: str, subject_token: str) -> None:
    print("Asset token flow (token exchange, RFC 8693)")
    device_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(device_key.public_key()))
    actor_claims = {
        "did": "boiler-monitor-0001",
        "Name": "Boiler monitor in the plant room",
        "Asset": "Boiler Monitor BM-7",
        "cnf": {"jwk": public_jwk},
        "exp": int(time.time()) + 120,
    }
    actor = jwt.encode(actor_claims, device_key, algorithm="RS256")
    step("device signed its actor token (did, Name, Asset, cnf.jwk) with its own key")
    form = {
        "grant_type": TOKEN_EXCHANGE,
        "subject_token": subject_token,
        "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "actor_token": actor,
        "actor_token_type": "urn:ietf:params:oauth:token-type:jwt",
    }
    body = expect(*post(base, "/services/oauth2/token", form))
    step(f"200: issued_token_type {body['issued_token_type']}, expires_in {body['expires_in']}")
    signing_key = jwt.PyJWKClient(base + "/id/keys").get_signing_key_from_jwt(body["access_token"])
    claims = jwt.decode(body["access_token"], signing_key.key, algorithms=["RS256"], audience=base)
    step(
        f"verified against /id/keys (kid {signing_key.key_id}): Asset {claims['Asset']}, "
        f"act {claims['act']}, cnf bound: {'cnf' in claims}"
    )
    status, refused = post(
        base, "/services/oauth2/token", {**form, "audience": "https://evil.test"}
    )
    step(f"audience https://evil.test: {status} {refused['error']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="the server's HANDSHAKE_BASE_URL")
    base = parser.parse_args().base_url.rstrip("/")
    with tempfile.TemporaryDirectory() as folder:
        subject_token = jwt_bearer(base, Path(folder))
        saml_bearer(base, Path(folder))
    device(base, salesforce_shape=True)
    device(base, salesforce_shape=False)
    asset_token(base, subject_token)
    print("All four flows completed.")


if __name__ == "__main__":
    main()

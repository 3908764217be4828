"""RFC 8705 over real sockets: apps that authenticate with a client certificate instead of a
secret, tokens bound to that certificate, and catalogue row J8 (a bound token without its
certificate is invalid_token on every resource, on either port)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from pki import certificates
from tests.org.tls_site import TlsSite

TOKEN = "/services/oauth2/token"
INTROSPECT = "/services/oauth2/introspect"
REVOKE = "/services/oauth2/revoke"
USERINFO = "/services/oauth2/userinfo"
QUERY = "/services/data/v62.0/query?q=SELECT+Name+FROM+Account"
ADA = "ada@handshake.example"
GRACE = "grace@handshake.example"


def _register(site: TlsSite, name: str, pem: str, *extra: str) -> dict[str, str]:
    path = site.write(f"{name}.pem", pem)
    return site.app(
        "--name",
        name,
        "--grant",
        "client_credentials",
        "--run-as",
        ADA,
        "--client-cert",
        str(path),
        *extra,
    )


@pytest.fixture(scope="module")
def issuing_ca() -> certificates.IssuedCertificate:
    return certificates.make_authority("Integration CA", organization="Acme")


@pytest.fixture(scope="module")
def pki_app(tls_site, issuing_ca):
    leaf = certificates.issue(
        issuing_ca, common_name="acme-sync", purpose=certificates.Purpose.CLIENT
    )
    app = _register(tls_site, "pki app", leaf.certificate_pem + issuing_ca.certificate_pem)
    return app, leaf


@pytest.fixture(scope="module")
def self_signed_app(tls_site):
    own = certificates.issue(None, common_name="own cert", purpose=certificates.Purpose.CLIENT)
    return _register(tls_site, "self-signed app", own.certificate_pem), own


def _token(site: TlsSite, client_id: str, certificate) -> dict[str, Any]:
    answer = site.request(
        "POST",
        TOKEN,
        context=site.client_context(certificate),
        form={"grant_type": "client_credentials", "client_id": client_id},
    )
    assert answer.status == 200, answer.body
    body: dict[str, Any] = answer.json()
    return body


def test_an_app_registered_with_a_ca_and_subject_gets_a_token_with_its_certificate_alone(
    tls_site, pki_app
):
    app, leaf = pki_app

    body = _token(tls_site, app["client_id"], leaf)

    assert body["token_type"] == "Bearer"
    assert body["access_token"]


def test_a_renewed_certificate_from_the_same_ca_and_subject_still_authenticates(
    tls_site, pki_app, issuing_ca
):
    app, _ = pki_app
    renewed = certificates.issue(
        issuing_ca, common_name="acme-sync", purpose=certificates.Purpose.CLIENT
    )

    assert _token(tls_site, app["client_id"], renewed)["access_token"]


def test_a_certificate_from_the_same_ca_for_another_subject_is_invalid_client(
    tls_site, pki_app, issuing_ca
):
    app, _ = pki_app
    other = certificates.issue(
        issuing_ca, common_name="someone-else", purpose=certificates.Purpose.CLIENT
    )

    answer = tls_site.request(
        "POST",
        TOKEN,
        context=tls_site.client_context(other),
        form={"grant_type": "client_credentials", "client_id": app["client_id"]},
    )

    assert answer.status == 401
    assert answer.json()["error"] == "invalid_client"


def test_a_self_signed_app_authenticates_with_exactly_its_certificate(tls_site, self_signed_app):
    app, own = self_signed_app

    assert _token(tls_site, app["client_id"], own)["access_token"]


@pytest.mark.parametrize("how", ["no certificate", "another certificate", "a secret", "http port"])
def test_a_certificate_app_without_its_certificate_is_invalid_client(
    tls_site, self_signed_app, pki_app, how
):
    app, _ = self_signed_app
    form = {"grant_type": "client_credentials", "client_id": app["client_id"]}
    if how == "http port":
        answer = tls_site.plain_request("POST", TOKEN, form=form)
    elif how == "a secret":
        form["client_secret"] = app["client_secret"]
        answer = tls_site.request("POST", TOKEN, context=tls_site.client_context(), form=form)
    else:
        context = tls_site.client_context(pki_app[1] if how == "another certificate" else None)
        answer = tls_site.request("POST", TOKEN, context=context, form=form)

    assert answer.status == 401
    assert answer.json()["error"] == "invalid_client"


def test_introspection_authenticates_by_certificate_and_shows_the_binding(
    tls_site, self_signed_app
):
    app, own = self_signed_app
    token = _token(tls_site, app["client_id"], own)["access_token"]

    answer = tls_site.request(
        "POST",
        INTROSPECT,
        context=tls_site.client_context(own),
        form={"token": token, "client_id": app["client_id"]},
    )

    assert answer.json()["active"] is True
    assert answer.json()["cnf"] == {"x5t#S256": certificates.thumbprint(own.certificate)}


def test_revocation_authenticates_by_certificate(tls_site, self_signed_app):
    app, own = self_signed_app
    token = _token(tls_site, app["client_id"], own)["access_token"]
    context = tls_site.client_context(own)

    revoked = tls_site.request(
        "POST", REVOKE, context=context, form={"token": token, "client_id": app["client_id"]}
    )

    assert revoked.status == 200
    assert tls_site.request("GET", USERINFO, context=context, token=token).status == 401


def test_a_jwt_access_token_carries_the_certificate_thumbprint(tls_site, issuing_ca):
    leaf = certificates.issue(
        issuing_ca, common_name="jwt-app", purpose=certificates.Purpose.CLIENT
    )
    app = _register(tls_site, "jwt app", leaf.certificate_pem + issuing_ca.certificate_pem)
    tls_site.manage(
        "shell",
        "-c",
        "from org.models import ConnectedApp; "
        f"ConnectedApp.objects.filter(client_id='{app['client_id']}').update(jwt_access_tokens=True)",
    )

    token = _token(tls_site, app["client_id"], leaf)["access_token"]
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))

    assert payload["cnf"] == {"x5t#S256": certificates.thumbprint(leaf.certificate)}


def test_j8_a_bound_token_works_with_its_certificate(tls_site, pki_app):
    app, leaf = pki_app
    token = _token(tls_site, app["client_id"], leaf)["access_token"]
    context = tls_site.client_context(leaf)

    assert tls_site.request("GET", QUERY, context=context, token=token).status == 200
    assert tls_site.request("GET", USERINFO, context=context, token=token).status == 200


@pytest.mark.parametrize("resource", [QUERY, USERINFO])
@pytest.mark.parametrize("presented", ["nothing on the TLS port", "the HTTP port", "another"])
def test_j8_a_bound_token_without_its_certificate_is_invalid_token(
    tls_site, pki_app, self_signed_app, resource, presented
):
    app, leaf = pki_app
    token = _token(tls_site, app["client_id"], leaf)["access_token"]

    if presented == "the HTTP port":
        answer = tls_site.plain_request("GET", resource, token=token)
    else:
        other = self_signed_app[1] if presented == "another" else None
        answer = tls_site.request(
            "GET", resource, context=tls_site.client_context(other), token=token
        )

    assert answer.status == 401
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]


def test_enforce_mutual_tls_refuses_that_users_api_calls_without_a_client_certificate(
    tls_site, self_signed_app
):
    plain_app = tls_site.app(
        "--name", "grace's app", "--grant", "client_credentials", "--run-as", GRACE
    )
    form = {
        "grant_type": "client_credentials",
        "client_id": plain_app["client_id"],
        "client_secret": plain_app["client_secret"],
    }
    token = tls_site.plain_request("POST", TOKEN, form=form).json()["access_token"]
    tls_site.manage("enforce_mutual_tls", GRACE)
    try:
        without = tls_site.plain_request("GET", QUERY, token=token)
        with_certificate = tls_site.request(
            "GET", QUERY, context=tls_site.client_context(self_signed_app[1]), token=token
        )
    finally:
        tls_site.manage("enforce_mutual_tls", GRACE, "--off")

    assert without.status == 401
    assert "mutual TLS" in without.headers["WWW-Authenticate"]
    assert with_certificate.status == 200
    assert tls_site.plain_request("GET", QUERY, token=token).status == 200


def test_discovery_names_the_mutual_tls_endpoints(tls_site):
    metadata = tls_site.plain_request("GET", "/.well-known/openid-configuration").json()

    assert metadata["tls_client_certificate_bound_access_tokens"] is True
    assert metadata["mtls_endpoint_aliases"]["token_endpoint"] == tls_site.tls_url + TOKEN
    assert metadata["mtls_endpoint_aliases"]["userinfo_endpoint"] == tls_site.tls_url + USERINFO
    assert "tls_client_auth" in metadata["token_endpoint_auth_methods_supported"]
    assert "self_signed_tls_client_auth" in metadata["token_endpoint_auth_methods_supported"]

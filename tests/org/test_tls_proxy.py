"""Behind a TLS-terminating proxy (nginx), the client certificate arrives in a header. Catalogue
row J7: the header counts only from the proxy addresses the org is configured with."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from django.test import override_settings

from org.connected_apps import create_connected_app
from pki import certificates

TOKEN = "/services/oauth2/token"
USERINFO = "/services/oauth2/userinfo"
PROXY = "127.0.0.9"


@pytest.fixture
def own_certificate():
    return certificates.issue(None, common_name="proxied app", purpose=certificates.Purpose.CLIENT)


@pytest.fixture
def certificate_app(org, own_certificate):
    return create_connected_app(
        name="proxied app",
        grants=["client_credentials"],
        run_as="ada@handshake.example",
        client_certificate=own_certificate.certificate_pem,
    )


def _headers(certificate, *, verdict="SUCCESS", address=PROXY):
    # What nginx sends with proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert.
    return {
        "HTTP_X_SSL_CLIENT_CERT": quote(certificate.certificate_pem),
        "HTTP_X_SSL_CLIENT_VERIFY": verdict,
        "REMOTE_ADDR": address,
    }


def _token_request(client, app, **headers):
    return client.post(
        TOKEN,
        urlencode({"grant_type": "client_credentials", "client_id": app.client_id}),
        content_type="application/x-www-form-urlencoded",
        **headers,
    )


def test_j7_a_client_certificate_header_is_ignored_when_no_proxy_is_trusted(
    client, certificate_app, own_certificate
):
    response = _token_request(client, certificate_app, **_headers(own_certificate))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@override_settings(HANDSHAKE_TLS_TRUSTED_PROXIES=[PROXY])
def test_j7_a_client_certificate_header_from_another_address_is_ignored(
    client, certificate_app, own_certificate
):
    response = _token_request(
        client, certificate_app, **_headers(own_certificate, address="127.0.0.1")
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@override_settings(HANDSHAKE_TLS_TRUSTED_PROXIES=[PROXY])
def test_the_trusted_proxys_header_authenticates_the_app_and_binds_its_token(
    client, certificate_app, own_certificate
):
    response = _token_request(client, certificate_app, **_headers(own_certificate))
    token = response.json()["access_token"]
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    assert response.status_code == 200
    assert client.get(USERINFO, **bearer, **_headers(own_certificate)).status_code == 200
    assert client.get(USERINFO, **bearer).status_code == 401


@override_settings(HANDSHAKE_TLS_TRUSTED_PROXIES=[PROXY])
def test_j7_a_bound_token_with_the_header_forged_by_someone_else_is_invalid_token(
    client, certificate_app, own_certificate
):
    token = _token_request(client, certificate_app, **_headers(own_certificate)).json()
    forged = _headers(own_certificate, address="127.0.0.1")

    response = client.get(USERINFO, HTTP_AUTHORIZATION=f"Bearer {token['access_token']}", **forged)

    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


@override_settings(HANDSHAKE_TLS_TRUSTED_PROXIES=[PROXY])
@pytest.mark.parametrize("verdict", ["NONE", "FAILED:certificate has expired", ""])
def test_the_proxys_header_counts_only_when_the_proxy_verified_the_certificate(
    client, certificate_app, own_certificate, verdict
):
    response = _token_request(client, certificate_app, **_headers(own_certificate, verdict=verdict))

    assert response.status_code == 401


@override_settings(HANDSHAKE_TLS_TRUSTED_PROXIES=[PROXY])
@pytest.mark.parametrize(
    "header",
    [
        "not a certificate",
        "%" * 40000,
        quote("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"),
    ],
)
def test_an_unreadable_certificate_header_from_the_proxy_is_a_clear_refusal(
    client, certificate_app, header
):
    response = _token_request(
        client,
        certificate_app,
        HTTP_X_SSL_CLIENT_CERT=header,
        HTTP_X_SSL_CLIENT_VERIFY="SUCCESS",
        REMOTE_ADDR=PROXY,
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"

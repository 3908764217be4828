"""curl, a client nobody here wrote, against the org's TLS port: it trusts the org's CA with
--cacert, authenticates an RFC 8705 app with --cert/--key, and calls the REST API with the
certificate-bound token it got; the same token without the certificate is refused."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from pki import certificates

pytestmark = pytest.mark.skipif(not shutil.which("curl"), reason="curl is not installed")


def _curl(*args: str) -> tuple[int, str]:
    result = subprocess.run(
        [
            "curl",
            "--silent",
            "--show-error",
            "--max-time",
            "30",
            "--write-out",
            "\n%{http_code}",
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    body, _, status = result.stdout.rpartition("\n")
    return int(status or 0), body or result.stderr


@pytest.fixture(scope="module")
def curl_app(tls_site):
    ca = certificates.make_authority("curl test CA")
    leaf = certificates.issue(ca, common_name="curl", purpose=certificates.Purpose.CLIENT)
    bundle = tls_site.write("curl-bundle.pem", leaf.certificate_pem + ca.certificate_pem)
    app = tls_site.app(
        "--name",
        "curl",
        "--grant",
        "client_credentials",
        "--run-as",
        "ada@handshake.example",
        "--client-cert",
        str(bundle),
    )
    files = {
        "cacert": str(tls_site.write("curl-ca.pem", tls_site.ca_pem)),
        "cert": str(tls_site.write("curl-cert.pem", leaf.certificate_pem)),
        "key": str(tls_site.write("curl-key.pem", leaf.private_key_pem)),
    }
    return app, files


def test_curl_verifies_the_tls_port_against_the_orgs_ca(tls_site, curl_app):
    _, files = curl_app

    status, body = _curl(
        "--cacert", files["cacert"], tls_site.tls_url + "/.well-known/openid-configuration"
    )

    assert status == 200
    assert json.loads(body)["mtls_endpoint_aliases"]["token_endpoint"].startswith(tls_site.tls_url)


def test_curl_without_the_ca_does_not_trust_the_tls_port(tls_site):
    status, message = _curl(tls_site.tls_url + "/.well-known/openid-configuration")

    assert status == 0
    assert "certificate" in message


def test_curl_gets_a_bound_token_with_its_certificate_and_uses_it(tls_site, curl_app):
    app, files = curl_app
    mutual = ["--cacert", files["cacert"], "--cert", files["cert"], "--key", files["key"]]

    status, body = _curl(
        *mutual,
        tls_site.tls_url + "/services/oauth2/token",
        "--data",
        "grant_type=client_credentials",
        "--data",
        f"client_id={app['client_id']}",
    )
    assert status == 200, body
    token = json.loads(body)["access_token"]
    query = "/services/data/v62.0/query?q=SELECT+Name+FROM+Account"
    bearer = ["--header", f"Authorization: Bearer {token}"]

    with_certificate = _curl(*mutual, *bearer, tls_site.tls_url + query)
    without = _curl("--cacert", files["cacert"], *bearer, tls_site.tls_url + query)
    over_http = _curl(*bearer, tls_site.http_url + query)

    assert with_certificate[0] == 200
    assert json.loads(with_certificate[1])["totalSize"] >= 1
    assert without[0] == 401
    assert over_http[0] == 401

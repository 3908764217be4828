"""serve_tls over real sockets: one-way TLS against the org's CA, the HTTP and TLS servers on
one database, and every bad handshake of catalogue row J6 refused with its alert while the
listener goes on serving everyone else."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ObjectIdentifier

from config.org_paths import API_VERSION
from pki import certificates
from tests.org.tls_site import TlsSite

DISCOVERY = "/.well-known/openid-configuration"


@pytest.fixture(scope="module")
def client_ca(tls_site: TlsSite) -> certificates.IssuedCertificate:
    """A CA an app registered (tls_client_auth), so the listener trusts what it issues."""
    ca = certificates.make_authority("J6 client CA", organization="J6 tests")
    leaf = certificates.issue(ca, common_name="j6 app", purpose=certificates.Purpose.CLIENT)
    bundle = tls_site.write("j6-bundle.pem", leaf.certificate_pem + ca.certificate_pem)
    tls_site.app(
        "--name",
        "J6 app",
        "--grant",
        "client_credentials",
        "--run-as",
        "ada@handshake.example",
        "--client-cert",
        str(bundle),
    )
    return ca


def _client(
    ca: certificates.IssuedCertificate,
    *,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> certificates.IssuedCertificate:
    return certificates.issue(
        ca,
        common_name="j6 app",
        purpose=certificates.Purpose.CLIENT,
        not_before=not_before,
        not_after=not_after,
    )


def _still_serving(site: TlsSite) -> None:
    assert site.request("GET", DISCOVERY).status == 200


def test_one_way_tls_verifies_against_the_orgs_ca_by_address_and_name(tls_site):
    for host in ("127.0.0.1", "localhost"):
        answer = tls_site.request("GET", DISCOVERY, host=host)

        assert answer.status == 200
        assert answer.json()["issuer"] == tls_site.http_url


def test_the_server_certificate_is_issued_by_the_published_ca_for_loopback_names(tls_site):
    with (
        socket.create_connection(("127.0.0.1", tls_site.tls_port), timeout=30) as raw,
        tls_site.client_context().wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        peer = x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))
        version = tls.version()

    described = certificates.describe(peer)
    assert described.issuer == certificates.read_pem(tls_site.ca_pem).subject.rfc4514_string()
    assert {"DNS:localhost", "IP:127.0.0.1"} <= set(described.alternative_names)
    assert described.extended_key_usage == ("serverAuth",)
    assert version in {"TLSv1.2", "TLSv1.3"}


def test_a_client_that_was_not_told_about_the_ca_refuses_the_server(tls_site):
    context = ssl.create_default_context()
    with (
        socket.create_connection(("127.0.0.1", tls_site.tls_port), timeout=30) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        context.wrap_socket(raw, server_hostname="127.0.0.1")
    _still_serving(tls_site)


def test_serve_tls_and_the_http_server_share_one_database(tls_site):
    app = tls_site.app(
        "--name", "shared db", "--grant", "client_credentials", "--run-as", "ada@handshake.example"
    )
    credentials = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    issued = tls_site.plain_request(
        "POST", "/services/oauth2/token", form={"grant_type": "client_credentials", **credentials}
    )
    token = issued.json()["access_token"]

    answer = tls_site.request(
        "POST", "/services/oauth2/introspect", form={"token": token, **credentials}
    )

    assert answer.json()["active"] is True


def test_j6_an_expired_client_certificate_is_refused_with_certificate_expired(tls_site, client_ca):
    now = datetime.now(UTC)
    expired = _client(
        client_ca, not_before=now - timedelta(days=30), not_after=now - timedelta(days=1)
    )

    error = tls_site.handshake_error(tls_site.client_context(expired))

    assert "CERTIFICATE_EXPIRED" in error.reason
    _still_serving(tls_site)


def test_j6_a_not_yet_valid_client_certificate_is_refused(tls_site, client_ca):
    now = datetime.now(UTC)
    early = _client(
        client_ca, not_before=now + timedelta(days=1), not_after=now + timedelta(days=30)
    )

    error = tls_site.handshake_error(tls_site.client_context(early))

    # OpenSSL answers "not valid yet" with bad_certificate (RFC 8446 §6.2), "expired" with
    # certificate_expired.
    assert "BAD_CERTIFICATE" in error.reason
    _still_serving(tls_site)


def test_j6_a_wrongly_signed_client_certificate_is_refused(tls_site, client_ca):
    impostor = certificates.make_authority("J6 client CA", organization="J6 tests")
    forged = _client(impostor)

    error = tls_site.handshake_error(tls_site.client_context(forged))

    assert "UNKNOWN_CA" in error.reason
    _still_serving(tls_site)


def test_j6_a_certificate_meant_for_servers_is_refused_as_a_client_certificate(tls_site, client_ca):
    server_only = certificates.issue(
        client_ca, common_name="j6 app", purpose=certificates.Purpose.SERVER
    )

    error = tls_site.handshake_error(tls_site.client_context(server_only))

    assert "UNSUPPORTED_CERTIFICATE" in error.reason
    _still_serving(tls_site)


def test_j6_a_self_signed_certificate_is_refused_where_a_ca_is_required(tls_site, client_ca):
    self_signed = certificates.issue(
        None, common_name="j6 app", purpose=certificates.Purpose.CLIENT
    )

    error = tls_site.handshake_error(tls_site.client_context(self_signed))

    assert "UNKNOWN_CA" in error.reason
    _still_serving(tls_site)


def test_j6_a_one_megabyte_client_certificate_is_refused(tls_site, client_ca):
    huge = _oversized_certificate(client_ca, size=1024 * 1024)

    # The server hangs up mid-upload: the client sees an alert, a reset or a broken pipe.
    with pytest.raises((ssl.SSLError, ConnectionError)):
        _request_over(tls_site, tls_site.client_context(huge))

    assert "EXCESSIVE_MESSAGE_SIZE" in tls_site.log()
    _still_serving(tls_site)


def test_j6_a_half_finished_handshake_neither_blocks_others_nor_stays_open(tls_site):
    with socket.create_connection(("127.0.0.1", tls_site.tls_port), timeout=30) as stalled:
        # The first bytes of a TLS record carrying a ClientHello, and then nothing.
        stalled.sendall(bytes([22, 3, 1, 0, 200, 1]))

        _still_serving(tls_site)
        _still_serving(tls_site)

        # Past the handshake deadline the server closes its end.
        assert stalled.recv(1024) == b""
    assert "did not finish in time" in tls_site.log()


def test_j6_tls_1_0_is_refused(tls_site):
    context = tls_site.client_context()
    # Python itself deprecates TLS 1.0.
    with pytest.warns(DeprecationWarning, match="TLSv1"):
        context.minimum_version = ssl.TLSVersion.TLSv1
    with pytest.warns(DeprecationWarning, match="TLSv1"):
        context.maximum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")

    with (
        socket.create_connection(("127.0.0.1", tls_site.tls_port), timeout=30) as raw,
        pytest.raises(ssl.SSLError) as refused,
    ):
        context.wrap_socket(raw, server_hostname="127.0.0.1")

    assert refused.value.reason
    _still_serving(tls_site)


def test_j6_every_refusal_is_logged_with_its_reason_and_no_secret(tls_site, client_ca):
    now = datetime.now(UTC)
    expired = _client(
        client_ca, not_before=now - timedelta(days=3), not_after=now - timedelta(days=1)
    )
    tls_site.handshake_error(tls_site.client_context(expired))

    log = tls_site.log()

    assert "refused: client certificate refused: certificate has expired" in log
    assert "PRIVATE KEY" not in log
    assert expired.private_key_pem.splitlines()[1] not in log


def _request_over(site: TlsSite, context: ssl.SSLContext) -> None:
    with (
        socket.create_connection(("127.0.0.1", site.tls_port), timeout=30) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        tls.recv(1)


def _oversized_certificate(
    ca: certificates.IssuedCertificate, *, size: int
) -> certificates.IssuedCertificate:
    normal = _client(ca)
    padded = (
        x509.CertificateBuilder()
        .subject_name(normal.certificate.subject)
        .issuer_name(ca.certificate.subject)
        .public_key(normal.private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(normal.certificate.not_valid_before_utc)
        .not_valid_after(normal.certificate.not_valid_after_utc)
        .add_extension(
            # A private extension no one understands, a megabyte long: far past any real chain.
            x509.UnrecognizedExtension(ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\0" * size),
            critical=False,
        )
        .sign(ca.private_key, hashes.SHA256())
    )
    return certificates.IssuedCertificate(certificate=padded, private_key=normal.private_key)


def test_a_client_that_sends_half_a_request_does_not_hold_up_others(tls_site):
    with (
        socket.create_connection(("127.0.0.1", tls_site.tls_port), timeout=30) as raw,
        tls_site.client_context().wrap_socket(raw, server_hostname="127.0.0.1") as slow,
    ):
        slow.sendall(b"POST /services/oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\n")

        _still_serving(tls_site)
        _still_serving(tls_site)


def test_a_request_body_larger_than_the_listener_takes_is_answered_413(tls_site):
    with (
        socket.create_connection(("127.0.0.1", tls_site.tls_port), timeout=30) as raw,
        tls_site.client_context().wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(
            b"POST /services/oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 999999999\r\n\r\n"
        )
        answer = tls.recv(4096)

    assert answer.startswith(b"HTTP/1.1 413")
    _still_serving(tls_site)


def test_a_streaming_connect_over_tls_is_not_held_and_its_advice_says_to_poll(tls_site):
    """The listener runs Django on 8 threads: a connect held there for up to 110 s would keep
    one, so it is answered after one look and the client told to come back in a second."""
    app = tls_site.app(
        "--name", "TLS streaming", "--grant", "client_credentials", "--scope", "api",
        "--run-as", "ada@handshake.example",
    )  # fmt: skip
    issued = tls_site.plain_request(
        "POST",
        "/services/oauth2/token",
        form={"grant_type": "client_credentials", **app},
    )
    token = issued.json()["access_token"]
    cometd, orders = f"/cometd/{API_VERSION}", "/event/Order_Placed__e"

    def bayeux(message: Mapping[str, object]) -> list[dict[str, Any]]:
        answer = tls_site.post_json(cometd, [message], token=token)
        assert answer.status == 200, answer.body
        replies: list[dict[str, Any]] = answer.json()
        return replies

    handshake = {"channel": "/meta/handshake", "version": "1.0",
                 "supportedConnectionTypes": ["long-polling"]}  # fmt: skip
    client_id = bayeux(handshake)[0]["clientId"]
    subscribe = {"channel": "/meta/subscribe", "clientId": client_id, "subscription": orders,
                 "ext": {"replay": {orders: -1}}}  # fmt: skip
    assert bayeux(subscribe)[0]["successful"] is True
    connect = {"channel": "/meta/connect", "clientId": client_id,
               "connectionType": "long-polling", "advice": {"timeout": 60_000}}  # fmt: skip
    for _ in range(2):  # the first connect, then one that would be held on the HTTP port
        (reply,) = bayeux(connect)
        assert reply["advice"] == {"interval": 1000, "timeout": 0, "reconnect": "retry"}

    published = tls_site.plain_request(
        "POST",
        f"/services/data/v{API_VERSION}/sobjects/Order_Placed__e/",
        token=token,
        json_body={"Order_Number__c": "TLS-1"},
    )
    assert published.status == 201, published.body
    *events, reply = bayeux(connect)
    assert [event["data"]["payload"]["Order_Number__c"] for event in events] == ["TLS-1"]
    assert reply["successful"] is True

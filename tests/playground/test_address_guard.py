"""The private-address guard: the playground reaches only public addresses (security-critical).

Every test here is offline: `no_packets` fails a test that tries to open a connection, and a
name that must resolve to chosen addresses resolves through a stand-in for `getaddrinfo`.
"""

from __future__ import annotations

import socket

import httpcore
import pytest
from django.urls import reverse

from playground.address_guard import PublicOnlyBackend, refused_address
from playground.exchange import OutgoingRequest
from playground.models import ExternalServer
from playground.transports import HttpxTransport

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_packets(monkeypatch):
    """Fail the test if anything tries to open a connection."""

    def refuse(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("localhost", "loopback"),
        ("[::1]", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("[fe80::1]", "link-local"),
        ("[::ffff:10.0.0.1]", "private"),
        ("0.0.0.0", "private"),
    ],
)
def test_private_loopback_and_link_local_targets_are_refused_without_a_packet(
    client, settings, no_packets, host, kind
):
    settings.HANDSHAKE_ALLOW_PRIVATE_TARGETS = False

    response = client.post(
        reverse("playground:server_list"),
        {"issuer": f"https://{host}", "client_id": "x", "client_auth": "client_secret_basic"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "The playground cannot use this server." in page
    assert f"a {kind}" in page
    assert "the playground only calls public servers" in page
    assert not ExternalServer.objects.exists()


def test_plain_http_issuers_are_refused_when_private_targets_are_not_allowed(
    client, settings, no_packets
):
    settings.HANDSHAKE_ALLOW_PRIVATE_TARGETS = False

    response = client.post(
        reverse("playground:server_list"),
        {"issuer": "http://example.com", "client_id": "x", "client_auth": "client_secret_basic"},
    )

    assert response.status_code == 400
    assert "Use an https URL" in response.content.decode()


def test_the_address_check_looks_at_every_address_a_name_resolves_to(monkeypatch):
    def two_answers(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", two_answers)

    assert "10.0.0.7" in refused_address("sneaky.example", 443)


def test_the_connection_goes_to_the_address_that_was_checked(monkeypatch):
    answers = iter(
        [
            [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))],
            [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 443))],
        ]
    )
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: next(answers))
    connected = []
    monkeypatch.setattr(
        httpcore.SyncBackend,
        "connect_tcp",
        lambda self, host, port, *args, **kwargs: connected.append(host),
    )

    PublicOnlyBackend().connect_tcp("rebinding.example", 443)

    # One lookup, checked, then used: a second answer (DNS rebinding) is never asked for.
    assert connected == ["93.184.215.14"]


def test_a_refused_address_is_an_exchange_with_no_response(no_packets):
    exchange = HttpxTransport(allow_private=False).send(
        OutgoingRequest.get("https://169.254.169.254/latest/meta-data/")
    )

    assert exchange.status == 0
    assert exchange.error.startswith("Not sent:")
    assert "link-local" in exchange.error

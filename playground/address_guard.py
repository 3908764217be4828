"""The private-address guard: the playground connects only to public addresses."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx


class RefusedAddress(httpcore.ConnectError):
    """The target resolves to an address the playground must not reach; nothing was sent."""


def checked_addresses(host: str, port: int) -> tuple[tuple[str, ...], str]:
    """The addresses `host` resolves to, and why they must not be contacted (empty: they may).

    Every address counts: a name that resolves to one public and one private address could
    send the connection to either (RFC 9700 §4.16 warns of exactly this server-side fetching).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as problem:
        return (), f"{host} does not resolve ({problem})."
    found = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    for text in found:
        address = ipaddress.ip_address(text.partition("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            kind = (
                "loopback"
                if address.is_loopback
                else "link-local"
                if address.is_link_local
                else "private or reserved"
            )
            return found, (
                f"{host} resolves to {address}, a {kind} address; "
                "the playground only calls public servers."
            )
    return found, ""


def refused_address(host: str, port: int) -> str:
    """Why `host` must not be contacted (empty when every address it resolves to is public)."""
    return checked_addresses(host, port)[1]


class PublicOnlyBackend(httpcore.NetworkBackend):
    """Connect only to public addresses, checked at connection time (so DNS cannot change the
    answer between a check and the connection)."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses, problem = checked_addresses(host, port)
        if problem or not addresses:
            raise RefusedAddress(problem or f"{host} has no address.")
        # Connect to an address that was just checked, never to a fresh lookup of the name.
        return self._inner.connect_tcp(addresses[0], port, timeout, local_address, socket_options)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise RefusedAddress("The playground does not use local sockets.")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class PublicOnlyTransport(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__(trust_env=False)
        # httpx's own pool, given a network backend that refuses non-public addresses.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=PublicOnlyBackend(),
        )

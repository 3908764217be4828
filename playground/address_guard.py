"""The private-address guard: the playground connects only to public addresses."""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpcore


class RefusedAddress(httpcore.ConnectError):
    """The target resolves to an address the playground must not reach; nothing was sent."""


def _resolve(host: str, port: int, timeout: float | None) -> list[Any]:
    """getaddrinfo, waited for at most `timeout` seconds: the system resolver takes no
    deadline, and a name server that never answers would hold the request for its retries."""
    if timeout is None:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        lookup = pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        return lookup.result(timeout)
    finally:
        pool.shutdown(wait=False)  # a lookup still running ends on its own, unwaited for


def checked_addresses(
    host: str, port: int, *, timeout: float | None = None
) -> tuple[tuple[str, ...], str]:
    """The addresses `host` resolves to, and why they must not be contacted (empty: they may).

    Every address counts: a name that resolves to one public and one private address could
    send the connection to either (RFC 9700 §4.16 warns of exactly this server-side fetching).
    """
    try:
        infos = _resolve(host, port, timeout)
    except TimeoutError:
        return (), f"{host} did not resolve within the time limit."
    except (OSError, UnicodeError) as problem:
        return (), f"{host} does not resolve ({problem})."
    found = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    for text in found:
        if kind := refused_kind(ipaddress.ip_address(text.partition("%")[0])):
            return found, (
                f"{host} resolves to {text}, a {kind} address; "
                "the playground only calls public servers."
            )
    return found, ""


# IPv6 prefixes whose last 32 bits are an IPv4 address that a host or a translator may reach:
# IPv4-compatible (RFC 4291 §2.5.5.1, deprecated but still routed by some stacks), IPv4-mapped
# (§2.5.5.2), SIIT's IPv4-translated (RFC 2765 §2.1) and NAT64's well-known prefix (RFC 6052 §2.1).
_CARRIES_IPV4 = tuple(
    ipaddress.IPv6Network(prefix)
    for prefix in ("::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96")
)


def _carried_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address in (ipaddress.IPv6Address("::"), ipaddress.IPv6Address("::1")):
        return None  # the unspecified and loopback addresses, refused as IPv6 already
    if any(address in prefix for prefix in _CARRIES_IPV4):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refused_kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """What kind of address this is, when the playground must not reach it (empty: it may).

    An IPv6 address that carries an IPv4 one is judged by the IPv4 address it reaches.
    """
    if isinstance(address, ipaddress.IPv6Address) and (carried := _carried_ipv4(address)):
        address = carried
    if address.is_global and not address.is_multicast:
        return ""
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    return "private or reserved"


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
        started = time.monotonic()
        addresses, problem = checked_addresses(host, port, timeout=timeout)
        if problem or not addresses:
            raise RefusedAddress(problem or f"{host} has no address.")
        # The lookup spent part of the time the connection was given.
        left = None if timeout is None else max(timeout - (time.monotonic() - started), 0.001)
        # Connect to an address that was just checked, never to a fresh lookup of the name.
        return self._inner.connect_tcp(addresses[0], port, left, local_address, socket_options)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise RefusedAddress("The playground does not use local sockets.")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)

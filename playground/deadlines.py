"""One deadline for a whole outgoing exchange: connect, TLS, send and every read share it.

httpx's timeouts count per operation, so a server that sends a byte just before each read
times out can hold a request for as long as it likes. Here every socket operation gets only
what is left of the exchange's time, and none starts once it is spent.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx


class _Clock:
    def __init__(self, seconds: float) -> None:
        self._ends = time.monotonic() + seconds

    def left(self, asked: float | None, expired: type[Exception]) -> float:
        """The time an operation may take: what it asked, capped by what is left."""
        remaining = self._ends - time.monotonic()
        if remaining <= 0:
            raise expired("The exchange's time limit was reached.")
        return remaining if asked is None else min(asked, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, clock: _Clock) -> None:
        self._inner = inner
        self._clock = clock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._clock.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._clock.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        wait = self._clock.left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.start_tls(ssl_context, server_hostname, wait), self._clock
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend, clock: _Clock) -> None:
        self._inner = inner
        self._clock = clock

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        wait = self._clock.left(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, wait, local_address, socket_options)
        return _DeadlineStream(stream, self._clock)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        wait = self._clock.left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.connect_unix_socket(path, wait, socket_options), self._clock
        )

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def transport_within(
    seconds: float,
    backend: httpcore.NetworkBackend,
    *,
    ssl_context: ssl.SSLContext | None = None,
) -> httpx.HTTPTransport:
    """An httpx transport whose connections, made through `backend`, all end `seconds` from
    now. Make one per exchange: its clock starts when it is made. `ssl_context` replaces the
    default trust (a private CA, a client certificate for mutual TLS)."""
    transport = httpx.HTTPTransport(trust_env=False)
    # httpx's own pool, given a network backend that keeps the deadline.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
        network_backend=_DeadlineBackend(backend, _Clock(seconds)),
    )
    return transport

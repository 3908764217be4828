"""The TLS listener `serve_tls` runs: the site's WSGI application over TLS 1.2/1.3.

Every connection is handled by one asyncio event loop, so a client that stops halfway through
its handshake, or sends its request a byte at a time, holds nothing but its own socket: the
accept loop never waits on anyone. Each exchange has one deadline — the handshake
(HANDSHAKE_SECONDS), then each request (REQUEST_SECONDS) — and a connection past it is
closed. Django runs in a pool of threads, handed a request only once it has fully arrived.

HTTP/1.1 is parsed by h11. The client certificate the handshake verified reaches the
application in the WSGI environ (org.tls.client_certificate.ENVIRON_KEY), never in a header.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import ssl
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

import h11
from django.db import DatabaseError

from org.tls.channel import TlsChannel
from org.tls.client_certificate import ENVIRON_KEY

HANDSHAKE_SECONDS = 10.0
REQUEST_SECONDS = 30.0
MAX_BODY = 10 * 1024 * 1024
MAX_HEAD = 64 * 1024
MAX_CONNECTIONS = 1000

logger = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class Limits:
    handshake_seconds: float = HANDSHAKE_SECONDS
    request_seconds: float = REQUEST_SECONDS
    max_body: int = MAX_BODY
    max_connections: int = MAX_CONNECTIONS


class ClientGone(Exception):
    """The client closed, stalled past its deadline, or broke HTTP/1.1."""


@dataclass(frozen=True)
class Reply:
    status: int
    reason: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes


def refusal_reason(error: BaseException) -> str:
    """What went wrong in a handshake, in words fit for a log (never a key or a secret)."""
    if isinstance(error, TimeoutError):
        return "the handshake did not finish in time"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"client certificate refused: {error.verify_message}"
    if isinstance(error, ssl.SSLError):
        return f"TLS error: {error.reason or error.strerror or type(error).__name__}"
    return f"connection lost: {type(error).__name__}"


class TlsListener:
    def __init__(
        self,
        app: WsgiApp,
        *,
        context: Callable[[], ssl.SSLContext],
        workers: int = 8,
        limits: Limits = Limits(),
    ) -> None:
        self.app = app
        self.context = context
        self.limits = limits
        self._workers = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tls-app")
        # The trust check touches the database; one thread keeps it off the event loop.
        self._trust = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tls-trust")
        self._open = 0

    async def serve(self, host: str, port: int, *, ready: Callable[[], None] | None = None) -> None:
        server = await asyncio.start_server(self._accepted, host, port, limit=MAX_HEAD)
        if ready is not None:
            ready()
        async with server:
            await server.serve_forever()

    def close(self) -> None:
        self._workers.shutdown(wait=False, cancel_futures=True)
        self._trust.shutdown(wait=False, cancel_futures=True)

    async def _accepted(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername") or ("", 0)
        if self._open >= self.limits.max_connections:
            writer.transport.abort()
            return
        self._open += 1
        try:
            channel = await self._handshake(reader, writer, peer)
            if channel is not None:
                with contextlib.suppress(ClientGone, ssl.SSLError, OSError, ConnectionError):
                    await _Connection(self, channel, writer, peer).serve()
                await channel.close()
        finally:
            self._open -= 1
            writer.transport.abort()

    async def _handshake(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: tuple[Any, ...]
    ) -> TlsChannel | None:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.limits.handshake_seconds):
                try:
                    context = await loop.run_in_executor(self._trust, self.context)
                except DatabaseError:
                    # No trust to check against: refuse this client, keep serving the rest.
                    logger.exception(
                        "TLS handshake with %s:%s refused: trust unreadable", *peer[:2]
                    )
                    return None
                channel = TlsChannel(context, reader, writer)
                await channel.handshake()
        except (ssl.SSLError, TimeoutError, OSError, ConnectionError) as error:
            logger.info("TLS handshake with %s:%s refused: %s", *peer[:2], refusal_reason(error))
            return None
        return channel

    async def call_app(self, environ: dict[str, Any]) -> Reply:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._workers, _run_wsgi, self.app, environ)


class _Connection:
    """One TLS connection: requests in, replies out, until either side closes."""

    def __init__(
        self,
        listener: TlsListener,
        channel: TlsChannel,
        writer: asyncio.StreamWriter,
        peer: tuple[Any, ...],
    ) -> None:
        tls = channel.tls
        self.listener = listener
        self.channel = channel
        self.writer = writer
        self.peer = peer
        self.http = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
        self.tls_environ: dict[str, Any] = {
            "HTTPS": "on",
            "SSL_PROTOCOL": tls.version() or "",
            "SSL_CIPHER": (tls.cipher() or ("",))[0],
        }
        # CERT_OPTIONAL: a certificate is here only if the handshake verified it.
        der = tls.getpeercert(binary_form=True)
        if der:
            self.tls_environ[ENVIRON_KEY] = der

    async def serve(self) -> None:
        while True:
            try:
                async with asyncio.timeout(self.listener.limits.request_seconds):
                    request, body = await self._read_request()
            except TimeoutError:
                raise ClientGone from None
            except h11.RemoteProtocolError as error:
                await self._send_plain(error.error_status_hint, "bad request")
                return
            except _TooLarge:
                await self._send_plain(413, "request body too large")
                return
            if request is None:
                return
            reply = await self.listener.call_app(self._environ(request, body))
            await self._send(request, reply)
            if self.http.our_state is h11.MUST_CLOSE or self.http.their_state is h11.MUST_CLOSE:
                return
            try:
                self.http.start_next_cycle()
            except h11.LocalProtocolError:
                return

    async def _next_event(self) -> Any:
        while True:
            event = self.http.next_event()
            if event is not h11.NEED_DATA:
                return event
            data = await self.channel.read()
            self.http.receive_data(data)  # b"" tells h11 the client closed

    async def _read_request(self) -> tuple[h11.Request | None, bytes]:
        event = await self._next_event()
        if isinstance(event, h11.ConnectionClosed):
            return None, b""
        if not isinstance(event, h11.Request):
            raise ClientGone
        for name, value in event.headers:
            if name == b"content-length" and int(value) > self.listener.limits.max_body:
                raise _TooLarge
        body = bytearray()
        while True:
            part = await self._next_event()
            if isinstance(part, h11.Data):
                body += part.data
                if len(body) > self.listener.limits.max_body:
                    raise _TooLarge
            elif isinstance(part, h11.EndOfMessage):
                return event, bytes(body)
            else:
                raise ClientGone

    def _environ(self, request: h11.Request, body: bytes) -> dict[str, Any]:
        target = request.target.decode("latin-1")
        path, _, query = target.partition("?")
        host, port = self.writer.get_extra_info("sockname")[:2]
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method.decode("ascii"),
            "SCRIPT_NAME": "",
            # PEP 3333: PATH_INFO is the URL-decoded path, its bytes as latin-1.
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": query,
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": "HTTP/" + request.http_version.decode("ascii"),
            "REMOTE_ADDR": str(self.peer[0]),
            "REMOTE_PORT": str(self.peer[1]),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            **self.tls_environ,
        }
        for raw_name, raw_value in request.headers:
            name = raw_name.decode("latin-1")
            if "_" in name:
                # X-SSL_Client-Cert would become the same key as X-SSL-Client-Cert: dropped, as
                # Django's runserver and nginx drop them.
                continue
            key = name.upper().replace("-", "_")
            if key not in {"CONTENT_TYPE", "CONTENT_LENGTH"}:
                key = "HTTP_" + key
            value = raw_value.decode("latin-1")
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ

    async def _send(self, request: h11.Request, reply: Reply) -> None:
        headers = [
            (name, value) for name, value in reply.headers if name.lower() != b"content-length"
        ]
        headers.append((b"content-length", str(len(reply.body)).encode()))
        data = (
            self.http.send(
                h11.Response(status_code=reply.status, headers=headers, reason=reply.reason)
            )
            or b""
        )
        if request.method != b"HEAD" and reply.body:
            data += self.http.send(h11.Data(data=reply.body)) or b""
        data += self.http.send(h11.EndOfMessage()) or b""
        await self.channel.write(data)

    async def _send_plain(self, status: int, text: str) -> None:
        if self.http.our_state is not h11.IDLE and self.http.our_state is not h11.SEND_RESPONSE:
            return
        body = text.encode()
        try:
            data = self.http.send(
                h11.Response(
                    status_code=status,
                    headers=[
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close"),
                    ],
                )
            )
            data = (data or b"") + (self.http.send(h11.Data(data=body)) or b"")
            data += self.http.send(h11.EndOfMessage()) or b""
        except h11.LocalProtocolError:
            return
        await self.channel.write(data)


class _TooLarge(Exception):
    pass


def _run_wsgi(app: WsgiApp, environ: dict[str, Any]) -> Reply:
    started: dict[str, Any] = {}
    written: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        code, _, reason = status.partition(" ")
        started["status"], started["reason"] = int(code), reason.encode("latin-1")
        started["headers"] = [
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in headers
        ]
        return written.append

    result = app(environ, start_response)
    try:
        written.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return Reply(
        status=started["status"],
        reason=started["reason"],
        headers=started["headers"],
        body=b"".join(written),
    )

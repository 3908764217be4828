"""The transports: through this site's own handler in-process, or over the network with httpx."""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest

from playground.address_guard import PublicOnlyBackend, RefusedAddress
from playground.capped_bodies import UnreadableBody, read_capped
from playground.deadlines import transport_within
from playground.exchange import HttpExchange, OutgoingRequest, record


class _InnerHandler(BaseHandler):
    """Django's request handler, minus the request_started/request_finished signals.

    Those signals run close_old_connections, which would close the database connection of the
    request that is *sending* this one (and, inside a transaction, break it). The outer request
    still fires them itself when it ends.
    """

    def __init__(self) -> None:
        super().__init__()
        self.load_middleware()


@dataclass
class InProcessTransport:
    """Send a request through this site's own URL resolver and middleware, with no socket.

    A loopback HTTP call would deadlock a single-worker server waiting on itself; dispatching
    the real WSGI request in-process keeps every byte real and works with any worker count.
    The request runs in autocommit, exactly as a separate request would: never call this from
    inside `transaction.atomic()`.
    """

    _handler: _InnerHandler | None = field(default=None, repr=False)

    def send(self, request: OutgoingRequest) -> HttpExchange:
        if self._handler is None:
            self._handler = _InnerHandler()
        parts = urlsplit(request.url)
        sent = [("Host", parts.netloc), *request.headers]
        if request.body or request.method == "POST":
            sent.append(("Content-Length", str(len(request.body))))
        environ = _environ(request, parts.scheme, parts.netloc, parts.path, parts.query, sent)
        started = time.perf_counter()
        response = self._handler.get_response(WSGIRequest(environ))
        content: bytes = (
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
            if response.streaming
            else response.content  # type: ignore[attr-defined]
        )
        elapsed = (time.perf_counter() - started) * 1000
        # Not response.close(): it sends request_finished (see _InnerHandler).
        headers = list(response.items())
        headers += [("Set-Cookie", c.output(header="").strip()) for c in response.cookies.values()]
        return record(
            request,
            sent_headers=sent,
            status=response.status_code,
            response_headers=headers,
            response_body=content,
            elapsed_ms=elapsed,
        )


def _environ(
    request: OutgoingRequest,
    scheme: str,
    netloc: str,
    path: str,
    query: str,
    headers: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    host, _, port = netloc.partition(":")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "PATH_INFO": path or "/",
        "SCRIPT_NAME": "",
        "QUERY_STRING": query,
        "SERVER_NAME": host,
        "SERVER_PORT": port or ("443" if scheme == "https" else "80"),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multiprocess": False,
        "wsgi.multithread": True,
        "wsgi.run_once": False,
    }
    for name, value in headers:
        key = name.upper().replace("-", "_")
        if key in {"CONTENT_TYPE", "CONTENT_LENGTH"}:
            environ[key] = value
        else:
            environ[f"HTTP_{key}"] = value
    return environ


@dataclass
class HttpxTransport:
    """Talk to a server over the network within one deadline, with a cap on what is read.

    `timeout` bounds the whole exchange, from connecting to the body's last byte. Redirects
    are never followed. Unless `allow_private`, only public addresses are contacted (a
    `client` passed in brings its own transport and is trusted as it is).
    """

    timeout: float = 5.0
    max_body: int = 1024 * 1024
    client: httpx.Client | None = field(default=None, repr=False)
    allow_private: bool = False

    def _new_client(self) -> httpx.Client:
        backend = httpcore.SyncBackend() if self.allow_private else PublicOnlyBackend()
        return httpx.Client(
            timeout=self.timeout,
            follow_redirects=False,
            transport=transport_within(self.timeout, backend),
            trust_env=False,
        )

    def send(self, request: OutgoingRequest) -> HttpExchange:
        client = self.client or self._new_client()
        sent: list[tuple[str, str]] = list(request.headers)
        started = time.perf_counter()
        try:
            # Inside the try: httpx refuses some URLs (a control character, a host IDNA
            # cannot encode) only as it builds the request.
            outgoing = client.build_request(
                request.method, request.url, headers=list(request.headers), content=request.body
            )
            sent = [(k.title(), v) for k, v in outgoing.headers.multi_items()]
            response = client.send(outgoing, stream=True, follow_redirects=False)
            try:
                body = read_capped(response, self.max_body)
            finally:
                response.close()
        except (httpx.HTTPError, httpx.InvalidURL, UnicodeError, UnreadableBody) as problem:
            return record(
                request,
                sent_headers=sent,
                status=0,
                response_headers=(),
                response_body=b"",
                elapsed_ms=(time.perf_counter() - started) * 1000,
                error=_describe(problem),
            )
        finally:
            if self.client is None:
                client.close()
        return record(
            request,
            sent_headers=sent,
            status=response.status_code,
            response_headers=[(k.title(), v) for k, v in response.headers.multi_items()],
            response_body=body.content,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            cut=body.cut,
        )


def _describe(problem: Exception) -> str:
    if isinstance(problem, httpx.InvalidURL | UnicodeError):
        return f"Not sent: the URL cannot be sent as it is ({problem})."
    if isinstance(problem, UnreadableBody):
        return f"Unreadable answer: {problem}"
    if isinstance(problem.__cause__, RefusedAddress):
        return f"Not sent: {problem}"
    if isinstance(problem, httpx.TimeoutException):
        return f"Timed out: no answer within the time limit ({type(problem).__name__})."
    return f"{type(problem).__name__}: {problem}"

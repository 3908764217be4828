"""HTTP round trips as data: what was sent, what came back, and which parts are secrets."""

from __future__ import annotations

import io
import json
import re
import time
from base64 import b64encode
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit

import httpx
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest

# What a recorded body may weigh before it is cut (the display and the stored run stay small).
MAX_RECORDED_BODY = 256 * 1024

# Parameter names whose values are credentials: marked wherever they appear in an exchange.
SECRET_NAMES = frozenset(
    {
        "access_token",
        "actor_token",
        "assertion",
        "client_assertion",
        "client_secret",
        "code",
        "code_verifier",
        "device_code",
        "id_token",
        "password",
        "refresh_token",
        "subject_token",
        "token",
    }
)
# Shorter values would be marked all over the place by accident ("1", "ok").
_MIN_SECRET_LENGTH = 6


@dataclass(frozen=True)
class Segment:
    """A run of text, flagged when it is (part of) a secret so the page can mark it."""

    text: str
    secret: bool


@dataclass(frozen=True)
class OutgoingRequest:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    @classmethod
    def form(
        cls,
        url: str,
        fields: Mapping[str, str] | Sequence[tuple[str, str]],
        *,
        basic_auth: tuple[str, str] | None = None,
    ) -> OutgoingRequest:
        """A form POST (RFC 6749 §3.2: the token endpoint takes form-encoded parameters)."""
        pairs = list(fields.items()) if isinstance(fields, Mapping) else list(fields)
        headers = [
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
        ]
        if basic_auth is not None:
            # RFC 6749 §2.3.1: form-encode the id and secret, then Base64 "id:secret".
            pair = ":".join(quote_plus(part) for part in basic_auth)
            headers.append(("Authorization", "Basic " + b64encode(pair.encode()).decode()))
        return cls("POST", url, tuple(headers), urlencode(pairs).encode())

    @classmethod
    def get(cls, url: str, *, bearer: str | None = None) -> OutgoingRequest:
        headers = [("Accept", "application/json")]
        if bearer is not None:
            # RFC 6750 §2.1: the token goes in the Authorization header, never in the URL.
            headers.append(("Authorization", f"Bearer {bearer}"))
        return cls("GET", url, tuple(headers))


@dataclass(frozen=True)
class HttpExchange:
    """One request and its response, byte for byte as far as text allows.

    `status` 0 means no response arrived; `error` then says why. An OAuth error is not that:
    it is an ordinary exchange with a 4xx status.
    """

    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: str
    status: int
    response_headers: tuple[tuple[str, str], ...]
    response_body: str
    elapsed_ms: float
    secrets: tuple[str, ...] = ()
    error: str = ""
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def reason(self) -> str:
        try:
            return HTTPStatus(self.status).phrase
        except ValueError:
            return ""

    @property
    def target(self) -> str:
        parts = urlsplit(self.url)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == wanted), None)

    @property
    def location(self) -> str | None:
        return self.header("Location")

    def json_body(self) -> dict[str, Any]:
        try:
            data = json.loads(self.response_body)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def json_value(self) -> Any:
        try:
            return json.loads(self.response_body)
        except ValueError:
            return None

    def request_text(self) -> str:
        lines = [f"{self.method} {self.target} HTTP/1.1"]
        lines += [f"{name}: {value}" for name, value in self.request_headers]
        return "\n".join(lines) + ("\n\n" + self.request_body if self.request_body else "")

    def response_text(self) -> str:
        if self.status == 0:
            return f"(no response: {self.error})"
        lines = [f"HTTP/1.1 {self.status} {self.reason}".rstrip()]
        lines += [f"{name}: {value}" for name, value in self.response_headers]
        body = _pretty(self.response_body, self.header("Content-Type") or "")
        return "\n".join(lines) + ("\n\n" + body if body else "")

    def request_segments(self) -> tuple[Segment, ...]:
        return mark_secrets(self.request_text(), self.secrets)

    def response_segments(self) -> tuple[Segment, ...]:
        return mark_secrets(self.response_text(), self.secrets)

    def with_secrets(self, values: Iterable[str]) -> HttpExchange:
        return replace(self, secrets=_with_encodings(self.secrets, values))


def _pretty(body: str, content_type: str) -> str:
    """Indent JSON so a room can read it; every other body is shown exactly as received."""
    if "json" not in content_type:
        return body
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


def _with_encodings(existing: Iterable[str], values: Iterable[str]) -> tuple[str, ...]:
    found = dict.fromkeys(existing)
    for value in values:
        if len(value) < _MIN_SECRET_LENGTH:
            continue
        for form in (value, quote(value, safe=""), quote_plus(value)):
            found[form] = None
    return tuple(found)


def find_secrets(
    *,
    url: str,
    request_headers: Iterable[tuple[str, str]],
    request_body: str,
    response_headers: Iterable[tuple[str, str]],
    response_body: str,
) -> tuple[str, ...]:
    """Every credential visible in an exchange, by where credentials live in OAuth messages."""
    values: list[str] = []
    values += [v for k, v in parse_qsl(urlsplit(url).query) if k in SECRET_NAMES]
    values += [v for k, v in parse_qsl(request_body) if k in SECRET_NAMES]
    for name, value in (*request_headers, *response_headers):
        lowered = name.lower()
        if lowered == "authorization":
            values.append(value.partition(" ")[2])
        elif lowered == "cookie":
            values += [pair.partition("=")[2] for pair in value.split(";")]
        elif lowered == "set-cookie":
            values.append(value.partition(";")[0].partition("=")[2])
        elif lowered == "location":
            parts = urlsplit(value)
            for part in (parts.query, parts.fragment):
                values += [v for k, v in parse_qsl(part) if k in SECRET_NAMES]
    try:
        data = json.loads(response_body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        values += [v for k, v in data.items() if k in SECRET_NAMES and isinstance(v, str)]
    return _with_encodings((), values)


def mark_secrets(text: str, secrets: Sequence[str]) -> tuple[Segment, ...]:
    """Split `text` so that every occurrence of a secret is its own marked segment."""
    if not secrets or not text:
        return (Segment(text, False),) if text else ()
    pattern = re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)))
    segments: list[Segment] = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            segments.append(Segment(text[position : match.start()], False))
        segments.append(Segment(match.group(), True))
        position = match.end()
    if position < len(text):
        segments.append(Segment(text[position:], False))
    return tuple(segments)


def _decode(body: bytes) -> tuple[str, bool]:
    cut = len(body) > MAX_RECORDED_BODY
    return body[:MAX_RECORDED_BODY].decode("utf-8", errors="replace"), cut


def record(
    request: OutgoingRequest,
    *,
    sent_headers: Sequence[tuple[str, str]],
    status: int,
    response_headers: Sequence[tuple[str, str]],
    response_body: bytes,
    elapsed_ms: float,
    error: str = "",
    cut: bool = False,
) -> HttpExchange:
    """Build the exchange for a finished round trip, finding the secrets in it."""
    request_body, request_cut = _decode(request.body)
    body, response_cut = _decode(response_body)
    headers = tuple(sent_headers)
    return HttpExchange(
        method=request.method,
        url=request.url,
        request_headers=headers,
        request_body=request_body,
        status=status,
        response_headers=tuple(response_headers),
        response_body=body,
        elapsed_ms=round(elapsed_ms, 2),
        secrets=find_secrets(
            url=request.url,
            request_headers=headers,
            request_body=request_body,
            response_headers=response_headers,
            response_body=body,
        ),
        error=error,
        truncated=cut or request_cut or response_cut,
    )


class Transport(Protocol):
    """The only way the playground reaches an authorization or resource server."""

    def send(self, request: OutgoingRequest) -> HttpExchange: ...


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
    """Talk to a server over the network, with firm timeouts and a cap on what is read."""

    timeout: float = 5.0
    max_body: int = 1024 * 1024
    client: httpx.Client | None = field(default=None, repr=False)

    def send(self, request: OutgoingRequest) -> HttpExchange:
        client = self.client or httpx.Client(timeout=self.timeout, follow_redirects=False)
        outgoing = client.build_request(
            request.method, request.url, headers=list(request.headers), content=request.body
        )
        sent = [(k.title(), v) for k, v in outgoing.headers.multi_items()]
        started = time.perf_counter()
        try:
            response = client.send(outgoing, stream=True, follow_redirects=False)
            try:
                content = bytearray()
                for chunk in response.iter_bytes():
                    content += chunk
                    if len(content) > self.max_body:
                        break
                cut = len(content) > self.max_body
            finally:
                response.close()
        except httpx.HTTPError as problem:
            elapsed = (time.perf_counter() - started) * 1000
            return record(
                request,
                sent_headers=sent,
                status=0,
                response_headers=(),
                response_body=b"",
                elapsed_ms=elapsed,
                error=f"{type(problem).__name__}: {problem}",
            )
        finally:
            if self.client is None:
                client.close()
        status = response.status_code
        headers = [(k.title(), v) for k, v in response.headers.multi_items()]
        elapsed = (time.perf_counter() - started) * 1000
        return record(
            request,
            sent_headers=sent,
            status=status,
            response_headers=headers,
            response_body=bytes(content[: self.max_body]),
            elapsed_ms=elapsed,
            cut=cut,
        )

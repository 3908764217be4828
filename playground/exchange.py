"""HTTP round trips as data: what was sent, what came back, and which parts are secrets."""

from __future__ import annotations

import io
import ipaddress
import json
import re
import socket
import time
from base64 import b64encode
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit

import httpcore
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
# Names that say only "a credential": a value found under them is named after a more specific
# place when it appears in one too (the `token` of a revocation is the earlier access_token).
_GENERIC_NAMES = ("token", "authorization")
# RFC 6749 §4.1.2.1 error codes (and the org's and other servers' own) as error pages name them.
_ERROR_IN_PAGE = re.compile(
    r"\b(?:invalid_request|unauthorized_client|access_denied|unsupported_response_type"
    r"|invalid_scope|server_error|temporarily_unavailable|redirect_uri_mismatch"
    r"|redirect_uri_missing|invalid_client_id|invalid_redirect_uri|invalid_client)\b"
)
# Shorter values would be marked all over the place by accident ("1", "ok").
_MIN_SECRET_LENGTH = 6


@dataclass(frozen=True)
class Secret:
    """A credential seen in an exchange, and the parameter or header it was found under."""

    value: str
    name: str

    @property
    def forms(self) -> tuple[str, ...]:
        """The value as it may appear on the wire: raw, percent-encoded, form-encoded."""
        return tuple(
            dict.fromkeys((self.value, quote(self.value, safe=""), quote_plus(self.value)))
        )


@dataclass(frozen=True)
class Segment:
    """A run of text, flagged when it is (part of) a secret so the page can mark it.

    `name` is what the secret is (client_secret, access_token…) or, once redacted, the
    placeholder that stands for it.
    """

    text: str
    secret: bool
    name: str = ""


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

    @classmethod
    def replaying(cls, exchange: HttpExchange) -> OutgoingRequest:
        """The request of a recorded exchange, to send again byte for byte.

        Headers the transport computes itself (Host, Content-Length, connection handling) are
        left for it to add again.
        """
        computed = {"host", "content-length", "connection", "accept-encoding", "user-agent"}
        headers = tuple((k, v) for k, v in exchange.request_headers if k.lower() not in computed)
        return cls(exchange.method, exchange.url, headers, exchange.request_body.encode())

    def form_fields(self) -> list[tuple[str, str]]:
        return parse_qsl(self.body.decode("utf-8", errors="replace"), keep_blank_values=True)

    def with_form(
        self, changes: Mapping[str, str] | None = None, *, remove: Iterable[str] = ()
    ) -> OutgoingRequest:
        """The same request with form fields replaced, added or removed, in their old order."""
        changes = dict(changes or {})
        gone = set(remove)
        fields = [
            (name, changes.pop(name) if name in changes else value)
            for name, value in self.form_fields()
            if name not in gone
        ]
        fields += list(changes.items())
        return replace(self, body=urlencode(fields).encode())

    def with_query(self, changes: Mapping[str, str]) -> OutgoingRequest:
        """The same request with query parameters replaced or added."""
        parts = urlsplit(self.url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        pending = dict(changes)
        pairs = [(k, pending.pop(k) if k in pending else v) for k, v in pairs]
        pairs += list(pending.items())
        query = urlencode(pairs, quote_via=quote)
        return replace(self, url=parts._replace(query=query).geturl())

    def with_header(self, name: str, value: str | None) -> OutgoingRequest:
        """The same request with a header set (or, given None, taken out)."""
        kept = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        if value is not None:
            kept.append((name, value))
        return replace(self, headers=tuple(kept))

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)


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
    secrets: tuple[Secret, ...] = ()
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

    @property
    def problem(self) -> str:
        """The error the server returned, in the shape it used: OAuth JSON, Salesforce's list,
        a WWW-Authenticate header, or just the status."""
        if self.status == 0:
            return f"no answer: {self.error}"
        body = self.json_value()
        if isinstance(body, dict) and "error" in body:
            description = body.get("error_description", "")
            return f"{body['error']}" + (f": {description}" if description else "")
        if isinstance(body, list) and body and isinstance(body[0], dict):
            return f"{body[0].get('errorCode', '')}: {body[0].get('message', '')}"
        challenge = self.header("WWW-Authenticate") or ""
        if match := re.search(r'error="([^"]+)"', challenge):
            return match.group(1)
        if "html" in (self.header("Content-Type") or "") and (
            match := _ERROR_IN_PAGE.search(self.response_body)
        ):
            # An error page: the server would not redirect, so it named the error itself.
            return f"{match.group(0)} (on an error page)"
        return f"HTTP {self.status} {self.reason}".strip()

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

    @property
    def secret_values(self) -> frozenset[str]:
        """Every form of every secret in this exchange."""
        return frozenset(form for secret in self.secrets for form in secret.forms)

    def request_segments(self) -> tuple[Segment, ...]:
        return mark_secrets(self.request_text(), self.secrets)

    def response_segments(self) -> tuple[Segment, ...]:
        return mark_secrets(self.response_text(), self.secrets)

    def with_secrets(self, found: Iterable[Secret]) -> HttpExchange:
        return replace(self, secrets=_named(self.secrets, found))


def _pretty(body: str, content_type: str) -> str:
    """Indent JSON so a room can read it; every other body is shown exactly as received."""
    if "json" not in content_type:
        return body
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


def _named(existing: Iterable[Secret], found: Iterable[Secret]) -> tuple[Secret, ...]:
    """One Secret per value, named after the most specific place it was found."""
    names: dict[str, str] = {}
    for secret in (*existing, *found):
        if len(secret.value) < _MIN_SECRET_LENGTH:
            continue
        if names.get(secret.value, secret.name) in _GENERIC_NAMES or secret.value not in names:
            names[secret.value] = secret.name
    return tuple(Secret(value, name) for value, name in names.items())


def find_secrets(
    *,
    url: str,
    request_headers: Iterable[tuple[str, str]],
    request_body: str,
    response_headers: Iterable[tuple[str, str]],
    response_body: str,
) -> tuple[Secret, ...]:
    """Every credential visible in an exchange, by where credentials live in OAuth messages."""
    found: list[Secret] = []

    def params(text: str) -> list[Secret]:
        return [Secret(v, k) for k, v in parse_qsl(text) if k in SECRET_NAMES]

    found += params(urlsplit(url).query)
    found += params(request_body)
    for name, value in (*request_headers, *response_headers):
        lowered = name.lower()
        if lowered == "authorization":
            scheme, _, credentials = value.partition(" ")
            # RFC 7617: Basic carries base64("id:secret"); RFC 6750 §2.1: Bearer the token.
            kind = {"basic": "basic_credentials", "bearer": "access_token"}
            found.append(Secret(credentials, kind.get(scheme.lower(), "authorization")))
        elif lowered == "cookie":
            found += [Secret(pair.partition("=")[2], "cookie") for pair in value.split(";")]
        elif lowered == "set-cookie":
            found.append(Secret(value.partition(";")[0].partition("=")[2], "cookie"))
        elif lowered == "location":
            parts = urlsplit(value)
            found += params(parts.query) + params(parts.fragment)
    try:
        data = json.loads(response_body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        found += [Secret(v, k) for k, v in data.items() if k in SECRET_NAMES and isinstance(v, str)]
    return _named((), found)


def _split(text: str, labels: Mapping[str, str]) -> tuple[Segment, ...]:
    """Cut `text` wherever one of `labels`' keys occurs, longest first; label those pieces."""
    if not labels or not text:
        return (Segment(text, False),) if text else ()
    pattern = re.compile("|".join(re.escape(s) for s in sorted(labels, key=len, reverse=True)))
    segments: list[Segment] = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            segments.append(Segment(text[position : match.start()], False))
        segments.append(Segment(match.group(), True, labels[match.group()]))
        position = match.end()
    if position < len(text):
        segments.append(Segment(text[position:], False))
    return tuple(segments)


def mark_secrets(text: str, secrets: Sequence[Secret]) -> tuple[Segment, ...]:
    """Split `text` so that every occurrence of a secret is its own marked segment."""
    return _split(text, {form: secret.name for secret in secrets for form in secret.forms})


@dataclass(frozen=True)
class Redaction:
    """Placeholders for every secret of a run: one name per value, the same in every exchange.

    Built only from what the exchanges themselves recorded as secrets (`HttpExchange.secrets`),
    so a page or export that redacts through this cannot forget a kind of credential.
    """

    placeholders: tuple[tuple[str, str], ...]  # (a form of a secret value, its placeholder)

    @classmethod
    def of(cls, secrets: Iterable[Secret]) -> Redaction:
        named = _named((), secrets)
        counts: dict[str, int] = {}
        placeholders: list[tuple[str, str]] = []
        for secret in named:
            counts[secret.name] = counts.get(secret.name, 0) + 1
            number = counts[secret.name]
            label = secret.name if number == 1 else f"{secret.name}_{number}"
            placeholders += [(form, label) for form in secret.forms]
        return cls(tuple(placeholders))

    @property
    def values(self) -> frozenset[str]:
        return frozenset(form for form, _ in self.placeholders)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for _, name in self.placeholders))

    def segments(self, text: str) -> tuple[Segment, ...]:
        """`text` cut into pieces; each secret piece is named by its placeholder."""
        return _split(text, dict(self.placeholders))

    def text(self, text: str) -> str:
        """`text` with each secret written as <its_name>."""
        return "".join(
            f"<{part.name}>" if part.secret else part.text for part in self.segments(text)
        )


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


class _PublicOnlyBackend(httpcore.NetworkBackend):
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


class _PublicOnlyTransport(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__(trust_env=False)
        # httpx's own pool, given a network backend that refuses non-public addresses.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=_PublicOnlyBackend(),
        )


@dataclass
class HttpxTransport:
    """Talk to a server over the network, with firm timeouts and a cap on what is read.

    Redirects are never followed. Unless `allow_private`, only public addresses are
    contacted (a `client` passed in brings its own transport and is trusted as it is).
    """

    timeout: float = 5.0
    max_body: int = 1024 * 1024
    client: httpx.Client | None = field(default=None, repr=False)
    allow_private: bool = False

    def _new_client(self) -> httpx.Client:
        transport = (
            httpx.HTTPTransport(trust_env=False) if self.allow_private else _PublicOnlyTransport()
        )
        return httpx.Client(
            timeout=self.timeout, follow_redirects=False, transport=transport, trust_env=False
        )

    def send(self, request: OutgoingRequest) -> HttpExchange:
        client = self.client or self._new_client()
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
                error=_describe(problem),
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


def _describe(problem: httpx.HTTPError) -> str:
    if isinstance(problem.__cause__, RefusedAddress):
        return f"Not sent: {problem}"
    if isinstance(problem, httpx.TimeoutException):
        return f"Timed out: no answer within the time limit ({type(problem).__name__})."
    return f"{type(problem).__name__}: {problem}"

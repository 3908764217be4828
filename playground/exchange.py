"""HTTP round trips as data: what was sent, what came back, and how the playground sends one."""

from __future__ import annotations

import json
import re
from base64 import b64encode
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit

from playground.decoded_bodies import Decoded, decode
from playground.redaction import Secret, Segment, find_secrets, mark_secrets, named_secrets

# What a recorded body may weigh before it is cut (the display and the stored run stay small).
MAX_RECORDED_BODY = 256 * 1024

# Headers a server puts on every answer for the browser's or the connection's sake (a page's
# security policy, framing, sniffing, referrers, isolation, length): nothing in them belongs
# to the protocol being shown, so an exchange folds them away. Cache-Control and Pragma stay
# in view: RFC 6749 §5.1 requires them on every answer that carries a token.
ROUTINE_HEADERS = frozenset(
    {
        "content-length",
        "content-security-policy",
        "cross-origin-embedder-policy",
        "cross-origin-opener-policy",
        "cross-origin-resource-policy",
        "date",
        "permissions-policy",
        "referrer-policy",
        "server",
        "strict-transport-security",
        "vary",
        "x-content-type-options",
        "x-frame-options",
        "x-robots-tag",
        "x-xss-protection",
    }
)

# RFC 6749 §4.1.2.1 error codes (and the org's and other servers' own) as error pages name them.
_ERROR_IN_PAGE = re.compile(
    r"\b(?:invalid_request|unauthorized_client|access_denied|unsupported_response_type"
    r"|invalid_scope|server_error|temporarily_unavailable|redirect_uri_mismatch"
    r"|redirect_uri_missing|invalid_client_id|invalid_redirect_uri|invalid_client)\b"
)


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
class ResponseView:
    """A response as an exchange shows it: status line and telling headers, the routine
    headers folded behind a count, then the body; each cut into secret and plain segments."""

    head: tuple[Segment, ...]
    routine: tuple[Segment, ...]
    routine_count: int
    body: tuple[Segment, ...]


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

    def request_form(self) -> dict[str, str]:
        """The form fields the request carried (empty for a request without a form body)."""
        return dict(parse_qsl(self.request_body, keep_blank_values=True))

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

    def decoded(self) -> Decoded:
        """Basic credentials and form bodies read out (playground/decoded_bodies.py)."""
        return decode(
            request_headers=self.request_headers,
            request_body=self.request_body,
            response_headers=self.response_headers,
            response_body=self.response_body,
            secret_values=self.secret_values,
        )

    def response_view(self) -> ResponseView:
        if self.status == 0:
            return ResponseView(self.response_segments(), (), 0, ())
        kept = [f"HTTP/1.1 {self.status} {self.reason}".rstrip()]
        routine: list[str] = []
        for name, value in self.response_headers:
            (routine if name.lower() in ROUTINE_HEADERS else kept).append(f"{name}: {value}")
        body = _pretty(self.response_body, self.header("Content-Type") or "")
        return ResponseView(
            head=mark_secrets("\n".join(kept), self.secrets),
            routine=mark_secrets("\n".join(routine), self.secrets),
            routine_count=len(routine),
            body=mark_secrets(body, self.secrets),
        )

    @property
    def secret_values(self) -> frozenset[str]:
        """Every form of every secret in this exchange."""
        return frozenset(form for secret in self.secrets for form in secret.forms)

    def request_segments(self) -> tuple[Segment, ...]:
        return mark_secrets(self.request_text(), self.secrets)

    def response_segments(self) -> tuple[Segment, ...]:
        return mark_secrets(self.response_text(), self.secrets)

    def with_secrets(self, found: Iterable[Secret]) -> HttpExchange:
        return replace(self, secrets=named_secrets(self.secrets, found))


def _pretty(body: str, content_type: str) -> str:
    """Indent JSON so a room can read it; every other body is shown exactly as received."""
    if "json" not in content_type:
        return body
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


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

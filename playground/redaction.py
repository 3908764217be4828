"""Secrets in recorded exchanges: which values are credentials, marking them, and redacting them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

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


def named_secrets(existing: Iterable[Secret], found: Iterable[Secret]) -> tuple[Secret, ...]:
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
    return named_secrets((), found)


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
        named = named_secrets((), secrets)
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

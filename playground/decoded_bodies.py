"""What an exchange's credentials and form bodies say, read out for a person: the client id
and secret inside an `Authorization: Basic` header, and a form-encoded body as a table."""

from __future__ import annotations

import binascii
from base64 import b64decode
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote_plus

from playground.redaction import SECRET_NAMES

FORM = "application/x-www-form-urlencoded"
# A form of more fields than this is not one a person reads as a table.
MAX_FIELDS = 60


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    secret: bool = False


@dataclass(frozen=True)
class Decoded:
    """The readable side of one exchange; empty tuples where there is nothing to read."""

    basic: tuple[Field, ...] = ()
    basic_unreadable: bool = False  # a Basic header that is not Base64 of "id:secret"
    request_form: tuple[Field, ...] = ()
    response_form: tuple[Field, ...] = ()


def basic_credentials(credentials: str) -> tuple[Field, ...] | None:
    """The client id and secret of a Basic header's credentials, or None if unreadable.

    RFC 7617 §2: Base64 of user-id ":" password, the user-id holding no colon; RFC 6749 §2.3.1:
    both are form-encoded first, so "+" and "%xx" are undone after the split.
    """
    try:
        pair = b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, secret = pair.partition(":")
    if not colon:
        return None
    return (
        Field("client_id", unquote_plus(client_id)),
        Field("client_secret", unquote_plus(secret), secret=True),
    )


def form_fields(body: str, secret_values: frozenset[str]) -> tuple[Field, ...]:
    """A form body's fields in order, each credential flagged as the exchange marks it."""
    pairs = parse_qsl(body, keep_blank_values=True, max_num_fields=None)[:MAX_FIELDS]
    return tuple(
        Field(name, value, name in SECRET_NAMES or value in secret_values) for name, value in pairs
    )


def _content_type(headers: Iterable[tuple[str, str]]) -> str:
    found = next((v for k, v in headers if k.lower() == "content-type"), "")
    return found.partition(";")[0].strip().lower()


def _basic(headers: Iterable[tuple[str, str]]) -> str | None:
    for name, value in headers:
        scheme, _, credentials = value.partition(" ")
        if name.lower() == "authorization" and scheme.lower() == "basic":
            return credentials
    return None


def decode(
    *,
    request_headers: Iterable[tuple[str, str]],
    request_body: str,
    response_headers: Iterable[tuple[str, str]],
    response_body: str,
    secret_values: frozenset[str],
) -> Decoded:
    request_headers = tuple(request_headers)
    credentials = _basic(request_headers)
    basic = basic_credentials(credentials) if credentials is not None else None

    def form(headers: Iterable[tuple[str, str]], body: str) -> tuple[Field, ...]:
        return form_fields(body, secret_values) if _content_type(headers) == FORM else ()

    return Decoded(
        basic=basic or (),
        basic_unreadable=credentials is not None and basic is None,
        request_form=form(request_headers, request_body),
        response_form=form(response_headers, response_body),
    )

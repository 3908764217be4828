"""A REST request's JSON body, read with a cap: Salesforce-shaped errors for a body too
large, of another content type, or not JSON at all."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest

from org.rest.errors import ApiError

# Salesforce caps a REST request body; 1 MB here, far above any 200-record collection.
MAX_BODY_BYTES = 1024 * 1024
_JSON_TYPES = frozenset({"application/json", ""})


def _too_large() -> ApiError:
    return ApiError(
        413,
        "REQUEST_ENTITY_TOO_LARGE",
        f"The request body is larger than the {MAX_BODY_BYTES // 1024} KB this org accepts.",
    )


def read_json(request: HttpRequest) -> Any:
    """The request's body as JSON; raises ApiError (413, 415 or JSON_PARSER_ERROR)."""
    content_type = request.content_type or ""
    if content_type.lower() not in _JSON_TYPES:
        raise ApiError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            f"Content type '{content_type[:60]}' is not supported: send application/json.",
        )
    return parse_json(read_capped(request, MAX_BODY_BYTES, _too_large()))


def read_capped(request: HttpRequest, limit: int, too_large: ApiError) -> bytes:
    """The body, never reading more than `limit` + 1 bytes; raises `too_large` past the limit,
    whether the Content-Length declared it or the body itself ran over."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise too_large
    return raw


def _no_constant(name: str) -> Any:
    raise ValueError(f"Unexpected token {name}: JSON has no NaN or Infinity")


def parse_json(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(
            400, "JSON_PARSER_ERROR", f"Invalid UTF-8 in the request body at byte {error.start}"
        ) from None
    if not text.strip():
        raise ApiError(400, "JSON_PARSER_ERROR", "The request body is empty: send a JSON object.")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise ApiError(
            400,
            "JSON_PARSER_ERROR",
            f"{error.msg} at [line:{error.lineno}, column:{error.colno}]",
        ) from None
    except (ValueError, RecursionError) as error:
        # Too deeply nested, a number with thousands of digits, or NaN.
        raise ApiError(400, "JSON_PARSER_ERROR", str(error)[:200] or "Malformed JSON") from None


def json_object(value: Any, *, of: str) -> dict[str, Any]:
    """`value` if it is a JSON object; what Salesforce answers when it is not."""
    if not isinstance(value, dict):
        kind = "START_ARRAY" if isinstance(value, list) else "VALUE"
        raise ApiError(
            400,
            "JSON_PARSER_ERROR",
            f"Cannot deserialize instance of {of} from {kind} value or request may be missing "
            "a required field at [line:1, column:1]",
        )
    return value

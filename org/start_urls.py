"""Where the login page may send the browser after sign-in: the `startURL` it was given, made
safe.

RFC 9700 §4.11.1: no open redirector. Only this org's own authorization requests, its device
verification page and the page listing the apps a person approved; the path is compared after
its dot segments are resolved, as a browser would resolve them.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

from django.urls import reverse


def _printable_ascii(value: str) -> bool:
    # A startURL the org built is percent-encoded ASCII; anything else (CR, LF, VT, DEL,
    # U+2028, spaces) could split or bend the Location header it ends up in.
    return all("!" <= character <= "~" for character in value)


def _without_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, counting `%2e` as a dot as browsers do (WHATWG URL, path state)."""
    kept: list[str] = []
    for segment in path.split("/")[1:]:
        if unquote(segment) == ".":
            continue
        if unquote(segment) == "..":
            if kept:
                kept.pop()
            continue
        kept.append(segment)
    return "/" + "/".join(kept)


def safe_start_url(raw: str) -> str:
    """`raw` as a same-origin URL to one of the allowed pages, or "" when it is not one."""
    if not raw or not _printable_ascii(raw) or "\\" in raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return ""
    path = _without_dot_segments(parts.path)
    targets = {
        reverse("org:authorize"),
        reverse("org:device_verification"),
        reverse("org:approved_apps"),
    }
    if path not in targets:
        return ""
    return urlunsplit(("", "", path, parts.query, ""))

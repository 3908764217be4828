"""Which callback URLs an app may register, and when a requested one matches.

RFC 9700 §4.1.3: exact string comparison, with one exception: a loopback IP literal
redirect URI may use any port (RFC 8252 §7.3), because native apps pick a free port.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

from config.text import has_control_characters

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
_LOOPBACK_IP_LITERALS = frozenset({"127.0.0.1", "::1"})
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*$")
# Schemes that would run code or read local data in the browser, never a callback.
_FORBIDDEN_SCHEMES = frozenset({"javascript", "data", "file", "vbscript", "about", "blob"})
MAX_LENGTH = 2000


def redirect_uri_problem(uri: str) -> str | None:
    """Why `uri` cannot be registered as a callback URL, or None when it can."""
    if not uri:
        return "Enter a callback URL."
    if len(uri) > MAX_LENGTH:
        return f"A callback URL can be at most {MAX_LENGTH} characters."
    if has_control_characters(uri) or any(char.isspace() for char in uri):
        return "A callback URL cannot contain spaces or control characters."
    if "*" in uri:
        # RFC 9700 §2.1: patterns open the door to code theft; only exact URLs.
        return "Wildcards are not allowed: register each callback URL exactly."
    if "#" in uri:
        # RFC 6749 §3.1.2: the redirection endpoint URI MUST NOT include a fragment.
        return "A callback URL cannot have a fragment (#…)."
    if "\\" in uri:
        return "A callback URL cannot contain a backslash."
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return "This is not a valid URL."
    if port == 0:
        # Port 0 asks the system for any free port: no server ever listens on it.
        return "A callback URL cannot use port 0."
    scheme = parts.scheme
    if not scheme or not _SCHEME.match(scheme):
        return "A callback URL must be absolute, starting with https:// (or a custom app scheme)."
    if scheme in _FORBIDDEN_SCHEMES:
        return f"The {scheme}: scheme cannot be a callback."
    if "@" in parts.netloc:
        return "A callback URL cannot carry a user name or password."
    if scheme in {"http", "https"} and not parts.hostname:
        return "A callback URL needs a host name."
    if scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        # RFC 9700 §2.6: plain http only for loopback (native apps, local development).
        return "Plain http is only allowed for loopback addresses; use https."
    return None


def _loopback_parts(uri: str) -> SplitResult | None:
    # Compared as written: "HTTP://" or an upper-case host is a different string.
    if not uri.startswith("http://") or "@" in uri or "\\" in uri:
        return None
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return None
    # RFC 8252 §7.3 lets the port vary to the one the app listens on; nothing listens on 0.
    if parts.scheme != "http" or parts.hostname not in _LOOPBACK_IP_LITERALS or port == 0:
        return None
    return parts


def redirect_uri_matches(registered: str, requested: str) -> bool:
    if requested == registered:
        return True
    # RFC 8252 §7.3: the port of a loopback IP literal may vary; nothing else may.
    mine, theirs = _loopback_parts(registered), _loopback_parts(requested)
    if mine is None or theirs is None:
        return False
    return (
        mine.hostname == theirs.hostname
        and mine.path == theirs.path
        and mine.query == theirs.query
        and not theirs.fragment
        and "#" not in requested
    )

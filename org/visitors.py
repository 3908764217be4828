"""The anonymous visitor a browser session stands for: the owner of its connected apps."""

from __future__ import annotations

import secrets

from django.contrib.sessions.backends.base import SessionBase

_SESSION_KEY = "handshake_visitor"


def visitor_id(session: SessionBase) -> str:
    """This browser's visitor id, created on first use (unguessable: 128 bits)."""
    current = session.get(_SESSION_KEY)
    if isinstance(current, str) and current:
        return current
    new = secrets.token_urlsafe(16)
    session[_SESSION_KEY] = new
    return new

"""ASGI middleware that hands Django no more than one byte past the largest body any endpoint
accepts.

Django's ASGI handler reads a whole request body into a spooled file before any cap is
checked, chunked or sized alike. Here the body stops one byte past MAX_REQUEST_BODY_BYTES:
enough for every endpoint to see that its own cap is exceeded and answer in its own shape,
as it does under WSGI (config/chunked_bodies.py). What the client still sends is read and
dropped while the answer is made, never stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class CappedBodies:
    """Wraps an ASGI application so that request bodies end at `limit` + 1 bytes."""

    def __init__(self, application: AsgiApp, *, limit: int) -> None:
        self.application = application
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.application(scope, receive, send)
            return
        await self.application(scope, _capped(receive, self.limit + 1), send)


def _capped(receive: Receive, most: int) -> Receive:
    seen = 0
    ended = False

    async def capped_receive() -> Message:
        nonlocal seen, ended
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return message
            if ended:
                continue  # the rest of a body past the cap: read and dropped
            body = message.get("body", b"")[: most - seen]
            seen += len(body)
            ended = seen >= most or not message.get("more_body", False)
            return {**message, "body": body, "more_body": not ended}

    return capped_receive

"""One ASGI application for the whole site: streaming through Django's async handler, every
other request through the WSGI site in a thread pool.

A CometD long poll waits up to 110 s for an event; under Django's ASGI handler its async view
awaits without holding a thread. Every other view is synchronous, and Django's ASGI handler
runs each of them through thread hops that cost three to four times a WSGI request (figures in
bench/README.md), so those go to the WSGI application as gunicorn's workers would run it, each
in a thread of a2wsgi's pool.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, cast

from a2wsgi import WSGIMiddleware
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished
from django.db import connections

from config.asgi_bodies import AsgiApp, Receive, Scope, Send
from config.chunked_bodies import StartResponse, WsgiApp

STREAMING_PREFIX = "/cometd"


def close_connections_after_async_requests() -> None:
    """Close an async request's database connections when it ends.

    Under Django's ASGI handler a request keeps its connections in a context of its own, which
    is dropped when the request ends; a connection kept for reuse (CONN_MAX_AGE) would linger
    open until the garbage collector found it, and PostgreSQL refused new ones past 100 with 50
    subscribers (bench/events.py). Django's deployment notes say as much: no persistent
    connections under ASGI. The WSGI site's threads keep theirs (`_thread_context`)."""
    request_finished.connect(_close_all, sender=ASGIHandler, dispatch_uid="close-async-requests")


def _close_all(**_: object) -> None:
    connections.close_all()


def is_streaming(path: str) -> bool:
    return path == STREAMING_PREFIX or path.startswith(STREAMING_PREFIX + "/")


class SiteRouter:
    """Sends HTTP requests under STREAMING_PREFIX to `streaming`, everything else (lifespan
    included) to `site`."""

    def __init__(self, *, streaming: AsgiApp, site: AsgiApp) -> None:
        self.streaming = streaming
        self.site = site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_streaming(scope["path"]):
            await self.streaming(scope, receive, send)
        else:
            await self.site(scope, receive, send)


def threaded_wsgi(application: WsgiApp, *, threads: int) -> AsgiApp:
    """The WSGI application as an ASGI one, each request run in one of `threads` threads."""

    def terminated(environ: Mapping[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        # a2wsgi's wsgi.input ends where the ASGI body ends (the server has decoded any
        # chunks), which PEP 3333's extension says with wsgi.input_terminated; without it a
        # chunked body would be refused (config/chunked_bodies.py).
        environ = {**environ, "wsgi.input_terminated": True}
        context = _thread_context()
        return InContext(context.run(application, environ, start_response), context)

    # a2wsgi types scopes and messages as TypedDicts, where the site passes plain dicts.
    return cast(AsgiApp, WSGIMiddleware(terminated, workers=threads))


_threads = threading.local()


def _thread_context() -> contextvars.Context:
    """The pool thread's own context, the same for every request it serves.

    a2wsgi runs each request in a fresh copy of the event loop's context, and Django keeps its
    database connections in context-local storage (asgiref's Local), so each request would
    open a connection of its own and drop it at the end (CONN_MAX_AGE would keep none). In
    one context per thread they persist per thread, as under gunicorn's threads."""
    if not hasattr(_threads, "context"):
        _threads.context = contextvars.Context()
    context: contextvars.Context = _threads.context
    return context


class InContext:
    """A WSGI response whose iteration and close run in `context`, as its making did (Django
    closes a request's database work when the response is closed)."""

    def __init__(self, body: Iterable[bytes], context: contextvars.Context) -> None:
        self.body = body
        self.context = context

    def __iter__(self) -> Iterator[bytes]:
        chunks = self.context.run(iter, self.body)
        while (chunk := self.context.run(next, chunks, None)) is not None:
            yield chunk

    def close(self) -> None:
        close = getattr(self.body, "close", None)
        if close is not None:
            self.context.run(close)

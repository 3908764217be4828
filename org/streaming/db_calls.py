"""Where the streaming endpoint's database calls run.

Served by the site's ASGI server (`pooled` wraps the streaming application in config/asgi.py),
every call runs on this process's pool of AT_ONCE threads, and each thread keeps its database
connection from call to call, health-checked before each one as Django checks a request's. A
held connect is a coroutine between two calls: it holds no thread and no connection. Before
this, each request opened a connection of its own in its own thread: 200 connects woken by one
event opened 200 connections at once, past PostgreSQL's max_connections (`too many clients
already`, bench/events.py), and on PostgreSQL every reconnect paid for a new backend.

Anywhere else (Django's test client runs an async view in a loop of the calling thread) a call
runs as sync_to_async runs it, in the caller's thread, so it sees the caller's transaction."""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.db import close_old_connections

from config.asgi_bodies import AsgiApp, Receive, Scope, Send

# Per process: with 2 workers, 2 × (8 + 4 WSGI threads + 1 LISTEN) connections at most.
AT_ONCE = 8

_in_pool = contextvars.ContextVar("streaming_in_pool", default=False)
_pool: ThreadPoolExecutor | None = None


def pooled(application: AsgiApp) -> AsgiApp:
    """The ASGI application with its streaming database calls run on the pool."""

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        token = _in_pool.set(True)
        try:
            await application(scope, receive, send)
        finally:
            _in_pool.reset(token)

    return serve


def holds_connects() -> bool:
    """Whether a connect may wait here for events: only in the site's ASGI server, where a
    waiting connect is a coroutine. Elsewhere each request has a thread (the TLS listener's
    pool of 8, a WSGI server, the test client's), and a held connect would keep it."""
    return _in_pool.get()


def _threads() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=AT_ONCE, thread_name_prefix="streaming-db")
    return _pool


def _checked[**P, R](function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    # What Django does around each request: a connection that failed, outlived CONN_MAX_AGE
    # or fails its health check (CONN_HEALTH_CHECKS) is replaced before it is used.
    close_old_connections()
    return function(*args, **kwargs)


async def run[**P, R](function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`function(*args, **kwargs)` in a thread that may use the database."""
    if not _in_pool.get():
        return await sync_to_async(function)(*args, **kwargs)
    call = functools.partial(_checked, function, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_threads(), call)

"""How many streaming requests use the database at once, per server process.

One NOTIFY wakes every connect held on its space; with 200 of them each opened a connection
in its own thread at once, past PostgreSQL's max_connections (`too many clients already`,
bench/events.py). A request takes a turn before its first database call and gives it back,
its connection closed, before it waits for events and when it ends; the others wait for a
turn in the event loop. The limit is a bound on concurrency, not state: each event loop
gets its own semaphore."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator, Callable
from typing import ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.db import connection

# Per process: with 2 workers, 2 × (8 + 4 WSGI threads + 1 LISTEN) connections at most.
AT_ONCE = 8

_P = ParamSpec("_P")
_R = TypeVar("_R")

_semaphores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _close_connection() -> None:
    """Called through sync_to_async, so it closes the connection of the request's own sync
    thread, the one its calls used (an attribute of `connection` read in the event loop would
    name the loop thread's, which SQLite refuses to close from another thread)."""
    connection.close()


class Turn:
    """One request's right to a database connection, taken on its first call."""

    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self._semaphore = semaphore
        self._held = False

    async def run(self, function: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
        if not self._held:
            await self._semaphore.acquire()
            self._held = True
        return await sync_to_async(function)(*args, **kwargs)

    async def give_back(self) -> None:
        """Close the request's connection, then let another request have the turn."""
        if not self._held:
            return
        try:
            await sync_to_async(_close_connection)()
        finally:
            self._held = False
            self._semaphore.release()


@contextlib.asynccontextmanager
async def taken() -> AsyncIterator[Turn]:
    semaphore = _semaphores.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(AT_ONCE))
    turn = Turn(semaphore)
    try:
        yield turn
    finally:
        await turn.give_back()

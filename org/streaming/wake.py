"""Waking held connects when their data space gets an event, without holding a thread.

On PostgreSQL the event log sends NOTIFY inside the appending transaction, so it is delivered
when (and only if) the events commit; each server process keeps one LISTEN connection and wakes
the connects waiting on that org and space. The notification's payload names the space: one
LISTEN per process serves every space (psycopg holds a connection's lock while it waits for
notifications, so a second LISTEN could not be added later). On SQLite, which has no
notifications, a held connect looks at the log again every POLL_SECONDS. Either way the wait
is asyncio's, in the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import psycopg
from django.db import connection, connections

logger = logging.getLogger(__name__)

NOTIFY_CHANNEL = "handshake_events"
POLL_SECONDS = 0.5


def space_key(org_pk: int, space: str) -> str:
    return f"{org_pk}:{space}"


def notify(org_pk: int, space: str) -> None:
    """Tell the listening processes that this space's log grew (call it in the transaction
    that appends: PostgreSQL delivers the notification at commit, and drops it on rollback)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, space_key(org_pk, space)])


def _conninfo() -> str:
    settings = connections["default"].settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=settings["NAME"],
        user=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
        host=settings.get("HOST") or None,
        port=str(settings["PORT"]) if settings.get("PORT") else None,
    )


@dataclass
class _Listener:
    """One event loop's LISTEN connection and the connects waiting on each space."""

    waiting: dict[str, set[asyncio.Event]] = field(default_factory=dict)
    connection: psycopg.AsyncConnection[object] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    task: asyncio.Task[None] | None = None

    async def start(self) -> bool:
        """Listening (True), or not possible now (the caller polls instead)."""
        async with self.lock:
            if self.connection is not None and not self.connection.closed:
                return True
            try:
                self.connection = await psycopg.AsyncConnection.connect(
                    _conninfo(), autocommit=True
                )
                await self.connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
            except psycopg.Error as error:
                logger.warning("streaming falls back to polling: LISTEN failed (%s)", error)
                self.connection = None
                return False
            self.task = asyncio.create_task(self._dispatch(self.connection))
            return True

    async def _dispatch(self, listening: psycopg.AsyncConnection[object]) -> None:
        try:
            async for notification in listening.notifies():
                for waiter in self.waiting.get(notification.payload, ()):
                    waiter.set()
        except psycopg.Error as error:
            logger.warning("streaming's LISTEN connection dropped (%s)", error)
        finally:
            # Everyone looks again; the next wait listens anew.
            for waiters in self.waiting.values():
                for waiter in waiters:
                    waiter.set()
            with contextlib.suppress(psycopg.Error):
                await listening.close()


_listeners: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Listener] = (
    weakref.WeakKeyDictionary()
)


@dataclass
class Signal:
    """What a held connect waits on between two looks at the log."""

    woken: asyncio.Event | None

    async def wait(self, seconds: float) -> None:
        if self.woken is None:
            await asyncio.sleep(min(seconds, POLL_SECONDS))
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.woken.wait(), timeout=seconds)
        # Cleared before the caller reads the log: a notification after this wakes it again.
        self.woken.clear()


@contextlib.asynccontextmanager
async def watching(org_pk: int, space: str) -> AsyncIterator[Signal]:
    """A signal for new events in the space. It is listening before the caller first reads
    the log, so an event committed between that read and the wait still wakes it."""
    if connection.vendor != "postgresql":
        yield Signal(None)
        return
    listener = _listeners.setdefault(asyncio.get_running_loop(), _Listener())
    if not await listener.start():
        yield Signal(None)
        return
    key, woken = space_key(org_pk, space), asyncio.Event()
    listener.waiting.setdefault(key, set()).add(woken)
    try:
        yield Signal(woken)
    finally:
        listener.waiting[key].discard(woken)
        if not listener.waiting[key]:
            del listener.waiting[key]

"""Knowing when a data space's event log grew, without holding a thread.

On PostgreSQL the event log sends NOTIFY inside the appending transaction, so it is delivered
when (and only if) the events commit; each server process keeps one LISTEN connection, and its
notifications name the org and space (one LISTEN per process serves every space: psycopg holds
a connection's lock while it waits for notifications, so a second LISTEN could not be added
later). SQLite has no notifications: the process looks again every POLL_SECONDS (`held.py`).
Either way the wait is asyncio's, in the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

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


class Listener:
    """One event loop's LISTEN connection: it tells `moved` each space key a notification
    names, and `lost` when the connection drops (a notification may have been missed)."""

    def __init__(self, moved: Callable[[str], None], lost: Callable[[], None]) -> None:
        self.moved = moved
        self.lost = lost
        self.connection: psycopg.AsyncConnection[object] | None = None
        self.lock = asyncio.Lock()
        self.task: asyncio.Task[None] | None = None

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
                self.moved(notification.payload)
        except psycopg.Error as error:
            logger.warning("streaming's LISTEN connection dropped (%s)", error)
        finally:
            # Everyone looks again; the next look listens anew.
            self.lost()
            with contextlib.suppress(psycopg.Error):
                await listening.close()

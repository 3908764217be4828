"""The connects one server process holds, and the looks at the log that answer them together.

A held connect does not read the log itself: it waits for its answer. Whenever the log may have
moved for it (its first look, a NOTIFY naming its space, on SQLite the next poll), this
process's dispatcher reads for every connect due at that moment in one batch
(`delivery.deliver`, a few statements however many connects) and settles each one that got
events, was replaced or is gone; the others go on waiting. Before, each held connect read on
its own: one event woke 200 reads and 200 write transactions, and on SQLite 200 connects
polling every 0.5 s were 400 reads a second beside the pages (bench/events.py).

The dispatcher is a task of the event loop that holds the connects, running while it holds
any; it keeps nothing the database does not (who is owed what is read each time), only which
requests are waiting in this process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

from org.streaming import db_calls, delivery, wake

logger = logging.getLogger(__name__)

# How long the dispatcher lets connects due at about the same time gather before one look
# answers them all (a background task waits, no request does).
GATHER_SECONDS = 0.02


@dataclass(eq=False)
class Held:
    """One held connect: its client, its number among the client's connects, its space."""

    client_pk: int
    number: int
    space: str
    answer: asyncio.Future[delivery.Delivery] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    looked: bool = False  # its first look has been made
    in_batch: bool = False  # a look at it is running
    leaving: bool = False  # its time is up: it takes what its look in flight finds

    def settle(self, found: delivery.Delivery) -> None:
        if not self.answer.done():
            self.answer.set_result(found)


class Dispatcher:
    """The held connects of one event loop, and the task that looks at the log for them."""

    def __init__(self) -> None:
        self.held: dict[int, Held] = {}
        self.due: set[int] = set()
        self.stirred = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.listener = wake.Listener(self.space_moved, self.everyone_due)

    def hold(self, client_pk: int, number: int, space: str) -> Held:
        older = self.held.get(client_pk)
        if older is not None:
            # Bayeux: one outstanding connect per client; the newer one takes over. An older
            # one being looked at keeps what that look delivers, or it would be lost.
            if older.in_batch:
                older.leaving = True
            else:
                older.settle(delivery.Delivery([], replaced=True))
        held = Held(client_pk, number, space)
        self.held[client_pk] = held
        self._make_due([client_pk])
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())
        return held

    def _settle(self, held: Held, answer: delivery.Delivery) -> None:
        """Answer the connect and stop looking for it at once: its request may not run again
        before the next look, and a look at a settled connect would move its client's
        positions past events nobody sends."""
        held.settle(answer)
        self._forget(held)

    def _forget(self, held: Held) -> None:
        if self.held.get(held.client_pk) is held:
            del self.held[held.client_pk]
            self.due.discard(held.client_pk)

    async def release(self, held: Held) -> None:
        self._forget(held)
        if not self.held and self.task is not None:
            # The task ends when nobody is held; waiting for it leaves no task behind a
            # request whose event loop closes with it (Django's test client).
            self.stirred.set()
            await asyncio.wait({self.task})

    def space_moved(self, space: str) -> None:
        self._make_due(pk for pk, held in self.held.items() if held.space == space)

    def everyone_due(self) -> None:
        self._make_due(self.held)

    def _make_due(self, client_pks: Iterable[int]) -> None:
        self.due.update(client_pks)
        if self.due:
            self.stirred.set()

    async def _listening(self) -> bool:
        """Whether a notification will say when a space moves (else the dispatcher polls)."""
        return connection.vendor == "postgresql" and await self.listener.start()

    async def _run(self) -> None:
        next_poll = time.monotonic()
        while self.held:
            # Listening starts before the look: an event committed after it is notified.
            listening = await self._listening()
            if not listening and time.monotonic() >= next_poll:
                # Polling: everyone is looked at once per POLL_SECONDS, however often new
                # connects stir the dispatcher in between.
                self.everyone_due()
                next_poll = time.monotonic() + wake.POLL_SECONDS
            if not self.due:
                timeout = None if listening else max(0.0, next_poll - time.monotonic())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stirred.wait(), timeout)
                # Whatever stirred it is in `held` and `due`, looked at again next.
                self.stirred.clear()
                continue
            # A moment for the rest of a wave to arrive: one event sends every subscriber's
            # connect back at once, and their reconnects come in over the next tenths of a
            # second; looked at together, a hundred of them cost a few looks, not a hundred.
            await asyncio.sleep(GATHER_SECONDS)
            self.stirred.clear()
            batch = {pk: self.held[pk] for pk in self.due if pk in self.held}
            self.due.clear()
            if batch:
                await self._look(batch)

    async def _look(self, batch: dict[int, Held]) -> None:
        for held in batch.values():
            held.in_batch = True
        found: dict[int, delivery.Delivery] = {}
        try:
            numbers = {pk: held.number for pk, held in batch.items()}
            found = await db_calls.run(delivery.deliver, numbers)
        except Exception:
            # One failed look must not leave every waiting connect unanswered: those whose
            # time is up are answered empty, the others looked at again after a pause.
            logger.exception("streaming: a look at the event log failed")
        finally:
            for held in batch.values():
                held.in_batch = False
        for pk, held in batch.items():
            held.looked = True
            answer = found.get(pk)
            if answer is not None and (answer.final or held.leaving):
                self._settle(held, answer)
            elif held.leaving:
                self._settle(held, delivery.Delivery([]))
        if not found:
            await asyncio.sleep(wake.POLL_SECONDS)
            self._make_due(pk for pk in batch if pk in self.held)


_dispatchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Dispatcher] = (
    weakref.WeakKeyDictionary()
)


async def answer(client_pk: int, number: int, space: str, seconds: float) -> delivery.Delivery:
    """What connect `number` of the client delivers: events as soon as a look finds them, or
    nothing once `seconds` have passed (never before its first look)."""
    dispatcher = _dispatchers.setdefault(asyncio.get_running_loop(), Dispatcher())
    held = dispatcher.hold(client_pk, number, space)
    try:
        try:
            return await asyncio.wait_for(asyncio.shield(held.answer), timeout=seconds)
        except TimeoutError:
            if held.answer.done():
                return held.answer.result()
            if held.looked and not held.in_batch:
                return delivery.Delivery([])
            held.leaving = True
            return await held.answer
    finally:
        await dispatcher.release(held)

"""What keeps the bus carrying a room of held connects (bench/events.py): a look at the log for
many connects costs what a look for one does, a connect owed nothing takes no write lock, no
more than `db_calls.AT_ONCE` database calls of a process run at once, and a notification
makes only the connects of its own space due."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Mapping
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.asgi_bodies import Message, Receive, Scope, Send
from org.streaming import db_calls, delivery, held, wake
from org.streaming.models import StreamingClient
from tests.org.rest_client import rest_for
from tests.org.streaming_client import bayeux_for, replay_ids

ORDERS = "/event/Order_Placed__e"


@pytest.fixture
def main(oauth):
    return rest_for(oauth, owner="")


def _publish(rest, number: str) -> None:
    answer = rest.post("/sobjects/Order_Placed__e/", {"Order_Number__c": number})
    assert answer.status_code == 201, answer.content


def _waiting(count: int, main) -> dict[int, int]:
    """`count` new clients subscribed to ORDERS, each with its last connect's number."""
    bus = bayeux_for(main)
    for _ in range(count):
        client_id = bus.subscribed(ORDERS, -1)
        assert bus.events(client_id) == []
    return dict(StreamingClient.objects.values_list("pk", "connects"))


def test_a_connect_owed_nothing_reads_once_and_writes_nothing(main):
    bus = bayeux_for(main)
    client_id = bus.subscribed(ORDERS, -2)
    assert bus.events(client_id) == []
    client = StreamingClient.objects.get()

    with CaptureQueriesContext(connection) as idle:
        found = delivery.deliver({client.pk: client.connects})
    assert found == {client.pk: delivery.Delivery([])}
    (statement,) = [query["sql"] for query in idle.captured_queries]
    assert statement.startswith("SELECT")
    assert "FOR UPDATE" not in statement

    _publish(main, "ORD-1")
    with CaptureQueriesContext(connection) as owed:
        found = delivery.deliver({client.pk: client.connects})
    assert replay_ids(found[client.pk].messages) == [1]
    assert any(query["sql"].startswith("UPDATE") for query in owed.captured_queries)
    # The position moved in that transaction: the client's next connect has nothing new.
    assert bus.events(client_id) == []


def test_one_look_for_many_connects_runs_the_statements_of_one(main):
    def statements_to_deliver(wanted: Mapping[int, int]) -> tuple[int, set[int]]:
        _publish(main, "ORD")
        with CaptureQueriesContext(connection) as looked:
            found = delivery.deliver(wanted)
        delivered = {len(answer.messages) for answer in found.values()}
        return len(looked.captured_queries), delivered

    one = _waiting(1, main)
    assert statements_to_deliver(one) == statements_to_deliver(one)
    cost_of_one, _ = statements_to_deliver(one)
    many = _waiting(11, main)
    assert len(many) == 12
    cost_of_many, delivered = statements_to_deliver(many)
    assert cost_of_many == cost_of_one
    # Every one of the twelve got the event.
    assert delivered == {1}


def test_a_subscription_replaying_everything_is_read_on_its_first_connect(main):
    for number in range(2):
        _publish(main, f"ORD-{number}")
    bus = bayeux_for(main)
    client_id = bus.subscribed(ORDERS, -2)
    assert replay_ids(bus.events(client_id)) == [1, 2]


def test_a_replaced_or_forgotten_client_is_told_so_without_the_lock(main):
    bayeux_for(main).subscribed(ORDERS)
    client = StreamingClient.objects.get()
    with CaptureQueriesContext(connection) as looked:
        found = delivery.deliver({client.pk: client.connects - 1, client.pk + 1: 1})
    assert found[client.pk].replaced
    assert found[client.pk + 1].gone
    assert len(looked.captured_queries) == 1


def test_no_more_than_at_once_calls_use_the_database_together():
    release = threading.Event()
    entered: list[int] = []

    def call(number: int) -> int:
        entered.append(number)
        release.wait(timeout=30)
        return number

    async def scenario() -> None:
        tasks = [asyncio.create_task(db_calls.run(call, n)) for n in range(db_calls.AT_ONCE + 3)]
        while len(entered) < db_calls.AT_ONCE:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        # The other three wait for a thread, and only a call that ends lets them in.
        assert len(entered) == db_calls.AT_ONCE
        release.set()
        assert sorted(await asyncio.gather(*tasks)) == list(range(db_calls.AT_ONCE + 3))

    async def served() -> None:
        # What config/asgi.py wraps the streaming application in.
        async def application(scope: Scope, receive: Receive, send: Send) -> None:
            await scenario()

        async def nothing_received() -> Message:
            return {}

        async def nothing_sent(message: Message) -> None:
            pass

        await db_calls.pooled(application)({}, nothing_received, nothing_sent)

    asyncio.run(served())


def test_a_notification_makes_only_the_connects_of_its_own_space_due():
    async def scenario() -> None:
        dispatcher = held.Dispatcher()
        dispatcher.held = {
            1: held.Held(1, 1, wake.space_key(1, "")),
            2: held.Held(2, 1, wake.space_key(1, "t-7")),
        }
        handed_on = asyncio.Event()

        class Listening:
            async def notifies(self) -> AsyncIterator[Any]:
                yield SimpleNamespace(payload=wake.space_key(1, "t-7"))
                handed_on.set()
                await asyncio.Event().wait()

            async def close(self) -> None:
                pass

        task = asyncio.create_task(dispatcher.listener._dispatch(Listening()))  # type: ignore[arg-type]
        await handed_on.wait()
        assert dispatcher.due == {2}
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        # A dropped LISTEN connection may have missed a notification: everyone looks again.
        assert dispatcher.due == {1, 2}

    asyncio.run(scenario())


class _Log:
    """A stand-in for delivery.deliver: what each look was asked, and what it answers."""

    def __init__(self) -> None:
        self.looks: list[dict[int, int]] = []
        self.owed: dict[int, list[dict[str, Any]]] = {}
        self.gate = asyncio.Event()
        self.gate.set()
        self.seconds_per_look = 0.0

    async def deliver(self, function: Any, wanted: dict[int, int]) -> dict[int, Any]:
        self.looks.append(dict(wanted))
        await self.gate.wait()
        await asyncio.sleep(self.seconds_per_look)
        return {pk: delivery.Delivery(self.owed.pop(pk, [])) for pk in wanted}


@pytest.fixture
def log(monkeypatch) -> _Log:
    log = _Log()
    monkeypatch.setattr(db_calls, "run", log.deliver)
    return log


def test_connects_waiting_together_are_answered_by_one_look(log):
    async def scenario() -> None:
        space = wake.space_key(1, "")
        waits = [asyncio.create_task(held.answer(pk, 1, space, 30)) for pk in (1, 2, 3)]
        while not log.looks:
            await asyncio.sleep(0)
        await asyncio.sleep(0.01)
        assert sum(len(look) for look in log.looks) == 3
        looks_so_far = len(log.looks)
        log.owed = {1: [{"event": 1}], 2: [{"event": 1}], 3: [{"event": 1}]}
        dispatcher = held._dispatchers[asyncio.get_running_loop()]
        dispatcher.space_moved(space)
        answers = await asyncio.gather(*waits)
        assert [answer.messages for answer in answers] == [[{"event": 1}]] * 3
        assert log.looks[looks_so_far:] == [{1: 1, 2: 1, 3: 1}]
        # Nobody is held any more, and the dispatcher has stopped.
        assert dispatcher.held == {}
        assert dispatcher.task is not None
        assert dispatcher.task.done()

    asyncio.run(scenario())


def test_a_connect_gets_its_first_look_even_with_no_time_to_wait(log):
    async def scenario() -> None:
        log.owed = {7: [{"event": 1}]}
        answer = await held.answer(7, 1, wake.space_key(1, ""), 0)
        assert answer.messages == [{"event": 1}]

    asyncio.run(scenario())


def test_a_newer_connect_of_a_client_ends_the_older_and_a_look_in_flight_keeps_its_events(log):
    async def scenario() -> None:
        space = wake.space_key(1, "")
        older = asyncio.create_task(held.answer(5, 1, space, 30))
        while not log.looks:
            await asyncio.sleep(0)
        await asyncio.sleep(0.01)
        newer = asyncio.create_task(held.answer(5, 2, space, 30))
        assert (await older).replaced
        # The newer connect's first look (after the dispatcher's moment of gathering).
        while len(log.looks) < 2:
            await asyncio.sleep(0)
        await asyncio.sleep(0.01)

        # Now the newer one is being looked at when a third connect arrives: the events
        # that look finds go to the connect it looked for, not into the void.
        log.gate.clear()
        log.owed = {5: [{"event": 1}]}
        held._dispatchers[asyncio.get_running_loop()].space_moved(space)
        while len(log.looks) < 3:
            await asyncio.sleep(0)
        third = asyncio.create_task(held.answer(5, 3, space, 0.05))
        await asyncio.sleep(0)
        log.gate.set()
        assert (await newer).messages == [{"event": 1}]
        assert (await third).messages == []

    asyncio.run(scenario())


def test_polling_looks_at_every_held_connect_even_while_new_ones_keep_arriving(log):
    async def scenario() -> None:
        space = wake.space_key(1, "")
        first = asyncio.create_task(held.answer(1, 1, space, 30))
        # SQLite has no notifications: the dispatcher polls. New connects every 0.1 s stir
        # it far more often than it polls; the first connect must still be looked at again.
        arrivals = []
        for pk in range(2, 22):
            arrivals.append(asyncio.create_task(held.answer(pk, 1, space, 30)))
            await asyncio.sleep(0.1)
        looks_at_first = sum(1 in look for look in log.looks)
        log.owed = {pk: [{"event": 1}] for pk in range(1, 22)}
        answers = await asyncio.gather(first, *arrivals)
        assert looks_at_first >= 3
        assert all(answer.messages == [{"event": 1}] for answer in answers)

    asyncio.run(scenario())


def test_a_connect_once_answered_is_never_looked_at_again(log):
    async def scenario() -> None:
        # A look slower than the poll: the next poll is due the moment it ends, before the
        # answered connect's request has run again. Looking at it then would move its
        # client's positions past events that no answer carries (they were lost so).
        log.seconds_per_look = wake.POLL_SECONDS + 0.1
        log.owed = {1: [{"event": 1}]}
        space = wake.space_key(1, "")
        answered = asyncio.create_task(held.answer(1, 1, space, 30))
        waiting = asyncio.create_task(held.answer(2, 1, space, 2))
        assert (await answered).messages == [{"event": 1}]
        assert (await waiting).messages == []
        assert [sorted(look) for look in log.looks][:2] == [[1, 2], [2]]
        assert all(1 not in look for look in log.looks[1:])

    asyncio.run(scenario())


def test_a_connect_costs_the_token_check_one_update_and_one_look(main):
    bus = bayeux_for(main)
    client_id = bus.subscribed(ORDERS, -1)
    assert bus.events(client_id) == []
    with CaptureQueriesContext(connection) as connect:
        assert bus.events(client_id) == []
    statements = [query["sql"].split()[0] for query in connect.captured_queries]
    assert statements == ["SELECT", "UPDATE", "SELECT"], connect.captured_queries

"""What keeps the bus carrying a room of held connects (bench/events.py): a connect owed
nothing takes no write lock, no more than `turns.AT_ONCE` requests of a process use the
database at once, and a notification wakes only the connects of its own space."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from org.streaming import delivery, turns, wake
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


def test_a_connect_owed_nothing_reads_once_and_writes_nothing(main):
    bus = bayeux_for(main)
    client_id = bus.subscribed(ORDERS, -2)
    assert bus.events(client_id) == []
    client = StreamingClient.objects.get()

    with CaptureQueriesContext(connection) as idle:
        assert delivery.deliver(client.pk, client.connects) == delivery.Delivery([])
    (statement,) = [query["sql"] for query in idle.captured_queries]
    assert statement.startswith("SELECT")
    assert "FOR UPDATE" not in statement

    _publish(main, "ORD-1")
    with CaptureQueriesContext(connection) as owed:
        found = delivery.deliver(client.pk, client.connects)
    assert replay_ids(found.messages) == [1]
    assert any(query["sql"].startswith("UPDATE") for query in owed.captured_queries)
    # The position moved in that transaction: the client's next connect has nothing new.
    assert bus.events(client_id) == []


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
        assert delivery.deliver(client.pk, client.connects - 1).replaced
        assert delivery.deliver(client.pk + 1, 1).gone
    assert len(looked.captured_queries) == 2


def test_no_more_than_at_once_requests_use_the_database_together():
    async def scenario() -> None:
        entered: list[int] = []
        release = asyncio.Event()

        async def request(number: int) -> None:
            async with turns.taken() as turn:
                await turn.run(entered.append, number)
                await release.wait()

        tasks = [asyncio.create_task(request(n)) for n in range(turns.AT_ONCE + 3)]
        while len(entered) < turns.AT_ONCE:
            await asyncio.sleep(0.01)
        # The other three wait for a turn, and only a turn given back lets them in.
        assert len(entered) == turns.AT_ONCE
        release.set()
        await asyncio.gather(*tasks)
        assert sorted(entered) == list(range(turns.AT_ONCE + 3))

    asyncio.run(scenario())


def test_a_notification_wakes_only_the_connects_of_its_own_space():
    async def scenario() -> None:
        listener = wake._Listener()
        main_space, trainee_space = asyncio.Event(), asyncio.Event()
        listener.waiting = {
            wake.space_key(1, ""): {main_space},
            wake.space_key(1, "t-7"): {trainee_space},
        }
        handed_on = asyncio.Event()

        class Listening:
            async def notifies(self) -> AsyncIterator[Any]:
                yield SimpleNamespace(payload=wake.space_key(1, "t-7"))
                handed_on.set()
                await asyncio.Event().wait()

            async def close(self) -> None:
                pass

        task = asyncio.create_task(listener._dispatch(Listening()))  # type: ignore[arg-type]
        await handed_on.wait()
        assert trainee_space.is_set()
        assert not main_space.is_set()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(scenario())

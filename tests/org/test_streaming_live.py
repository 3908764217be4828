"""A real long poll over a socket: a connect the server holds is answered when an event is
appended from another thread, and a newer connect of the same client takes over."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from config.org_paths import API_VERSION
from org.connected_apps import create_connected_app
from org.seed import seed_org
from org.streaming.models import StreamingClient
from tests.org.conftest import ADA, TOKEN

COMETD = f"/cometd/{API_VERSION}"
ORDERS = "/event/Order_Placed__e"
PUBLISH = f"/services/data/v{API_VERSION}/sobjects/Order_Placed__e/"
# The client asks the server to hold its connect this long; the test ends far sooner when
# the wake-up works, and fails (no event in the answer) when it does not.
HOLD_MS = 30_000


def _bus(base_url: str) -> httpx.Client:
    seed_org()
    app = create_connected_app(
        name="Streaming test", owner="tests", grants=["client_credentials"], run_as=ADA
    )
    answer = httpx.post(
        base_url + TOKEN,
        data={"grant_type": "client_credentials"},
        auth=(app.client_id, app.client_secret or ""),
    )
    token = answer.json()["access_token"]
    return httpx.Client(
        base_url=base_url, headers={"Authorization": f"OAuth {token}"}, timeout=HOLD_MS / 500
    )


def _subscribed(bus: httpx.Client) -> str:
    (hello,) = bus.post(COMETD, json=[{"channel": "/meta/handshake", "version": "1.0"}]).json()
    client_id = str(hello["clientId"])
    (joined,) = bus.post(
        COMETD,
        json=[{"channel": "/meta/subscribe", "clientId": client_id, "subscription": ORDERS}],
    ).json()
    assert joined["successful"] is True
    (first,) = _connect(bus, client_id, 0)
    assert first["successful"] is True
    return client_id


def _connect(bus: httpx.Client, client_id: str, hold_ms: int) -> list[dict[str, Any]]:
    message = {
        "channel": "/meta/connect",
        "clientId": client_id,
        "connectionType": "long-polling",
        "advice": {"timeout": hold_ms},
    }
    return list(bus.post(COMETD, json=[message]).json())


def _publish(bus: httpx.Client, number: str) -> None:
    token = bus.headers["Authorization"].removeprefix("OAuth ")
    answer = bus.post(
        PUBLISH, json={"Order_Number__c": number}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 201, answer.text


def _held(count: int) -> None:
    """Until the server has counted `count` connects of the one client (it holds the last)."""
    while StreamingClient.objects.get().connects < count:
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_held_connect_is_answered_when_another_thread_publishes(live_server):
    bus = _bus(live_server.url)
    client_id = _subscribed(bus)
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(_connect, bus, client_id, HOLD_MS)
        _held(2)
        _publish(bus, "ORD-LIVE")
        *events, reply = waiting.result()
    assert reply["successful"] is True
    (event,) = events
    assert event["channel"] == ORDERS
    assert event["data"]["payload"]["Order_Number__c"] == "ORD-LIVE"
    assert event["data"]["event"]["replayId"] == 1


@pytest.mark.django_db(transaction=True)
def test_a_newer_connect_of_the_client_takes_the_events_from_an_older_one(live_server):
    bus = _bus(live_server.url)
    client_id = _subscribed(bus)
    with ThreadPoolExecutor(2) as pool:
        older = pool.submit(_connect, bus, client_id, HOLD_MS)
        _held(2)
        newer = pool.submit(_connect, bus, client_id, HOLD_MS)
        _held(3)
        _publish(bus, "ORD-1")
        old_answer, new_answer = older.result(), newer.result()
    # Bayeux: one outstanding connect per client; the older one ends empty.
    assert [m["channel"] for m in old_answer] == ["/meta/connect"]
    assert [m["channel"] for m in new_answer] == [ORDERS, "/meta/connect"]

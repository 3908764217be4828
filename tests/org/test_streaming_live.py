"""Real long polls over sockets, the site under uvicorn on a SQLite file: a connect the server
holds is answered when another process appends, and a newer connect of the same client takes
over from an older one."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bench.servers import free_port, manage, sqlite_site_env
from config.org_paths import API_VERSION
from tests.org.streaming_client import uvicorn

COMETD = f"/cometd/{API_VERSION}"
ORDERS = "/event/Order_Placed__e"
PUBLISH = f"/services/data/v{API_VERSION}/sobjects/Order_Placed__e/"
# The client asks the server to hold its connect this long; the test ends far sooner when
# the wake-up works, and fails (no event in the answer) when it does not.
HOLD_MS = 30_000


@dataclass(frozen=True)
class Site:
    url: str
    database: str
    app: dict[str, str]

    def token(self) -> str:
        answer = httpx.post(
            self.url + "/services/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(self.app["client_id"], self.app["client_secret"]),
            timeout=30,
        )
        return str(answer.json()["access_token"])

    def connects(self, client_id_count: int) -> None:
        """Until the server has counted `client_id_count` connects of the newest client."""
        while True:
            with sqlite3.connect(self.database) as connection:
                row = connection.execute(
                    "SELECT connects FROM org_streamingclient ORDER BY id DESC LIMIT 1"
                ).fetchone()
            if row and row[0] >= client_id_count:
                return
            time.sleep(0.05)


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    port = free_port()
    with sqlite_site_env(f"http://127.0.0.1:{port}") as env:
        app = json.loads(
            manage(
                env,
                "create_connected_app",
                "--json",
                "--name=Streaming test",
                "--grant=client_credentials",
                "--scope=api",
                "--run-as=ada@handshake.example",
            )
        )
        with uvicorn(env, port) as url:
            yield Site(url, env["HANDSHAKE_SQLITE_PATH"], app)


def _bayeux(site: Site, token: str, message: dict[str, Any]) -> list[dict[str, Any]]:
    answer = httpx.post(
        site.url + COMETD,
        json=[message],
        headers={"Authorization": f"OAuth {token}"},
        timeout=HOLD_MS / 500,
    )
    return list(answer.json())


def _connect(site: Site, token: str, client_id: str, hold_ms: int) -> list[dict[str, Any]]:
    message = {
        "channel": "/meta/connect",
        "clientId": client_id,
        "connectionType": "long-polling",
        "advice": {"timeout": hold_ms},
    }
    return _bayeux(site, token, message)


def _subscribed(site: Site, token: str) -> str:
    (hello,) = _bayeux(site, token, {"channel": "/meta/handshake", "version": "1.0"})
    client_id = str(hello["clientId"])
    message = {"channel": "/meta/subscribe", "clientId": client_id, "subscription": ORDERS}
    (joined,) = _bayeux(site, token, message)
    assert joined["successful"] is True
    (first,) = _connect(site, token, client_id, 0)
    assert first["successful"] is True
    return client_id


def _publish(site: Site, token: str, number: str) -> None:
    answer = httpx.post(
        site.url + PUBLISH,
        json={"Order_Number__c": number},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text


def test_a_held_connect_is_answered_when_another_process_publishes(site):
    token = site.token()
    client_id = _subscribed(site, token)
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(_connect, site, token, client_id, HOLD_MS)
        site.connects(2)
        _publish(site, token, "ORD-LIVE")
        *events, reply = waiting.result()
    assert reply["successful"] is True
    assert reply["advice"] == {"interval": 0, "timeout": 110000, "reconnect": "retry"}
    (event,) = events
    assert event["channel"] == ORDERS
    assert event["data"]["payload"]["Order_Number__c"] == "ORD-LIVE"


def test_a_newer_connect_of_the_client_takes_the_events_from_an_older_one(site):
    token = site.token()
    client_id = _subscribed(site, token)
    with ThreadPoolExecutor(2) as pool:
        older = pool.submit(_connect, site, token, client_id, HOLD_MS)
        site.connects(2)
        newer = pool.submit(_connect, site, token, client_id, HOLD_MS)
        site.connects(3)
        _publish(site, token, "ORD-1")
        old_answer, new_answer = older.result(), newer.result()
    # Bayeux: one outstanding connect per client; the older one ends empty.
    assert [m["channel"] for m in old_answer] == ["/meta/connect"]
    assert [m["channel"] for m in new_answer] == [ORDERS, "/meta/connect"]

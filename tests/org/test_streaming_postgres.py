"""Two ASGI server processes on one PostgreSQL: a connect held by one is woken by LISTEN/NOTIFY
when the other appends, and the client carries on through either process."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg
import pytest

from bench.servers import (
    free_port,
    manage,
    postgres,
    postgres_available,
    prepare_site,
    production_env,
)
from config.org_paths import API_VERSION
from tests.org.streaming_client import uvicorn

pytestmark = pytest.mark.skipif(
    not postgres_available(), reason="PostgreSQL binaries are installed by `make test`"
)

COMETD = f"/cometd/{API_VERSION}"
ORDERS = "/event/Order_Placed__e"
PUBLISH = f"/services/data/v{API_VERSION}/sobjects/Order_Placed__e/"
# Held this long unless woken: an answer without the event means no notification came.
HOLD_MS = 30_000


def _bayeux(base: str, token: str, message: dict[str, Any]) -> list[dict[str, Any]]:
    answer = httpx.post(
        base + COMETD,
        json=[message],
        headers={"Authorization": f"OAuth {token}"},
        timeout=HOLD_MS / 500,
    )
    return list(answer.json())


def _connect(base: str, token: str, client_id: str, hold_ms: int) -> list[dict[str, Any]]:
    message = {
        "channel": "/meta/connect",
        "clientId": client_id,
        "connectionType": "long-polling",
        "advice": {"timeout": hold_ms},
    }
    return _bayeux(base, token, message)


def _publish(base: str, token: str, number: str) -> None:
    answer = httpx.post(
        base + PUBLISH,
        json={"Order_Number__c": number},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text


def _numbers(answer: list[dict[str, Any]]) -> list[str]:
    return [m["data"]["payload"]["Order_Number__c"] for m in answer if m["channel"] == ORDERS]


def _held(database_url: str, count: int) -> None:
    """Until the servers have counted `count` connects of the one client."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        while True:
            row = connection.execute("SELECT connects FROM org_streamingclient").fetchone()
            if row and row[0] >= count:
                return
            time.sleep(0.05)


def test_a_connect_held_by_one_process_wakes_when_another_appends_and_moves_on_anywhere():
    port_a, port_b = free_port(), free_port()
    with postgres() as database:
        env = production_env(f"http://127.0.0.1:{port_a}", database_url=database.url)
        prepare_site(env)
        app = json.loads(
            manage(
                env,
                "create_connected_app",
                "--json",
                "--name=Streaming on two processes",
                "--grant=client_credentials",
                "--scope=api",
                "--run-as=ada@handshake.example",
            )
        )
        with uvicorn(env, port_a) as a, uvicorn(env, port_b) as b:
            token = httpx.post(
                a + "/services/oauth2/token",
                data={"grant_type": "client_credentials"},
                auth=(app["client_id"], app["client_secret"]),
                timeout=30,
            ).json()["access_token"]
            (hello,) = _bayeux(a, token, {"channel": "/meta/handshake", "version": "1.0"})
            client_id = hello["clientId"]
            (joined,) = _bayeux(
                a,
                token,
                {"channel": "/meta/subscribe", "clientId": client_id, "subscription": ORDERS},
            )
            assert joined["successful"] is True
            assert _numbers(_connect(a, token, client_id, 0)) == []

            # B holds the connect; A's publish wakes it through PostgreSQL.
            with ThreadPoolExecutor(1) as pool:
                waiting = pool.submit(_connect, b, token, client_id, HOLD_MS)
                _held(database.url, 2)
                _publish(a, token, "ORD-1")
                woken = waiting.result()
            assert _numbers(woken) == ["ORD-1"]
            assert woken[-1]["successful"] is True

            # The position lives in the database: A goes on from where B delivered.
            _publish(b, token, "ORD-2")
            assert _numbers(_connect(a, token, client_id, 0)) == ["ORD-2"]
            with ThreadPoolExecutor(1) as pool:
                waiting = pool.submit(_connect, a, token, client_id, HOLD_MS)
                _held(database.url, 4)
                _publish(b, token, "ORD-3")
                assert _numbers(waiting.result()) == ["ORD-3"]

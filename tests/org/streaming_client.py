"""A CometD client over Django's test client, sending what jsforce (Faye) sends; and the site
under uvicorn, for tests of real long polls."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.test import Client

from bench.servers import ROOT, stop, wait_until_listening
from config.org_paths import API_VERSION
from tests.org.rest_client import Rest

COMETD = f"/cometd/{API_VERSION}"


@dataclass
class Bayeux:
    client: Client
    token: str
    scheme: str = "OAuth"
    path: str = COMETD

    def post(self, *messages: Any, raw: bytes | str | None = None):
        body = raw if raw is not None else json.dumps(list(messages))
        headers = {"Authorization": f"{self.scheme} {self.token}"} if self.token else {}
        return self.client.post(self.path, body, content_type="application/json", headers=headers)

    def one(self, message: dict[str, Any]) -> dict[str, Any]:
        response = self.post(message)
        (reply,) = response.json()
        return dict(reply)

    def handshake(self) -> str:
        reply = self.one(
            {
                "channel": "/meta/handshake",
                "version": "1.0",
                "supportedConnectionTypes": ["long-polling"],
                "ext": {"replay": True},
                "id": "1",
            }
        )
        assert reply["successful"] is True, reply
        return str(reply["clientId"])

    def subscribe(self, client_id: str, channel: str, replay: Any = None) -> dict[str, Any]:
        message: dict[str, Any] = {
            "channel": "/meta/subscribe",
            "clientId": client_id,
            "subscription": channel,
            "id": "2",
        }
        if replay is not None:
            message["ext"] = {"replay": {channel: replay}}
        return self.one(message)

    def connect(self, client_id: str, timeout: int = 0) -> list[dict[str, Any]]:
        response = self.post(
            {
                "channel": "/meta/connect",
                "clientId": client_id,
                "connectionType": "long-polling",
                "advice": {"timeout": timeout},
                "id": "3",
            }
        )
        return list(response.json())

    def events(self, client_id: str) -> list[dict[str, Any]]:
        """The events one connect brings, its own reply checked and left out."""
        *events, reply = self.connect(client_id)
        assert reply["channel"] == "/meta/connect"
        assert reply["successful"] is True, reply
        return events

    def subscribed(self, channel: str, replay: Any = None) -> str:
        """A new client subscribed to `channel`."""
        client_id = self.handshake()
        assert self.subscribe(client_id, channel, replay)["successful"] is True
        return client_id


def bayeux_for(rest: Rest, scheme: str = "OAuth") -> Bayeux:
    return Bayeux(rest.client, rest.token, scheme)


def replay_ids(events: list[dict[str, Any]]) -> list[int]:
    return [event["data"]["event"]["replayId"] for event in events]


@contextmanager
def uvicorn(env: dict[str, str], port: int) -> Iterator[str]:
    """The site's ASGI application under uvicorn on 127.0.0.1:port; yields its URL."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host=127.0.0.1",
            f"--port={port}",
            "--log-level=warning",
            "--timeout-graceful-shutdown=5",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_listening(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)

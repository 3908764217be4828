"""A CometD client's messages, as Salesforce's streaming API takes them: the requests a
subscriber sends to /cometd/NN.N and what it reads from the answers (Bayeux 1.0)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from config.org_paths import API_VERSION
from playground.exchange import HttpExchange, OutgoingRequest
from playground.vocabulary import StepContext

COMETD_PATH = f"/cometd/{API_VERSION}"
# Bayeux §5.2: a long-polling client's connect; advice.timeout 0 asks the server to answer at
# once instead of holding the request open, so no worker of this site ever waits on it.
ANSWER_AT_ONCE = {"timeout": 0}
# Salesforce's replay extension: -1 new events only, -2 everything retained.
NEW_ONLY = -1
ALL_RETAINED = -2


def _instance(ctx: StepContext) -> str:
    return ctx.values.get("instance_url") or ctx.base_url


def bayeux_request(ctx: StepContext, message: Mapping[str, Any]) -> OutgoingRequest:
    """One Bayeux message POSTed as a JSON array, with the token as jsforce sends it."""
    headers = (
        ("Accept", "application/json"),
        ("Content-Type", "application/json"),
        ("Authorization", f"Bearer {ctx.values.get('access_token', '')}"),
    )
    body = json.dumps([dict(message)]).encode()
    return OutgoingRequest("POST", _instance(ctx) + COMETD_PATH, headers, body)


def handshake(ctx: StepContext) -> OutgoingRequest:
    return bayeux_request(
        ctx,
        {
            "channel": "/meta/handshake",
            "version": "1.0",
            "minimumVersion": "1.0",
            "supportedConnectionTypes": ["long-polling"],
            "ext": {"replay": True},
            "id": "1",
        },
    )


def subscribe(ctx: StepContext, client_id: str, channel: str, replay: int) -> OutgoingRequest:
    return bayeux_request(
        ctx,
        {
            "channel": "/meta/subscribe",
            "clientId": client_id,
            "subscription": channel,
            "ext": {"replay": {channel: replay}},
            "id": "2",
        },
    )


def connect(ctx: StepContext, client_id: str, number: int) -> OutgoingRequest:
    return bayeux_request(
        ctx,
        {
            "channel": "/meta/connect",
            "clientId": client_id,
            "connectionType": "long-polling",
            "advice": ANSWER_AT_ONCE,
            "id": str(number),
        },
    )


def disconnect(ctx: StepContext, client_id: str) -> OutgoingRequest:
    return bayeux_request(ctx, {"channel": "/meta/disconnect", "clientId": client_id, "id": "0"})


def messages(exchange: HttpExchange) -> list[dict[str, Any]]:
    """The Bayeux messages of an answer: a JSON array of objects; anything else is none."""
    try:
        body = json.loads(exchange.response_body or "null")
    except ValueError:
        return []
    if isinstance(body, dict):
        body = [body]
    return [item for item in body if isinstance(item, dict)] if isinstance(body, list) else []


@dataclass(frozen=True)
class Reply:
    """The server's answer to one meta message: successful, or its `code::message` error."""

    successful: bool
    error: str
    message: Mapping[str, Any]

    @property
    def client_id(self) -> str:
        value = self.message.get("clientId")
        return value if isinstance(value, str) else ""

    @property
    def rehandshake(self) -> bool:
        """The server forgot the client (403::Unknown client): handshake again."""
        advice = self.message.get("advice")
        return isinstance(advice, dict) and advice.get("reconnect") == "handshake"


def reply_to(exchange: HttpExchange, channel: str) -> Reply:
    """The reply on `channel` (e.g. /meta/subscribe), or a failed one saying why none came."""
    for message in messages(exchange):
        if message.get("channel") == channel:
            error = message.get("error")
            ext = message.get("ext")
            failure = ext.get("sfdc") if isinstance(ext, dict) else None
            reason = failure.get("failureReason") if isinstance(failure, dict) else None
            said = " ".join(str(part) for part in (error, reason) if part)
            return Reply(message.get("successful") is True, said, message)
    if exchange.status == 0:
        return Reply(False, exchange.error, {})
    return Reply(False, f"HTTP {exchange.status}: {exchange.problem}", {})


def deliveries(exchange: HttpExchange) -> list[dict[str, Any]]:
    """The events an answer carried: messages on a channel of their own, with data."""
    return [
        message
        for message in messages(exchange)
        if not str(message.get("channel", "")).startswith("/meta/")
        and isinstance(message.get("data"), dict)
    ]


def replay_id_of(message: Mapping[str, Any]) -> int | None:
    event = message.get("data", {}).get("event", {})
    value = event.get("replayId") if isinstance(event, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def sent_to(exchange: HttpExchange) -> dict[str, Any]:
    """The first message the request carried (what the subscriber asked)."""
    try:
        body = json.loads(exchange.request_body or "null")
    except ValueError:
        return {}
    first = body[0] if isinstance(body, list) and body else {}
    return first if isinstance(first, dict) else {}

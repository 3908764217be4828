"""Answering one POST to /cometd/NN.N: the token checked once, then each message of the batch
in order; a connect is held (in the event loop) until an event or its timeout.

The database work runs one short call at a time on the process's streaming threads
(`db_calls.py`); a held connect waits in `held.py` for a look that answers it, holding no
thread and no database connection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from org.streaming import clients, db_calls, held, protocol, subscriptions, wake


@dataclass(frozen=True)
class Answer:
    status: int
    body: list[dict[str, Any]]


def ceiling_ms() -> int:
    """The longest the server holds a connect (settings.HANDSHAKE_COMETD_TIMEOUT_MS)."""
    return int(settings.HANDSHAKE_COMETD_TIMEOUT_MS)


async def answer(request: HttpRequest, version: str, batch: protocol.Batch) -> Answer:
    streamer = await db_calls.run(clients.authenticate, request, version)
    if isinstance(streamer, str):
        refused = [protocol.not_authenticated(m, streamer) for m in batch.messages]
        return Answer(401, refused)
    replies: list[dict[str, Any]] = []
    for message in batch.messages:
        replies += await _reply(streamer, message)
    return Answer(200, replies)


async def _reply(streamer: clients.Streamer, message: protocol.Message) -> list[dict[str, Any]]:
    channel = message.channel
    if channel == protocol.CONNECT:
        return await _connect(streamer, message)
    if channel == protocol.HANDSHAKE:
        client_id = await db_calls.run(clients.handshake, streamer)
        if client_id is None:
            return [protocol.failure(message, protocol.TOO_MANY_CLIENTS, advice=protocol.GIVE_UP)]
        return [protocol.handshake_reply(message, client_id)]
    if channel == protocol.SUBSCRIBE:
        return [await db_calls.run(subscriptions.subscribe, streamer, message)]
    if channel == protocol.UNSUBSCRIBE:
        return [await db_calls.run(subscriptions.unsubscribe, streamer, message)]
    if channel == protocol.DISCONNECT:
        if not await db_calls.run(clients.disconnect, streamer, message.client_id):
            return [protocol.unknown_client(message)]
        return [protocol.success(message, clientId=message.client_id)]
    if not channel:
        return [protocol.failure(message, protocol.NO_CHANNEL)]
    if channel.startswith("/meta/"):
        return [protocol.failure(message, protocol.UNKNOWN_META)]
    # Salesforce's clients subscribe; they publish over the REST API, never over CometD.
    return [protocol.failure(message, protocol.PUBLISH_DENIED)]


async def _connect(streamer: clients.Streamer, message: protocol.Message) -> list[dict[str, Any]]:
    if message.text("connectionType") != protocol.LONG_POLLING:
        return [protocol.invalid_connection_type(message)]
    ceiling = ceiling_ms()
    hold_ms = message.timeout_ms(ceiling)
    connecting = await db_calls.run(clients.begin_connect, streamer, message.client_id, hold_ms)
    if connecting is None:
        return [protocol.unknown_client(message)]
    holding = db_calls.holds_connects()
    # Bayeux: the first connect after a handshake is answered at once, with the advice.
    seconds = hold_ms / 1000 if holding and not connecting.first else 0
    space = wake.space_key(connecting.org_pk, connecting.space)
    found = await held.answer(connecting.client_pk, connecting.number, space, seconds)
    if found.gone:
        return [protocol.unknown_client(message)]
    timeout_ms, interval_ms = (ceiling, 0) if holding else (0, protocol.POLLING_INTERVAL_MS)
    reply = protocol.connect_reply(
        message, message.client_id, timeout_ms=timeout_ms, interval_ms=interval_ms
    )
    return [*found.messages, reply]

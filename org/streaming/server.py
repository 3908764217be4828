"""Answering one POST to /cometd/NN.N: the token checked once, then each message of the batch
in order; a connect is held (in the event loop) until an event or its timeout.

The database work runs in Django's sync_to_async threads, one short call at a time, in the
request's turn (`turns.py`): a held connect is a coroutine between those calls, and holds no
thread, no turn and no database connection while it waits."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from org.streaming import clients, delivery, protocol, subscriptions, turns, wake


@dataclass(frozen=True)
class Answer:
    status: int
    body: list[dict[str, Any]]


def ceiling_ms() -> int:
    """The longest the server holds a connect (settings.HANDSHAKE_COMETD_TIMEOUT_MS)."""
    return int(settings.HANDSHAKE_COMETD_TIMEOUT_MS)


async def answer(request: HttpRequest, version: str, batch: protocol.Batch) -> Answer:
    async with turns.taken() as turn:
        streamer = await turn.run(clients.authenticate, request, version)
        if isinstance(streamer, str):
            refused = [protocol.not_authenticated(m, streamer) for m in batch.messages]
            return Answer(401, refused)
        replies: list[dict[str, Any]] = []
        for message in batch.messages:
            replies += await _reply(turn, streamer, message)
        return Answer(200, replies)


async def _reply(
    turn: turns.Turn, streamer: clients.Streamer, message: protocol.Message
) -> list[dict[str, Any]]:
    channel = message.channel
    if channel == protocol.CONNECT:
        return await _connect(turn, streamer, message)
    if channel == protocol.HANDSHAKE:
        client_id = await turn.run(clients.handshake, streamer)
        if client_id is None:
            return [protocol.failure(message, protocol.TOO_MANY_CLIENTS, advice=protocol.GIVE_UP)]
        return [protocol.handshake_reply(message, client_id)]
    if channel == protocol.SUBSCRIBE:
        return [await turn.run(subscriptions.subscribe, streamer, message)]
    if channel == protocol.UNSUBSCRIBE:
        return [await turn.run(subscriptions.unsubscribe, streamer, message)]
    if channel == protocol.DISCONNECT:
        if not await turn.run(clients.disconnect, streamer, message.client_id):
            return [protocol.unknown_client(message)]
        return [protocol.success(message, clientId=message.client_id)]
    if not channel:
        return [protocol.failure(message, protocol.NO_CHANNEL)]
    if channel.startswith("/meta/"):
        return [protocol.failure(message, protocol.UNKNOWN_META)]
    # Salesforce's clients subscribe; they publish over the REST API, never over CometD.
    return [protocol.failure(message, protocol.PUBLISH_DENIED)]


async def _connect(
    turn: turns.Turn, streamer: clients.Streamer, message: protocol.Message
) -> list[dict[str, Any]]:
    if message.text("connectionType") != protocol.LONG_POLLING:
        return [protocol.invalid_connection_type(message)]
    ceiling = ceiling_ms()
    hold_ms = message.timeout_ms(ceiling)
    connecting = await turn.run(clients.begin_connect, streamer, message.client_id, hold_ms)
    if connecting is None:
        return [protocol.unknown_client(message)]
    client = connecting.client
    # Bayeux: the first connect after a handshake is answered at once, with the advice.
    deadline = time.monotonic() + (0 if connecting.first else hold_ms / 1000)
    async with wake.watching(client.org_id, client.space) as signal:
        while True:
            found = await turn.run(delivery.deliver, client.pk, connecting.number)
            remaining = deadline - time.monotonic()
            if found.final or remaining <= 0:
                break
            # No connection is kept while a connect waits: one per held connect passed
            # PostgreSQL's 100 with 200 subscribers (bench/events.py).
            await turn.give_back()
            await signal.wait(remaining)
    if found.gone:
        return [protocol.unknown_client(message)]
    return [*found.messages, protocol.connect_reply(message, message.client_id, ceiling)]

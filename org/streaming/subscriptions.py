"""Subscribing a client to a channel of its data space, from where its replay id says.

A channel exists when the space sees its platform event's definition (`/event/Name__e`,
names compared exactly: channels are case-sensitive) or, for change events, when the object is
one the org has (`/data/AccountChangeEvent`, `/data/ChangeEvents`). Salesforce's replay
extension names the start per channel in `ext.replay`: -1 new events only (the default), -2
everything retained, N the events after N."""

from __future__ import annotations

from typing import Any

from org.events import changes, definitions, log
from org.rest.spaces import Caller
from org.streaming import protocol
from org.streaming.clients import Streamer, find
from org.streaming.models import StreamingClient, Subscription

# A client subscribes to a handful of channels; 100 is far past any real one.
MAX_SUBSCRIPTIONS = 100


def channel_exists(caller: Caller, channel: str) -> bool:
    if channel.startswith("/event/"):
        name = channel.removeprefix("/event/")
        found = definitions.find(caller.org, caller.space, name)
        return found is not None and found.api_name == name
    if channel.startswith("/data/"):
        return changes.channel_exists(channel)
    return False


def _channel_problem(message: protocol.Message) -> str:
    channel = message.subscription
    if not isinstance(channel, str) or not channel:
        return protocol.NO_CHANNEL_NAME
    if not channel.startswith("/"):
        return protocol.NO_LEADING_SLASH
    return ""


def _start(caller: Caller, channel: str, asked: object) -> int:
    """Where the subscription starts: the replay id after which events are delivered."""
    position = log.parse_replay_id(asked)
    if position == log.REPLAY_FROM_TIP:
        return log.latest_replay_id(caller.org, caller.space, channel)
    if position != log.REPLAY_FROM_EARLIEST:
        # Refuses, with Salesforce's replay error, an id the channel cannot resume from.
        log.read_after(caller.org, caller.space, channel, position)
    return position


def subscribe(streamer: Streamer, message: protocol.Message) -> dict[str, Any]:
    client = find(streamer, message.client_id)
    if client is None:
        return protocol.unknown_client(message)
    if problem := _channel_problem(message):
        return protocol.failure(message, problem, clientId=message.client_id)
    channel: str = message.subscription
    if len(channel) > 100 or not channel_exists(streamer.caller, channel):
        return protocol.unknown_channel(message, channel[:100])
    # Without the extension, or without this channel in it: new events only.
    replay = message.ext().get("replay")
    asked = replay.get(channel, log.REPLAY_FROM_TIP) if isinstance(replay, dict) else -1
    try:
        after = _start(streamer.caller, channel, asked)
    except log.InvalidReplayId as error:
        return protocol.failure(
            message, f"400::{error}", clientId=message.client_id, subscription=channel
        )
    if _others(client, channel) >= MAX_SUBSCRIPTIONS:
        return protocol.failure(
            message,
            protocol.TOO_MANY_SUBSCRIPTIONS,
            clientId=message.client_id,
            subscription=channel,
        )
    Subscription.objects.update_or_create(
        client=client, channel=channel, defaults={"after_replay_id": after}
    )
    return protocol.success(message, clientId=message.client_id, subscription=channel)


def _others(client: StreamingClient, channel: str) -> int:
    return client.subscriptions.exclude(channel=channel).count()


def unsubscribe(streamer: Streamer, message: protocol.Message) -> dict[str, Any]:
    client = find(streamer, message.client_id)
    if client is None:
        return protocol.unknown_client(message)
    if problem := _channel_problem(message):
        return protocol.failure(message, problem, clientId=message.client_id)
    channel: str = message.subscription
    client.subscriptions.filter(channel=channel).delete()
    return protocol.success(message, clientId=message.client_id, subscription=channel[:100])

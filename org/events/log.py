"""The event log: append an event to a channel of a data space, read the events after a replay
id. Replay ids increase by one per (org, space, channel); a trainee's practice space has its
own counters and events, so no trainee reads another's.

Replay follows Salesforce's durable streaming: -1 is the tip (only events appended from now),
-2 the earliest retained event, and a stored id N means "the events after N". An id that is no
longer retained, or was never given out, is refused with Salesforce's replay error."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from org.events.models import ChannelCounter, ChannelRetention, Event
from org.models import Org
from org.streaming import wake

REPLAY_FROM_TIP = -1
REPLAY_FROM_EARLIEST = -2
# High-volume platform events and change events are kept 72 hours.
DEFAULT_RETENTION = timedelta(hours=72)
# One read hands back at most this many events; a reader asks again after the last one.
READ_BATCH = 200


class InvalidReplayId(ValueError):
    """A replay id the channel cannot resume from (expired, unknown, or not a number)."""

    def __init__(self, replay_id: object) -> None:
        self.replay_id = replay_id
        super().__init__(
            f"The replayId {{{replay_id}}} you provided was invalid. Please provide a valid ID, "
            "-2 to replay all events, or -1 to replay only new events."
        )


@dataclass(frozen=True)
class Page:
    """What one read found: the events in replay-id order, and the id to ask after next."""

    events: list[Event]
    last_replay_id: int


def retention_of(org: Org, space: str, channel: str) -> timedelta:
    minutes = (
        ChannelRetention.objects.filter(org=org, space=space, channel=channel)
        .values_list("minutes", flat=True)
        .first()
    )
    return DEFAULT_RETENTION if minutes is None else timedelta(minutes=minutes)


def event_time(moment: datetime) -> str:
    """A time in an event's body, as the CometD examples show it: 2026-12-03T12:00:00.123Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def take_replay_ids(org: Org, space: str, channel: str, count: int) -> range:
    """The channel's next `count` replay ids. Call it inside a transaction: the counter row
    stays locked until the transaction ends, so no other process takes these ids, and a
    rollback hands them back."""
    counter, _ = ChannelCounter.objects.get_or_create(org=org, space=space, channel=channel)
    # One UPDATE takes the row's write lock, so two processes never get the same id.
    ChannelCounter.objects.filter(pk=counter.pk).update(last_replay_id=F("last_replay_id") + count)
    counter.refresh_from_db(fields=["last_replay_id"])
    return range(counter.last_replay_id - count + 1, counter.last_replay_id + 1)


def store_events(
    org: Org, space: str, channel: str, replay_ids: range, payloads: Sequence[dict[str, Any]]
) -> list[Event]:
    """Store events at replay ids `take_replay_ids` gave out, each with a fresh EventUuid,
    and wake the space's held streaming connects when the transaction commits."""
    now = timezone.now()
    stored = Event.objects.bulk_create(
        Event(
            org=org,
            space=space,
            channel=channel,
            replay_id=replay_id,
            event_uuid=str(uuid.uuid4()),
            payload=payload,
            created_at=now,
        )
        for replay_id, payload in zip(replay_ids, payloads, strict=True)
    )
    wake.notify(org.pk, space)
    return stored


def append_all(
    org: Org, space: str, channel: str, payloads: Sequence[dict[str, Any]]
) -> list[Event]:
    """Give the channel's next replay ids to new events, in order, and store them."""
    with transaction.atomic():
        replay_ids = take_replay_ids(org, space, channel, len(payloads))
        return store_events(org, space, channel, replay_ids, payloads)


def append(org: Org, space: str, channel: str, payload: dict[str, Any]) -> Event:
    """Give the next replay id of the channel to a new event and store it."""
    (event,) = append_all(org, space, channel, [payload])
    return event


def latest_replay_id(org: Org, space: str, channel: str) -> int:
    """The last id given out on the channel (0 before its first event): where -1 starts."""
    found = (
        ChannelCounter.objects.filter(org=org, space=space, channel=channel)
        .values_list("last_replay_id", flat=True)
        .first()
    )
    return found or 0


def parse_replay_id(value: object) -> int:
    """A replay id as a client sends it: -1, -2 or a stored id (an int or its digits)."""
    if isinstance(value, bool):
        raise InvalidReplayId(value)
    if isinstance(value, str) and value.lstrip("-").isdigit() and value.isascii():
        value = int(value)
    if not isinstance(value, int) or value < REPLAY_FROM_EARLIEST:
        raise InvalidReplayId(value)
    return value


def read_after(org: Org, space: str, channel: str, replay_id: object) -> Page:
    """The retained events after `replay_id`, at most READ_BATCH of them.

    A stored id N is accepted while every event after it is still retained: ids on a channel
    are consecutive, so that holds when N is at least the first retained id less one. An older
    N would skip expired events silently, and a larger one was never given out; both are
    refused, as Salesforce refuses them."""
    position = parse_replay_id(replay_id)
    latest = latest_replay_id(org, space, channel)
    if position == REPLAY_FROM_TIP:
        return Page(events=[], last_replay_id=latest)
    retained = Event.objects.filter(
        org=org,
        space=space,
        channel=channel,
        created_at__gte=timezone.now() - retention_of(org, space, channel),
    )
    first_kept = retained.order_by("replay_id").values_list("replay_id", flat=True).first()
    earliest_resumable = (latest + 1 if first_kept is None else first_kept) - 1
    if position == REPLAY_FROM_EARLIEST:
        position = earliest_resumable
    elif not earliest_resumable <= position <= latest:
        raise InvalidReplayId(position)
    events = list(retained.filter(replay_id__gt=position).order_by("replay_id")[:READ_BATCH])
    return Page(events=events, last_replay_id=events[-1].replay_id if events else position)

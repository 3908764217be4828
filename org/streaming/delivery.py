"""What a connect delivers: each subscription's events after its position, as Salesforce's
CometD messages, and the positions moved past them.

Platform events (Platform Events Developer Guide, "Subscribe with CometD"):
`{"data": {"schema", "payload", "event": {"EventUuid", "replayId"}}, "channel"}`, EventUuid from
API 52.0. Change events (Change Data Capture Developer Guide, "Change Event Message Structure"):
the same without EventUuid, the payload holding the ChangeEventHeader. A position moves only
in the transaction that builds the answer carrying its events: delivery is at least once (an
answer lost on the way is not resent to this client; a client resuming from its last replay id
gets it again). A connect with nothing owed finds that out in one plain read, without the
write lock: held connects look again every time they wake (on SQLite every 0.5 s each), and
a write transaction per look queued them behind each other and behind the publisher
(`database is locked`, bench/events.py)."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from org.events import changes, definitions, log
from org.events.models import ChannelCounter, Event
from org.rest.schema import SOBJECTS
from org.streaming.models import StreamingClient, Subscription

EVENT_UUID_FROM = 52


@dataclass(frozen=True)
class Delivery:
    """A connect's events, or why it delivers none: its client is gone, or a newer connect of
    the same client took over."""

    messages: list[dict[str, Any]]
    gone: bool = False
    replaced: bool = False

    @property
    def final(self) -> bool:
        return bool(self.messages) or self.gone or self.replaced


def schema_id(fields: object) -> str:
    """A schema id as Salesforce's look (22 URL-safe characters): it changes exactly when the
    event's fields do."""
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def _platform_schema(client: StreamingClient, channel: str) -> str:
    found = definitions.find(client.org, client.space, channel.removeprefix("/event/"))
    return schema_id([channel, found.fields if found else []])


def _change_schema(event: Event) -> str:
    """A change event's schema is its object's, on its own channel and on /data/ChangeEvents."""
    header = event.payload.get("ChangeEventHeader")
    name = header.get("entityName") if isinstance(header, dict) else None
    sobject = SOBJECTS.get(name) if isinstance(name, str) else None
    return schema_id([name, changes.carried(sobject) if sobject else []])


def event_message(client: StreamingClient, event: Event, schema: str) -> dict[str, Any]:
    position: dict[str, Any] = {"replayId": event.replay_id}
    if event.channel.startswith("/event/") and int(client.api_version[:2]) >= EVENT_UUID_FROM:
        position = {"EventUuid": event.event_uuid, **position}
    return {
        "data": {"schema": schema, "payload": event.payload, "event": position},
        "channel": event.channel,
    }


def _owed(org: int | OuterRef, space: str | OuterRef) -> Q:
    """A subscription that has events to read: its first read of "all retained" is still to
    come, or its channel's counter in the space is past its position."""
    newer = ChannelCounter.objects.filter(
        org_id=org,
        space=space,
        channel=OuterRef("channel"),
        last_replay_id__gt=OuterRef("after_replay_id"),
    )
    return Q(after_replay_id=log.REPLAY_FROM_EARLIEST) | Q(Exists(newer))


def _pending(client: StreamingClient) -> list[Subscription]:
    """The subscriptions whose channel has an event past their position (one query)."""
    owed = _owed(client.org_id, client.space)
    return list(client.subscriptions.filter(owed).select_for_update())


def _look(client_pk: int, number: int) -> Delivery | None:
    """What a connect gets without the lock (one SELECT, no transaction): nothing, when its
    client is gone, replaced or owed nothing; None when there is something to deliver."""
    owed = _owed(OuterRef(OuterRef("org_id")), OuterRef(OuterRef("space")))
    found = (
        StreamingClient.objects.filter(pk=client_pk)
        .annotate(owed=Exists(Subscription.objects.filter(owed, client=OuterRef("pk"))))
        .values_list("connects", "owed")
        .first()
    )
    if found is None:
        return Delivery([], gone=True)
    connects, owed_any = found
    if connects != number:
        return Delivery([], replaced=True)
    return None if owed_any else Delivery([])


def _read(client: StreamingClient, subscription: Subscription) -> log.Page:
    try:
        return log.read_after(
            client.org, client.space, subscription.channel, subscription.after_replay_id
        )
    except log.InvalidReplayId:
        # Its position expired while the client was away (Setup shortened the retention):
        # what is left of the channel is all it can still get.
        return log.read_after(
            client.org, client.space, subscription.channel, log.REPLAY_FROM_EARLIEST
        )


def deliver(client_pk: int, number: int) -> Delivery:
    """The events connect number `number` of the client brings, positions moved past them."""
    looked = _look(client_pk, number)
    if looked is not None:
        return looked
    with transaction.atomic():
        # Only the client's row is locked (not the org's, which every client shares).
        client = (
            StreamingClient.objects.select_for_update(of=("self",))
            .select_related("org")
            .filter(pk=client_pk)
            .first()
        )
        if client is None:
            return Delivery([], gone=True)
        if client.connects != number:
            return Delivery([], replaced=True)
        messages = []
        for subscription in _pending(client):
            page = _read(client, subscription)
            channel = subscription.channel
            platform = _platform_schema(client, channel) if channel.startswith("/event/") else ""
            messages += [
                event_message(client, event, platform or _change_schema(event))
                for event in page.events
            ]
            subscription.after_replay_id = page.last_replay_id
            subscription.save(update_fields=["after_replay_id"])
        return Delivery(messages)

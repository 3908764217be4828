"""What held connects deliver: each subscription's events after its position, as Salesforce's
CometD messages, and the positions moved past them.

Platform events (Platform Events Developer Guide, "Subscribe with CometD"):
`{"data": {"schema", "payload", "event": {"EventUuid", "replayId"}}, "channel"}`, EventUuid from
API 52.0. Change events (Change Data Capture Developer Guide, "Change Event Message Structure"):
the same without EventUuid, the payload holding the ChangeEventHeader. A position moves only
in the transaction that builds the answer carrying its events: delivery is at least once (an
answer lost on the way is not resent to this client; a client resuming from its last replay id
gets it again).

`deliver` answers many connects at once (`held.py` batches them): one plain SELECT finds which
are owed anything, without the write lock, and only those take it, in one transaction whose
statements do not grow with the number of connects: each channel position is read once and
moved in one UPDATE for every subscription at it. Two hundred subscribers of one channel cost
what one does, where a transaction each queued them behind each other and behind the publisher
(`database is locked`, bench/events.py)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
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


def event_message(event: Event, schema: str, *, with_uuid: bool) -> dict[str, Any]:
    """An event as a connect delivers it; `with_uuid` for clients of API 52.0 and later."""
    position: dict[str, Any] = {"replayId": event.replay_id}
    if event.channel.startswith("/event/") and with_uuid:
        position = {"EventUuid": event.event_uuid, **position}
    return {
        "data": {"schema": schema, "payload": event.payload, "event": position},
        "channel": event.channel,
    }


def _owed(org: OuterRef, space: OuterRef) -> Q:
    """A subscription that has events to read: its first read of "all retained" is still to
    come, or its channel's counter in the space is past its position."""
    newer = ChannelCounter.objects.filter(
        org_id=org,
        space=space,
        channel=OuterRef("channel"),
        last_replay_id__gt=OuterRef("after_replay_id"),
    )
    return Q(after_replay_id=log.REPLAY_FROM_EARLIEST) | Q(Exists(newer))


GONE = Delivery([], gone=True)
REPLACED = Delivery([], replaced=True)


def _still_waiting(
    wanted: Mapping[int, int], connects: Mapping[int, int]
) -> tuple[dict[int, Delivery], list[int]]:
    """The connects that deliver nothing because their client is gone or was replaced, and
    the others."""
    answered: dict[int, Delivery] = {}
    waiting = []
    for pk, number in wanted.items():
        if pk not in connects:
            answered[pk] = GONE
        elif connects[pk] != number:
            answered[pk] = REPLACED
        else:
            waiting.append(pk)
    return answered, waiting


def _look(wanted: Mapping[int, int]) -> tuple[dict[int, Delivery], list[int]]:
    """What the connects get without the lock (one SELECT, no transaction), and which of
    them are owed something."""
    owed = _owed(OuterRef(OuterRef("org_id")), OuterRef(OuterRef("space")))
    found = list(
        StreamingClient.objects.filter(pk__in=wanted)
        .annotate(owed=Exists(Subscription.objects.filter(owed, client=OuterRef("pk"))))
        .values_list("pk", "connects", "owed")
    )
    owed_by = {pk: owed_any for pk, _, owed_any in found}
    answered, waiting = _still_waiting(wanted, {pk: connects for pk, connects, _ in found})
    answered |= {pk: Delivery([]) for pk in waiting if not owed_by[pk]}
    return answered, [pk for pk in waiting if owed_by[pk]]


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


class _Reads:
    """The log's pages and the messages made from them, each read and made once for all the
    subscriptions at one position of one channel of one space."""

    def __init__(self) -> None:
        self.pages: dict[tuple[int, str, str, int], log.Page] = {}
        self.messages: dict[tuple[int, str, str, int, bool], list[dict[str, Any]]] = {}
        self.moved: dict[tuple[int, str, str, int], list[int]] = {}

    def messages_for(
        self, client: StreamingClient, subscription: Subscription
    ) -> list[dict[str, Any]]:
        key = (client.org_id, client.space, subscription.channel, subscription.after_replay_id)
        if key not in self.pages:
            self.pages[key] = _read(client, subscription)
        self.moved.setdefault(key, []).append(subscription.pk)
        with_uuid = int(client.api_version[:2]) >= EVENT_UUID_FROM
        if (*key, with_uuid) not in self.messages:
            channel = subscription.channel
            platform = _platform_schema(client, channel) if channel.startswith("/event/") else ""
            self.messages[(*key, with_uuid)] = [
                event_message(event, platform or _change_schema(event), with_uuid=with_uuid)
                for event in self.pages[key].events
            ]
        return self.messages[(*key, with_uuid)]

    def move_positions(self) -> None:
        """One UPDATE per page read: its subscriptions are now past its events."""
        for key, subscription_pks in self.moved.items():
            Subscription.objects.filter(pk__in=subscription_pks).update(
                after_replay_id=self.pages[key].last_replay_id
            )


def deliver(wanted: Mapping[int, int]) -> dict[int, Delivery]:
    """What the held connects bring, by client pk (`wanted` maps each client to its connect's
    number), positions moved past their events in one transaction."""
    answered, owed = _look(wanted)
    if not owed:
        return answered
    with transaction.atomic():
        # Only the clients' rows are locked (not the org's, which every client shares).
        clients = {
            client.pk: client
            for client in StreamingClient.objects.select_for_update(of=("self",))
            .select_related("org")
            .filter(pk__in=owed)
        }
        locked, live = _still_waiting(
            {pk: wanted[pk] for pk in owed}, {pk: c.connects for pk, c in clients.items()}
        )
        answered |= locked
        pending = (
            Subscription.objects.filter(
                _owed(OuterRef("client__org_id"), OuterRef("client__space")), client__in=live
            )
            .select_for_update(of=("self",))
            .order_by("client_id", "channel")
        )
        reads = _Reads()
        messages: dict[int, list[dict[str, Any]]] = {pk: [] for pk in live}
        for subscription in pending:
            client = clients[subscription.client_id]
            messages[client.pk] += reads.messages_for(client, subscription)
        reads.move_positions()
    return answered | {pk: Delivery(found) for pk, found in messages.items()}

"""The event log's rule for `purge_expired` (named in settings.HANDSHAKE_PURGE_RULES): an event
goes once its channel no longer keeps it, 72 hours or the minutes Setup shortened it to.

Reads already skip such events; the purge keeps the table from growing. Only Event rows go: each
channel's counter stays, so a replay id is never given out twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q

from org.events.log import DEFAULT_RETENTION
from org.events.models import ChannelRetention, Event
from org.purge import Rule


def rules(now: datetime) -> list[Rule]:
    expired = Q(created_at__lte=now - DEFAULT_RETENTION)
    # One term per distinct shortened retention (a handful in practice: Setup takes whole
    # minutes), each for the channels that chose it.
    for minutes in ChannelRetention.objects.values_list("minutes", flat=True).distinct():
        chose_it = ChannelRetention.objects.filter(
            org=OuterRef("org"),
            space=OuterRef("space"),
            channel=OuterRef("channel"),
            minutes=minutes,
        )
        expired |= Q(Exists(chose_it), created_at__lte=now - timedelta(minutes=minutes))
    return [Rule("expired events", Event, expired)]

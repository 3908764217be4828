"""The playground's rules for `purge_expired` (org/purge.py runs them, named in settings):
runs a while after their last step, shared runs and their links later, and external
servers nobody has used in a month. The retention is said on the pages that make them."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q

from org.purge import Rule
from playground.models import EventLabRun, ExternalServer, FlowRun, TlsLabRun

RUN_RETENTION = timedelta(days=7)
# A share link lives as long as its run: a shared run is kept this long after its last change.
SHARED_RUN_RETENTION = timedelta(days=30)
SERVER_RETENTION = timedelta(days=30)


def rules(now: datetime) -> list[Rule]:
    recent_run = FlowRun.objects.filter(server=OuterRef("pk"), updated__gt=now - SERVER_RETENTION)
    return [
        Rule(
            "playground runs",
            FlowRun,
            Q(share_id__isnull=True, updated__lte=now - RUN_RETENTION)
            | Q(updated__lte=now - SHARED_RUN_RETENTION),
        ),
        Rule("handshake lab runs", TlsLabRun, Q(updated__lte=now - RUN_RETENTION)),
        Rule("event lab runs", EventLabRun, Q(updated__lte=now - RUN_RETENTION)),
        # Forgetting a server removes its sealed secret and its runs with it.
        Rule(
            "external servers",
            ExternalServer,
            Q(created__lte=now - SERVER_RETENTION) & ~Exists(recent_run),
        ),
    ]

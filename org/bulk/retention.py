"""Bulk API jobs' rule for `purge_expired` (named in settings.HANDSHAKE_PURGE_RULES): like
Salesforce, a job and its results go seven days after it last changed."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q

from org.bulk.models import BulkJob
from org.purge import Rule

JOB_RETENTION = timedelta(days=7)


def rules(now: datetime) -> list[Rule]:
    # Its chunks of results go with it (a cascade).
    return [Rule("Bulk API jobs", BulkJob, Q(modified_at__lte=now - JOB_RETENTION))]

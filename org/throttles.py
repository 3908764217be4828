"""Lock-outs after repeated failures, counted per key in the database so every process
shares them (RFC 6819 §4.4.3.6 for passwords, RFC 8628 §5.1 for device user codes).

A key names who is failing (a username and address, a session, an address), hashed so
the table holds no usernames or addresses in clear.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import DateTimeField, Model, QuerySet, Subquery
from django.utils import timezone

from org.models import LoginThrottle

_LOCK_END = "throttle_locked_until"


@dataclass(frozen=True)
class Limit:
    failures: int
    window: timedelta
    lockout: timedelta


@dataclass(frozen=True)
class Failure:
    locked: bool  # the key is locked out now
    # It was locked before this failure was counted: the request passed its lock check
    # while a racing failure set the lock.
    already_locked: bool


def key_of(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def is_locked(key: str, *, now: datetime | None = None) -> bool:
    return locked_until(key, now=now) is not None


def locked_until(key: str, *, now: datetime | None = None) -> datetime | None:
    """When the key's lock-out ends; None when it is not locked."""
    return _current_lock(key, now=now or timezone.now()).first()


def with_lock_end[Row: Model](rows: QuerySet[Row], key: str) -> QuerySet[Row]:
    """`rows` carrying the key's lock-out end in the same query, for annotated_lock_end. The
    time is compared after the read, so the statement binds nothing but `key`."""
    lock = LoginThrottle.objects.filter(key_hash=key).values_list("locked_until", flat=True)
    annotated: QuerySet[Row] = rows.annotate(
        **{_LOCK_END: Subquery(lock[:1], output_field=DateTimeField())}
    )
    return annotated


def annotated_lock_end(row: Model, *, now: datetime) -> datetime | None:
    """When the lock-out a row of with_lock_end() carries ends; None when it is not locked."""
    until: datetime | None = vars(row).get(_LOCK_END)
    return until if until is not None and until > now else None


def _current_lock(key: str, *, now: datetime) -> QuerySet[LoginThrottle, datetime | None]:
    rows = LoginThrottle.objects.filter(key_hash=key, locked_until__gt=now)
    return rows.values_list("locked_until", flat=True)


def retry_after(until: datetime, *, now: datetime | None = None) -> int:
    """Whole seconds until a lock-out ends, for a Retry-After header (RFC 9110 §10.2.3)."""
    remaining = (until - (now or timezone.now())).total_seconds()
    return max(1, math.ceil(remaining))


def record_failure(key: str, limit: Limit, *, now: datetime | None = None) -> Failure:
    """Count one failure, and say whether the key is locked out."""
    now = now or timezone.now()
    with transaction.atomic():
        LoginThrottle.objects.get_or_create(key_hash=key, defaults={"window_started_at": now})
        # Read and write under a row lock, so failures arriving at once on several processes
        # are all counted (PostgreSQL); SQLite's IMMEDIATE transactions serialise writers.
        row = LoginThrottle.objects.select_for_update().get(key_hash=key)
        already_locked = _locked(row, now)
        if row.window_started_at + limit.window < now:
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit.failures:
            row.locked_until = now + limit.lockout
        row.save()
    return Failure(locked=_locked(row, now), already_locked=already_locked)


def _locked(row: LoginThrottle, now: datetime) -> bool:
    return row.locked_until is not None and row.locked_until > now


def clear(key: str) -> None:
    LoginThrottle.objects.filter(key_hash=key).delete()

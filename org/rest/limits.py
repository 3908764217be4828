"""DailyApiRequests, counted for real: one row per data space per day, raised by one atomic
UPDATE per REST call, so every process counts against the same number.

Salesforce counts per org. Here each data space counts on its own: one trainee in a room of
200 who spends the day's calls must not lock the others out, and a practice space can be
driven over its limit to see REQUEST_LIMIT_EXCEEDED without touching anyone else's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from org.models import ApiUsage, Org, Record
from org.rest.errors import ApiError
from org.rest.spaces import Caller

# Salesforce counts 2 KB of data storage per record, whatever its size; Developer Edition
# orgs have 5 MB.
RECORD_KILOBYTES = 2
DATA_STORAGE_MB = 5


@dataclass(frozen=True)
class Usage:
    used: int
    max: int

    @property
    def header(self) -> str:
        # Sforce-Limit-Info, which client libraries read to pace themselves.
        return f"api-usage={self.used}/{self.max}"


def _today_row(org: Org, space: str) -> ApiUsage:
    day = timezone.now().date()
    try:
        with transaction.atomic():
            row, _ = ApiUsage.objects.get_or_create(org=org, space=space, day=day)
    except IntegrityError:
        # Another process made today's row at the same moment.
        row = ApiUsage.objects.get(org=org, space=space, day=day)
    return row


def _spend_one(org: Org, space: str, limit: int) -> int | None:
    """Today's count raised by one unless it is at the limit, in one UPDATE … RETURNING
    (SQLite 3.35 and PostgreSQL both have it): the count after it, or None when no row was
    raised (none yet today, or the limit reached)."""
    table = connection.ops.quote_name(ApiUsage._meta.db_table)
    day = connection.ops.adapt_datefield_value(timezone.now().date())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET used = used + 1 "
            "WHERE org_id = %s AND space = %s AND day = %s AND used < %s RETURNING used",
            [org.pk, space, day, limit],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def spend_request(caller: Caller) -> Usage:
    """Counts one API request; raises REQUEST_LIMIT_EXCEEDED once the day's are spent."""
    limit = caller.org.daily_api_requests
    used = _spend_one(caller.org, caller.space, limit)
    if used is None:
        _today_row(caller.org, caller.space)
        used = _spend_one(caller.org, caller.space, limit)
    if used is None:
        raise ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
    return Usage(used=used, max=limit)


def exhaust_daily_requests(org: Org, space: str) -> int:
    """Spends the rest of today's requests of one space: what a lesson on the limit needs,
    without making fifteen thousand calls first. Returns how many had been used."""
    row = _today_row(org, space)
    ApiUsage.objects.filter(pk=row.pk).update(used=org.daily_api_requests)
    return row.used


def restore_daily_requests(org: Org, space: str, used: int) -> None:
    """Gives a space back what exhaust_daily_requests spent: the lesson ends where it began."""
    ApiUsage.objects.filter(org=org, space=space, day=timezone.now().date()).update(used=used)


def limits(caller: Caller, usage: Usage) -> dict[str, dict[str, int]]:
    records = Record.objects.filter(org=caller.org, space=caller.space, seeded=False).count()
    # Whole megabytes, as Salesforce reports them: a few records do not spend one.
    storage_used = records * RECORD_KILOBYTES // 1024
    return {
        "DailyApiRequests": {"Max": usage.max, "Remaining": max(usage.max - usage.used, 0)},
        "DataStorageMB": {
            "Max": DATA_STORAGE_MB,
            "Remaining": max(DATA_STORAGE_MB - storage_used, 0),
        },
    }

"""Get Updated and Get Deleted Records (`sobjects/{Object}/updated/`, `…/deleted/`): the ids
changed or deleted between two moments, what a batch synchronization asks each night.

As Salesforce: start and end are ISO 8601 with a zone, counted to the minute, at most 30 days
apart and no older than 30 days; latestDateCovered is the end, or now if the end is later.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from org.rest.errors import ApiError
from org.rest.schema import SObject
from org.rest.spaces import Caller
from org.rest.store import timestamp, visible

WINDOW = timedelta(days=30)


def _moment(value: str, name: str) -> datetime:
    if not value:
        raise ApiError(400, "MISSING_ARGUMENT", f"{name} was not specified")
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "+")[:40])
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ApiError(
            400,
            "INVALID_REPLICATION_DATE",
            f"{name} must be an ISO 8601 date and time with a zone, such as "
            "2026-12-01T00:00:00+00:00",
        )
    return moment.replace(second=0, microsecond=0)


def _window(start_text: str, end_text: str) -> tuple[datetime, datetime]:
    start, end = _moment(start_text, "start"), _moment(end_text, "end")
    now = timezone.now()
    if end <= start or end - start > WINDOW or start < now - WINDOW:
        raise ApiError(
            400,
            "INVALID_REPLICATION_DATE",
            "start must come before end, both within the last 30 days",
        )
    return start, min(end, now.replace(second=0, microsecond=0))


def updated(caller: Caller, sobject: SObject, start_text: str, end_text: str) -> dict[str, Any]:
    start, end = _window(start_text, end_text)
    changed = visible(caller, sobject).filter(system_modstamp__gte=start, system_modstamp__lt=end)
    return {
        "ids": list(changed.order_by("system_modstamp", "pk").values_list("record_id", flat=True)),
        "latestDateCovered": timestamp(end),
    }


def deleted(caller: Caller, sobject: SObject, start_text: str, end_text: str) -> dict[str, Any]:
    start, end = _window(start_text, end_text)
    # A deleted record's modstamp is when it was deleted: nothing changes it in the bin.
    gone = list(
        visible(caller, sobject, include_deleted=True)
        .filter(is_deleted=True, system_modstamp__gte=start, system_modstamp__lt=end)
        .order_by("system_modstamp", "pk")
        .values_list("record_id", "system_modstamp")
    )
    return {
        "deletedRecords": [{"id": i, "deletedDate": timestamp(when)} for i, when in gone],
        "earliestDateAvailable": timestamp(timezone.now() - WINDOW),
        "latestDateCovered": timestamp(end),
    }

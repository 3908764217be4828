"""The query and queryAll resources: a SOQL query over the records a caller sees, answered a
batch at a time. Past the first batch, the ids still to send wait in a QueryCursor row (not in
a process's memory) that nextRecordsUrl names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from org import ids, soql
from org.models import QueryCursor, Record
from org.rest.errors import ApiError
from org.rest.schema import Field, SObject, sobject_named
from org.rest.spaces import Caller
from org.rest.store import field_named, field_values, serialize, visible

DEFAULT_BATCH_SIZE = 2000
MIN_BATCH_SIZE = 200
# Salesforce keeps a query cursor for 15 minutes after it was last read.
CURSOR_LIFETIME = timedelta(minutes=15)
CURSOR_PREFIX = "01g"
_BATCH_OPTION = re.compile(r"(?:^|[;,\s])batchSize\s*=\s*(\d{1,6})", re.IGNORECASE)


@dataclass(frozen=True)
class Selection:
    """A parsed query bound to the schema: its object and its fields."""

    sobject: SObject
    fields: tuple[Field, ...]
    parsed: soql.Query


def batch_size(options: str) -> int:
    """The batch size a Sforce-Query-Options header asks for, within Salesforce's bounds."""
    match = _BATCH_OPTION.search(options or "")
    if match is None:
        return DEFAULT_BATCH_SIZE
    return max(MIN_BATCH_SIZE, min(int(match[1]), DEFAULT_BATCH_SIZE))


def select(text: str) -> Selection:
    try:
        parsed = soql.parse(text)
    except soql.MalformedQuery as error:
        raise ApiError(400, "MALFORMED_QUERY", str(error)) from None
    sobject = sobject_named(parsed.sobject)
    if sobject is None:
        raise ApiError(
            400,
            "INVALID_TYPE",
            f"sObject type '{parsed.sobject[:40]}' is not supported. If you are attempting to "
            "use a custom object, be sure to append the '__c' after the entity name.",
        )
    fields = tuple(field_named(sobject, name) for name in parsed.fields)
    return Selection(sobject=sobject, fields=fields, parsed=parsed)


def _matching(selection: Selection, records: list[Record]) -> list[Record]:
    parsed = selection.parsed
    if parsed.where is not None:
        where_field = field_named(selection.sobject, parsed.where[0])
        wanted = parsed.where[1]
        records = [
            r
            for r in records
            if str(field_values(r, selection.sobject)[where_field.name] or "") == wanted
        ]
    if parsed.limit is not None:
        records = records[: parsed.limit]
    return records


def run_query(
    caller: Caller, text: str, *, version: str, include_deleted: bool, size: int
) -> dict[str, Any]:
    """The first batch of a query's result, and where to read the next."""
    selection = select(text)
    records = list(visible(caller, selection.sobject, include_deleted=include_deleted))
    matched = _matching(selection, records)
    first, rest = matched[:size], matched[size:]
    body: dict[str, Any] = {"totalSize": len(matched), "done": not rest}
    if rest:
        cursor = QueryCursor.objects.create(
            locator=ids.new_record_id(CURSOR_PREFIX),
            org=caller.org,
            space=caller.space,
            soql=text,
            include_deleted=include_deleted,
            record_ids=[r.record_id for r in rest],
            batch_size=size,
            expires_at=timezone.now() + CURSOR_LIFETIME,
        )
        body["nextRecordsUrl"] = _next_url(version, cursor.locator, size)
    body["records"] = [serialize(r, selection.sobject, version, selection.fields) for r in first]
    return body


def _next_url(version: str, locator: str, offset: int) -> str:
    return f"/services/data/v{version}/query/{locator}-{offset}"


def next_batch(caller: Caller, locator_and_offset: str, *, version: str) -> dict[str, Any]:
    """A later batch of a query, read from its cursor."""
    locator, _, offset_text = locator_and_offset.partition("-")
    cursor = QueryCursor.objects.filter(
        locator=locator, org=caller.org, space=caller.space, expires_at__gt=timezone.now()
    ).first()
    if cursor is None or not offset_text.isdigit():
        raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    offset = int(offset_text)
    # The cursor holds the ids after the first batch: position `offset` is index offset - size.
    start = offset - cursor.batch_size
    if start < 0 or start >= len(cursor.record_ids):
        raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    selection = select(cursor.soql)
    wanted = cursor.record_ids[start : start + cursor.batch_size]
    found = {
        r.record_id: r
        for r in visible(caller, selection.sobject, include_deleted=cursor.include_deleted).filter(
            record_id__in=wanted
        )
    }
    QueryCursor.objects.filter(pk=cursor.pk).update(expires_at=timezone.now() + CURSOR_LIFETIME)
    total = cursor.batch_size + len(cursor.record_ids)
    end = offset + len(wanted)
    body: dict[str, Any] = {"totalSize": total, "done": end >= total}
    if end < total:
        body["nextRecordsUrl"] = _next_url(version, cursor.locator, end)
    body["records"] = [
        serialize(found[i], selection.sobject, version, selection.fields)
        for i in wanted
        if i in found
    ]
    return body

"""The query and queryAll resources: a SOQL query (parsed and evaluated by org.soql) over the
records a caller sees, parents reached through relationship names, answered a batch at a
time. Past the first batch, the ids still to send wait in a QueryCursor row (not in a
process's memory) that nextRecordsUrl names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from django.utils import timezone

from org import ids, soql
from org.models import OrgUser, QueryCursor, Record
from org.rest.errors import ApiError
from org.rest.schema import SOBJECTS, Field, SObject, sobject_named
from org.rest.spaces import Caller
from org.rest.store import field_named, field_values, visible
from org.soql import syntax

DEFAULT_BATCH_SIZE = 2000
MIN_BATCH_SIZE = 200
# Salesforce keeps a query cursor for 15 minutes after it was last read.
CURSOR_LIFETIME = timedelta(minutes=15)
CURSOR_PREFIX = "01g"
_BATCH_OPTION = re.compile(r"(?:^|[;,\s])batchSize\s*=\s*(\d{1,6})", re.IGNORECASE)
# The User fields a query may read through Owner, CreatedBy or LastModifiedBy.
USER_FIELDS = ("Id", "Name", "Username", "Email")
Row = dict[str, Any]


@dataclass(frozen=True)
class Path:
    """A field the query names, bound to the schema: the relationship fields it goes
    through, then the field's own name (as the schema spells them)."""

    hops: tuple[Field, ...]
    name: str


@dataclass(frozen=True)
class Selection:
    sobject: SObject
    fields: tuple[Path, ...]
    every_path: tuple[Path, ...]  # SELECT, WHERE and ORDER BY: the parents rows must carry
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
        raise ApiError(400, error.error_code, str(error)) from None
    sobject = sobject_named(parsed.sobject)
    if sobject is None:
        raise ApiError(
            400,
            "INVALID_TYPE",
            f"sObject type '{parsed.sobject[:40]}' is not supported. If you are attempting to "
            "use a custom object, be sure to append the '__c' after the entity name.",
        )
    every_path = tuple(_bind(sobject, path) for path in parsed.field_paths())
    if parsed.where is not None:
        parsed = replace(parsed, where=_with_full_ids(sobject, parsed.where))
    return Selection(
        sobject=sobject,
        fields=tuple(_bind(sobject, path) for path in parsed.fields),
        every_path=every_path,
        parsed=parsed,
    )


def _with_full_ids(sobject: SObject, condition: syntax.Condition) -> syntax.Condition:
    """The condition with every id it compares an id or reference field to in its
    18-character form, as records store them: `Id = '001…'` with 15 characters matches too."""
    if isinstance(condition, syntax.Junction):
        parts = tuple(_with_full_ids(sobject, part) for part in condition.conditions)
        return replace(condition, conditions=parts)
    if isinstance(condition, syntax.Negation):
        return replace(condition, condition=_with_full_ids(sobject, condition.condition))
    if isinstance(condition, syntax.Like) or not _holds_ids(sobject, condition.field):
        return condition
    if isinstance(condition, syntax.Comparison):
        return replace(condition, value=_full_id(condition.value))
    return replace(condition, values=tuple(_full_id(value) for value in condition.values))


def _holds_ids(sobject: SObject, path: tuple[str, ...]) -> bool:
    bound = _bind(sobject, path)
    owner = SOBJECTS.get(bound.hops[-1].reference_to) if bound.hops else sobject
    if owner is None:  # a User field: only its Id holds an id
        return bound.name == "Id"
    return field_named(owner, bound.name).type in {"id", "reference"}


def _full_id(value: syntax.Value) -> syntax.Value:
    if isinstance(value, str) and len(value) == 15:
        return ids.canonical_id(value) or value
    return value


def _bind(sobject: SObject, path: tuple[str, ...]) -> Path:
    hops: list[Field] = []
    current: SObject | None = sobject
    for name in path[:-1]:
        hop = None
        if current is not None:
            lowered = name.lower()
            hop = next((f for f in current.fields if f.relationship_name.lower() == lowered), None)
        if hop is None:
            raise ApiError(
                400,
                "INVALID_FIELD",
                f"Didn't understand relationship '{name[:40]}' in field path. If you are "
                "attempting to use a custom relationship, be sure to append the '__r' after "
                "the custom relationship name.",
            )
        hops.append(hop)
        current = SOBJECTS.get(hop.reference_to)  # None for User, whose fields end the path
    if current is None:
        found = next((n for n in USER_FIELDS if n.lower() == path[-1].lower()), None)
        if found is None:
            raise ApiError(
                400, "INVALID_FIELD", f"No such column '{path[-1][:40]}' on entity 'User'."
            )
        return Path(tuple(hops), found)
    return Path(tuple(hops), field_named(current, path[-1]).name)


def _rows(
    caller: Caller, sobject: SObject, records: Iterable[Record], paths: Sequence[Path]
) -> list[Row]:
    rows = [field_values(record, sobject) for record in records]
    _attach_parents(caller, rows, [p.hops for p in paths if p.hops])
    return rows


def _attach_parents(caller: Caller, rows: list[Row], chains: list[tuple[Field, ...]]) -> None:
    """Puts each row's parent (a row itself, or None) under the relationship's name."""
    for hop in dict.fromkeys(chain[0] for chain in chains):
        wanted = {row[hop.name] for row in rows if row.get(hop.name)}
        parents: dict[str, Row]
        if hop.reference_to == "User":
            parents = {
                user.record_id: {
                    "Id": user.record_id,
                    "Name": user.display_name,
                    "Username": user.username,
                    "Email": user.user.email,
                }
                for user in OrgUser.objects.filter(
                    org=caller.org, record_id__in=wanted
                ).select_related("user")
            }
        else:
            target = SOBJECTS[hop.reference_to]
            found = visible(caller, target).filter(record_id__in=wanted)
            parents = {r.record_id: field_values(r, target) for r in found}
            deeper = [chain[1:] for chain in chains if chain[0] == hop and len(chain) > 1]
            _attach_parents(caller, list(parents.values()), deeper)
        for row in rows:
            row[hop.relationship_name] = parents.get(row.get(hop.name) or "")


def _shown(row: Mapping[str, Any], selection: Selection, version: str) -> dict[str, Any]:
    """A row as the query answer shows it: the selected fields, parents nested."""
    body: dict[str, Any] = {"attributes": _attributes(selection.sobject.name, row["Id"], version)}
    for path in selection.fields:
        into, source = body, row
        for hop in path.hops:
            parent = source.get(hop.relationship_name)
            if parent is None:
                into.setdefault(hop.relationship_name, None)
                break
            if into.get(hop.relationship_name) is None:
                into[hop.relationship_name] = {
                    "attributes": _attributes(hop.reference_to, parent["Id"], version)
                }
            into, source = into[hop.relationship_name], parent
        else:
            into[path.name] = source.get(path.name)
    return body


def _attributes(sobject: str, record_id: str, version: str) -> dict[str, str]:
    return {"type": sobject, "url": f"/services/data/v{version}/sobjects/{sobject}/{record_id}"}


def run_query(
    caller: Caller, text: str, *, version: str, include_deleted: bool, size: int
) -> dict[str, Any]:
    """The first batch of a query's result, and where to read the next."""
    selection = select(text)
    records = list(visible(caller, selection.sobject, include_deleted=include_deleted))
    rows = _rows(caller, selection.sobject, records, selection.every_path)
    matched = soql.evaluate(selection.parsed, rows, today=timezone.now().date())
    if selection.parsed.count:
        return {"totalSize": len(matched), "done": True, "records": []}
    first, rest = matched[:size], matched[size:]
    body: dict[str, Any] = {"totalSize": len(matched), "done": not rest}
    if rest:
        cursor = QueryCursor.objects.create(
            locator=ids.new_record_id(CURSOR_PREFIX),
            org=caller.org,
            space=caller.space,
            soql=text,
            include_deleted=include_deleted,
            record_ids=[row["Id"] for row in rest],
            batch_size=size,
            expires_at=timezone.now() + CURSOR_LIFETIME,
        )
        body["nextRecordsUrl"] = _next_url(version, cursor.locator, size)
    body["records"] = [_shown(row, selection, version) for row in first]
    return body


def _next_url(version: str, locator: str, offset: int) -> str:
    return f"/services/data/v{version}/query/{locator}-{offset}"


def next_batch(caller: Caller, locator_and_offset: str, *, version: str) -> dict[str, Any]:
    """A later batch of a query, read from its cursor."""
    locator, _, offset_text = locator_and_offset.partition("-")
    cursor = QueryCursor.objects.filter(
        locator=locator, org=caller.org, space=caller.space, expires_at__gt=timezone.now()
    ).first()
    if cursor is None or not offset_text.isdigit() or len(offset_text) > 9:
        raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    # The cursor holds the ids after the first batch: position `offset` is index offset - size.
    start = int(offset_text) - cursor.batch_size
    if start < 0 or start >= len(cursor.record_ids):
        raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    selection = select(cursor.soql)
    wanted = cursor.record_ids[start : start + cursor.batch_size]
    found = visible(caller, selection.sobject, include_deleted=cursor.include_deleted)
    rows = {
        row["Id"]: row
        for row in _rows(
            caller, selection.sobject, found.filter(record_id__in=wanted), selection.fields
        )
    }
    QueryCursor.objects.filter(pk=cursor.pk).update(expires_at=timezone.now() + CURSOR_LIFETIME)
    total = cursor.batch_size + len(cursor.record_ids)
    end = cursor.batch_size + start + len(wanted)
    body: dict[str, Any] = {"totalSize": total, "done": end >= total}
    if end < total:
        body["nextRecordsUrl"] = _next_url(version, cursor.locator, end)
    body["records"] = [_shown(rows[i], selection, version) for i in wanted if i in rows]
    return body

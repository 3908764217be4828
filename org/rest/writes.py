"""The record store's writes: one function per operation (create, update, delete, undelete),
each taking a batch and answering one SaveResult per record, in order, with Salesforce's
per-record error codes. The REST API, sObject Collections and Bulk API all write through here.

With `all_or_none`, one bad record fails the batch and nothing is written (each good record
then reports ALL_OR_NONE_OPERATION_ROLLED_BACK); without it, the good records are written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from org import ids
from org.events import changes
from org.models import OrgUser, Record
from org.rest.errors import RecordError
from org.rest.schema import SOBJECTS, Field, SObject, sobject_named
from org.rest.spaces import Caller
from org.rest.values import CheckedValues, check_values

ROLLED_BACK = RecordError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header",
)
NO_ACCESS = RecordError(
    "INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id"
)
IS_DELETED = RecordError("ENTITY_IS_DELETED", "entity is deleted")
UNKNOWN_ID = RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")


@dataclass(frozen=True)
class SaveResult:
    id: str | None
    errors: tuple[RecordError, ...] = ()

    @property
    def success(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id} if self.id else {}
        return {**body, "success": self.success, "errors": [e.as_result() for e in self.errors]}


@dataclass(frozen=True)
class NewRecord:
    sobject: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Change:
    """New values for one record; `sobject` "" means the type the id's key prefix names."""

    record_id: str
    values: Mapping[str, Any]
    sobject: str = ""


def create_records(
    caller: Caller, items: Sequence[NewRecord], *, all_or_none: bool = False
) -> list[SaveResult]:
    checked: list[tuple[SObject, CheckedValues] | RecordError] = []
    for item in items:
        sobject = sobject_named(item.sobject) if isinstance(item.sobject, str) else None
        if sobject is None:
            checked.append(_invalid_type(item.sobject))
            continue
        checked.append((sobject, check_values(sobject, item.values, creating=True)))
    now = timezone.now()
    rows, outcomes = _apply(
        caller, checked, lambda sobject, values: _new_row(caller, sobject, values, now=now)
    )
    results = _results(rows, outcomes, all_or_none=all_or_none)
    if any(r.success for r in results):
        with transaction.atomic():
            created = Record.objects.bulk_create([row for row in rows if row is not None])
            changes.emit(caller, changes.CREATE, [changes.Written(row) for row in created])
    return results


def update_records(
    caller: Caller, items: Sequence[Change], *, all_or_none: bool = False
) -> list[SaveResult]:
    with transaction.atomic():
        found = _records_by_id(caller, [item.record_id for item in items], lock=True)
        checked: list[tuple[Record, CheckedValues] | RecordError] = []
        for item in items:
            record = _writable(caller, item.record_id, item.sobject, found)
            if isinstance(record, RecordError):
                checked.append(record)
                continue
            sobject = SOBJECTS[record.sobject]
            checked.append((record, check_values(sobject, item.values, creating=False)))
        now = timezone.now()
        written: list[changes.Written] = []

        def change(record: Record, values: Mapping[str, Any]) -> Record:
            written.append(changes.Written(record, record.fields, record.last_modified_by_id))
            record.fields = {**record.fields, **values}
            _touch(record, caller, now=now)
            return record

        rows, outcomes = _apply(caller, checked, change)
        results = _results(rows, outcomes, all_or_none=all_or_none)
        if any(r.success for r in results):
            _save([row for row in rows if row is not None], "fields")
            changes.emit(caller, changes.UPDATE, written)
    return results


def delete_records(
    caller: Caller, record_ids: Sequence[str], *, all_or_none: bool = False
) -> list[SaveResult]:
    return _set_deleted(caller, record_ids, deleted=True, all_or_none=all_or_none)


def undelete_records(
    caller: Caller, record_ids: Sequence[str], *, all_or_none: bool = False
) -> list[SaveResult]:
    return _set_deleted(caller, record_ids, deleted=False, all_or_none=all_or_none)


def _set_deleted(
    caller: Caller, record_ids: Sequence[str], *, deleted: bool, all_or_none: bool
) -> list[SaveResult]:
    with transaction.atomic():
        found = _records_by_id(caller, record_ids, lock=True)
        now = timezone.now()
        rows: list[Record | None] = []
        outcomes: list[Outcome] = []
        for raw in record_ids:
            record = _writable(caller, raw, "", found, deleted_ok=not deleted)
            if isinstance(record, Record) and not deleted and not record.is_deleted:
                record = RecordError("UNDELETE_FAILED", "Entity is not in the recycle bin")
            if isinstance(record, RecordError):
                rows.append(None)
                outcomes.append(record)
                continue
            record.is_deleted = deleted
            _touch(record, caller, now=now)
            rows.append(record)
            outcomes.append(None)
        results = _results(rows, outcomes, all_or_none=all_or_none)
        if any(r.success for r in results):
            saved = [row for row in rows if row is not None]
            _save(saved, "is_deleted")
            kind = changes.DELETE if deleted else changes.UNDELETE
            changes.emit(caller, kind, [changes.Written(row) for row in saved])
    return results


Outcome = RecordError | tuple[RecordError, ...] | None  # None: the record is written


def _apply[T](
    caller: Caller,
    checked: Sequence[tuple[T, CheckedValues] | RecordError],
    write: Callable[[T, Mapping[str, Any]], Record],
) -> tuple[list[Record | None], list[Outcome]]:
    """The rows to write and each record's outcome, once references are checked too."""
    _check_references(caller, [c[1] for c in checked if not isinstance(c, RecordError)])
    rows: list[Record | None] = []
    outcomes: list[Outcome] = []
    for entry in checked:
        if isinstance(entry, RecordError) or entry[1].errors:
            rows.append(None)
            outcomes.append(entry if isinstance(entry, RecordError) else tuple(entry[1].errors))
        else:
            rows.append(write(entry[0], entry[1].values))
            outcomes.append(None)
    return rows, outcomes


def _invalid_type(name: object) -> RecordError:
    return RecordError("INVALID_TYPE", f"sObject type '{str(name)[:40]}' is not supported.")


def _new_row(caller: Caller, sobject: SObject, values: Mapping[str, Any], *, now: Any) -> Record:
    stored = {
        f.name: f.default for f in sobject.own_fields if f.default is not None and f.createable
    }
    stored.update(values)
    stored.setdefault("OwnerId", caller.user.record_id)
    return Record(
        org=caller.org,
        space=caller.space,
        sobject=sobject.name,
        record_id=ids.new_record_id(sobject.key_prefix),
        fields=stored,
        created_by=caller.user,
        last_modified_by=caller.user,
        created_at=now,
        last_modified_at=now,
        system_modstamp=now,
    )


def _touch(record: Record, caller: Caller, *, now: Any) -> None:
    record.last_modified_by = caller.user
    record.last_modified_at = now
    record.system_modstamp = now


def _save(records: list[Record], changed: str) -> None:
    Record.objects.bulk_update(
        records, [changed, "last_modified_by", "last_modified_at", "system_modstamp"]
    )


def _results(
    rows: Sequence[Record | None],
    outcomes: Sequence[Outcome],
    *,
    all_or_none: bool,
) -> list[SaveResult]:
    failed = any(outcome is not None for outcome in outcomes)
    results = []
    for row, outcome in zip(rows, outcomes, strict=True):
        if outcome is None:
            assert row is not None
            if all_or_none and failed:
                # A record that was never created has no id to report.
                shown = None if row._state.adding else row.record_id
                results.append(SaveResult(shown, (ROLLED_BACK,)))
            else:
                results.append(SaveResult(row.record_id))
        else:
            errors = (outcome,) if isinstance(outcome, RecordError) else outcome
            results.append(SaveResult(None if row is None else row.record_id, errors))
    return results


def _records_by_id(caller: Caller, raw_ids: Iterable[str], *, lock: bool) -> dict[str, Record]:
    wanted = {
        c for c in (ids.canonical_id(r) if isinstance(r, str) else None for r in raw_ids) if c
    }
    records = Record.objects.filter(caller.sees(), record_id__in=wanted)
    if lock:
        records = records.select_for_update()
    return {record.record_id: record for record in records}


def _writable(
    caller: Caller,
    raw: object,
    sobject: str,
    found: Mapping[str, Record],
    *,
    deleted_ok: bool = False,
) -> Record | RecordError:
    """The record a change names, if this caller may change it."""
    if raw == "":
        return RecordError("MISSING_ARGUMENT", "Id not specified in an update call", ("Id",))
    canonical = ids.canonical_id(raw) if isinstance(raw, str) else None
    if canonical is None:
        return RecordError("MALFORMED_ID", f"Id value of incorrect type: {str(raw)[:40]}", ("Id",))
    expected = sobject_named(sobject) if sobject else None
    if sobject and expected is None:
        return _invalid_type(sobject)
    if expected is not None and canonical[:3] != expected.key_prefix:
        return RecordError(
            "MALFORMED_ID", f"{expected.label} ID: id value of incorrect type: {raw}", ("Id",)
        )
    record = found.get(canonical)
    if record is None:
        return UNKNOWN_ID
    if record.is_deleted and not deleted_ok:
        return IS_DELETED
    if caller.is_trainee and record.seeded:
        # The seeded demo records are shared by every trainee: read-only to all of them.
        return NO_ACCESS
    return record


def _check_references(caller: Caller, checked: Sequence[CheckedValues]) -> None:
    """Each reference field must name a live record of its target type the caller sees."""
    wanted = {target for c in checked for _, target in c.references}
    if not wanted:
        return
    records = dict(
        Record.objects.filter(caller.sees(), record_id__in=wanted).values_list(
            "record_id", "is_deleted"
        )
    )
    users = set(
        OrgUser.objects.filter(org=caller.org, record_id__in=wanted).values_list(
            "record_id", flat=True
        )
    )
    for entry in checked:
        for field, target in entry.references:
            error = _reference_error(field, target, records=records, users=users)
            if error is not None:
                entry.errors.append(error)


def _reference_error(
    field: Field, target: str, *, records: Mapping[str, bool], users: set[str]
) -> RecordError | None:
    name = field.name
    prefix = (
        ids.USER_PREFIX if field.reference_to == "User" else SOBJECTS[field.reference_to].key_prefix
    )
    if target[:3] != prefix:
        return RecordError(
            "FIELD_INTEGRITY_EXCEPTION",
            f"field integrity exception: unknown ({field.label}: id value of incorrect type: "
            f"{target})",
            (name,),
        )
    if target in users or records.get(target) is False:
        return None
    if records.get(target):
        return RecordError("ENTITY_IS_DELETED", "entity is deleted", (name,))
    return RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", (name,))

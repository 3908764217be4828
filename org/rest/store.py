"""Reading the record store: the records a caller sees, one found by id, and a record's
values by field name as the REST API shows them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet

from org import ids
from org.models import OrgUser, Record
from org.rest.errors import ApiError, not_found
from org.rest.schema import BY_PREFIX, Field, SObject
from org.rest.spaces import Caller


def timestamp(value: datetime) -> str:
    # Salesforce's datetime format: 2024-05-01T09:30:00.000+0000, always in UTC.
    utc = value.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}+0000"


def visible(caller: Caller, sobject: SObject, *, include_deleted: bool = False) -> QuerySet[Record]:
    records = Record.objects.filter(caller.sees(), sobject=sobject.name).select_related(
        "created_by", "last_modified_by"
    )
    return records if include_deleted else records.filter(is_deleted=False)


def record_id_for(sobject: SObject, raw: str) -> str:
    """The 18-character id `raw` names for `sobject`; raises Salesforce's error otherwise."""
    canonical = ids.canonical_id(raw)
    if canonical is None:
        # Salesforce reads a value that is no id as an external id it cannot find.
        raise ApiError(
            404,
            "NOT_FOUND",
            f"Provided external ID field does not exist or is not accessible: {raw[:40]}",
        )
    if canonical[:3] != sobject.key_prefix:
        raise ApiError(
            400,
            "MALFORMED_ID",
            f"{sobject.label} ID: id value of incorrect type: {raw[:40]}",
            fields=("Id",),
        )
    return canonical


def find(caller: Caller, sobject: SObject, raw_id: str) -> Record:
    """The live record `raw_id` names, as this caller sees it."""
    record_id = record_id_for(sobject, raw_id)
    record = visible(caller, sobject, include_deleted=True).filter(record_id=record_id).first()
    if record is None:
        raise not_found()
    if record.is_deleted:
        raise ApiError(404, "ENTITY_IS_DELETED", "entity is deleted")
    return record


def sobject_of(record_id: str) -> SObject | None:
    return BY_PREFIX.get(record_id[:3])


def field_values(record: Record, sobject: SObject) -> dict[str, Any]:
    """Every field of `record` by its schema name, in the REST API's JSON forms."""
    stored = record.fields
    values: dict[str, Any] = {f.name: stored.get(f.name) for f in sobject.own_fields}
    if sobject.name == "Contact":
        values["Name"] = " ".join(p for p in (stored.get("FirstName"), stored.get("LastName")) if p)
    if sobject.name == "Case":
        # An auto-number: the row's own sequence, so no two cases share one.
        values["CaseNumber"] = f"{record.pk:08d}"
    values["Id"] = record.record_id
    values["OwnerId"] = stored.get("OwnerId")
    values["IsDeleted"] = record.is_deleted
    values["CreatedDate"] = timestamp(record.created_at)
    values["CreatedById"] = _user_id(record.created_by)
    values["LastModifiedDate"] = timestamp(record.last_modified_at)
    values["LastModifiedById"] = _user_id(record.last_modified_by)
    values["SystemModstamp"] = timestamp(record.system_modstamp)
    return values


def _user_id(user: OrgUser | None) -> str | None:
    return user.record_id if user is not None else None


def serialize(
    record: Record, sobject: SObject, version: str, fields: Sequence[Field] | None = None
) -> dict[str, Any]:
    """A record as the REST API returns it: attributes, then the fields asked for (all of
    them by default), in schema order."""
    values = field_values(record, sobject)
    body: dict[str, Any] = {
        "attributes": {
            "type": sobject.name,
            "url": f"/services/data/v{version}/sobjects/{sobject.name}/{record.record_id}",
        }
    }
    for field in fields if fields is not None else sobject.fields:
        body[field.name] = values[field.name]
    return body


def recent_items(caller: Caller, sobject: SObject, version: str) -> list[dict[str, Any]]:
    """The records of `sobject` this caller changed last, each with its Id and name."""
    shown = [f for f in sobject.fields if f.name in {"Id", sobject.name_field}]
    records = visible(caller, sobject).order_by("-last_modified_at", "-pk")[:10]
    return [serialize(record, sobject, version, shown) for record in records]


def field_named(sobject: SObject, name: str) -> Field:
    """The field of that name; INVALID_FIELD, as Salesforce answers, if there is none."""
    found = sobject.field(name) if name else None
    if found is None:
        raise ApiError(
            400,
            "INVALID_FIELD",
            f"No such column '{name[:40]}' on entity '{sobject.name}'. If you are attempting "
            "to use a custom field, be sure to append the '__c' after the custom field name.",
        )
    return found


def fields_named(sobject: SObject, names: str) -> list[Field]:
    """The fields a ?fields= list names."""
    return [field_named(sobject, name.strip()) for name in names.split(",")]

"""sObject Collections (`composite/sobjects`): create, update or delete up to 200 records in
one request, with allOrNone, answered with one save result per record in request order; and
retrieve records of one object by id (`composite/sobjects/{Object}`)."""

from __future__ import annotations

from typing import Any

from org.events import publishing
from org.rest.bodies import json_object
from org.rest.describe import MAX_BATCH_SIZE
from org.rest.errors import ApiError
from org.rest.schema import SObject
from org.rest.spaces import Caller
from org.rest.store import field_named, record_id_for, serialize, visible
from org.rest.writes import Change, NewRecord, create_records, delete_records, update_records

_TRUE = {"true", "1"}
# Salesforce's cap on ids in one sObject Collections retrieve (POST; 800 fit in a GET's URL).
MAX_RETRIEVE_IDS = 2000


def _records(body: Any) -> tuple[list[dict[str, Any]], bool]:
    payload = json_object(body, of="SObjectCollection")
    records = payload.get("records")
    if not isinstance(records, list) or not records:
        raise ApiError(
            400, "INVALID_FIELD", "records must be a list of sObjects, each with attributes.type"
        )
    _check_count(len(records))
    all_or_none = payload.get("allOrNone", False)
    if not isinstance(all_or_none, bool):
        raise ApiError(400, "JSON_PARSER_ERROR", "allOrNone must be true or false")
    return [r if isinstance(r, dict) else {"": r} for r in records], all_or_none


def _check_count(count: int) -> None:
    if count > MAX_BATCH_SIZE:
        raise ApiError(
            400,
            "EXCEEDED_ID_LIMIT",
            f"record limit reached: a collection holds at most {MAX_BATCH_SIZE} records, "
            f"this one has {count}",
        )


def _type_of(record: dict[str, Any]) -> str:
    attributes = record.get("attributes")
    kind = attributes.get("type") if isinstance(attributes, dict) else None
    return kind if isinstance(kind, str) else ""


def create(caller: Caller, body: Any) -> list[dict[str, Any]]:
    records, all_or_none = _records(body)
    events = publishing.event_types_of(caller, [_type_of(r) for r in records])
    if events is not None:
        return publishing.publish_collection(caller, events, records, all_or_none=all_or_none)
    items = [NewRecord(_type_of(r), r) for r in records]
    return [r.as_json() for r in create_records(caller, items, all_or_none=all_or_none)]


def update(caller: Caller, body: Any) -> list[dict[str, Any]]:
    records, all_or_none = _records(body)
    items = []
    for record in records:
        raw_id = next((v for k, v in record.items() if k.lower() == "id"), None)
        values = {k: v for k, v in record.items() if k.lower() != "id"}
        kind = _type_of(record) or "?"  # Salesforce asks for attributes.type here too
        items.append(Change(raw_id if isinstance(raw_id, str) else "", values, kind))
    return [r.as_json() for r in update_records(caller, items, all_or_none=all_or_none)]


def delete(caller: Caller, ids_parameter: str, all_or_none: str) -> list[dict[str, Any]]:
    record_ids = [part.strip() for part in ids_parameter.split(",") if part.strip()]
    if not record_ids:
        raise ApiError(400, "MISSING_ARGUMENT", "ids: the ids of the records to delete")
    _check_count(len(record_ids))
    results = delete_records(caller, record_ids, all_or_none=all_or_none.lower() in _TRUE)
    return [r.as_json() for r in results]


def retrieve(
    caller: Caller, sobject: SObject, raw_ids: object, raw_fields: object, *, version: str
) -> list[dict[str, Any] | None]:
    """Records of one object by id, with the fields asked for: null for an id not found."""
    record_ids, names = _names(raw_ids, "ids"), _names(raw_fields, "fields")
    if len(record_ids) > MAX_RETRIEVE_IDS:
        raise ApiError(
            400, "EXCEEDED_ID_LIMIT", f"record limit reached: at most {MAX_RETRIEVE_IDS} ids"
        )
    wanted = [record_id_for(sobject, raw) for raw in record_ids]
    fields = [field_named(sobject, name) for name in names]
    found = {r.record_id: r for r in visible(caller, sobject).filter(record_id__in=wanted)}
    return [serialize(found[i], sobject, version, fields) if i in found else None for i in wanted]


def _names(value: object, parameter: str) -> list[str]:
    """A list of names from a JSON array, or from a comma-separated query parameter."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ApiError(400, "JSON_PARSER_ERROR", f"{parameter} must be a list of strings")
    names = [item.strip() for item in items if item.strip()]
    if not names:
        raise ApiError(400, "MISSING_ARGUMENT", f"{parameter}: name at least one")
    return names

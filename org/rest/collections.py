"""sObject Collections (`composite/sobjects`): create, update or delete up to 200 records in
one request, with allOrNone, answered with one save result per record in request order."""

from __future__ import annotations

from typing import Any

from org.rest.bodies import json_object
from org.rest.describe import MAX_BATCH_SIZE
from org.rest.errors import ApiError
from org.rest.spaces import Caller
from org.rest.writes import Change, NewRecord, create_records, delete_records, update_records

_TRUE = {"true", "1"}


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

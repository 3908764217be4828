"""Publishing a platform event through the REST API: the event is inserted like a record of
its type, checked against its definition, and appended to its channel in the caller's space.

Salesforce answers a publish as queued: `success` true and one `OPERATION_ENQUEUED` entry in
`errors` whose message is the event's EventUuid (Platform Events Developer Guide, "Publish
Event Messages Using Salesforce APIs", API v60+)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from org import ids
from org.events import definitions
from org.events.log import append, event_time
from org.events.models import EventDefinition
from org.rest.errors import ApiError, RecordError
from org.rest.spaces import Caller
from org.rest.writes import ROLLED_BACK, SaveResult

_ACCEPTS = {
    "string": (str,),
    "double": (int, float),
    "boolean": (bool,),
    "datetime": (str,),
}


def event_type(caller: Caller, name: str) -> EventDefinition | None:
    """The platform event type a REST path names, if the caller's space sees one."""
    return definitions.find(caller.org, caller.space, name)


def _checked(definition: EventDefinition, values: dict[str, Any]) -> dict[str, Any]:
    known = {field["name"].lower(): field for field in definition.fields}
    checked: dict[str, Any] = {}
    for key, value in values.items():
        if key == "attributes":
            continue
        field = known.get(key.lower())
        if field is None:
            raise ApiError(
                400,
                "INVALID_FIELD",
                f"No such column '{key}' on sobject of type {definition.api_name}",
            )
        accepted = _ACCEPTS[field["type"]]
        wrong_number = field["type"] == "double" and isinstance(value, bool)
        if value is not None and (wrong_number or not isinstance(value, accepted)):
            raise ApiError(
                400,
                "JSON_PARSER_ERROR",
                f"Cannot deserialize instance of {field['type']} from {type(value).__name__} "
                f"value {value!r} for field {field['name']}",
            )
        checked[field["name"]] = value
    return checked


def _payload(caller: Caller, definition: EventDefinition, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "CreatedDate": event_time(timezone.now()),
        "CreatedById": caller.user.record_id,
        **_checked(definition, values),
    }


def publish(caller: Caller, definition: EventDefinition, values: dict[str, Any]) -> dict[str, Any]:
    """Append one event; the save result Salesforce gives, or an ApiError for bad values."""
    return _append(caller, definition, _payload(caller, definition, values))


def event_types_of(caller: Caller, names: list[str]) -> list[EventDefinition] | None:
    """The event type of every record of a collection, or None when any is not an event."""
    by_name = {d.api_name.lower(): d for d in definitions.visible(caller.org, caller.space)}
    found = [by_name.get(name.lower()) for name in names]
    return None if not found or None in found else [d for d in found if d is not None]


def publish_collection(
    caller: Caller,
    types: list[EventDefinition],
    records: list[dict[str, Any]],
    *,
    all_or_none: bool,
) -> list[dict[str, Any]]:
    """Publish a collection of events: each checked, and with allOrNone none published when
    one is refused, as a collection of records is saved."""
    checked: list[dict[str, Any] | ApiError] = []
    for definition, values in zip(types, records, strict=True):
        try:
            checked.append(_payload(caller, definition, values))
        except ApiError as error:
            checked.append(error)
    refused = any(isinstance(item, ApiError) for item in checked)
    results = []
    for definition, item in zip(types, checked, strict=True):
        if isinstance(item, ApiError):
            results.append(SaveResult(None, item.errors).as_json())
        elif all_or_none and refused:
            results.append(SaveResult(None, (ROLLED_BACK,)).as_json())
        else:
            results.append(_append(caller, definition, item))
    return results


def _append(caller: Caller, definition: EventDefinition, payload: dict[str, Any]) -> dict[str, Any]:
    event = append(caller.org, caller.space, definitions.channel_of(definition.api_name), payload)
    enqueued = RecordError("OPERATION_ENQUEUED", event.event_uuid)
    return {
        "id": ids.new_record_id(definitions.EVENT_PREFIX),
        "success": True,
        "errors": [enqueued.as_result()],
    }

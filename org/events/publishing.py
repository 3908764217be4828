"""Publishing a platform event through the REST API: the event is inserted like a record of
its type, checked against its definition, and appended to its channel in the caller's space.

Salesforce answers a publish as queued: `success` true and one `OPERATION_ENQUEUED` entry in
`errors` whose message is the event's EventUuid (Platform Events Developer Guide, "Publish
Event Messages Using Salesforce APIs", API v60+)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from org import ids
from org.events import definitions
from org.events.log import append
from org.events.models import EventDefinition
from org.rest.errors import ApiError, RecordError
from org.rest.spaces import Caller

# The key prefix the documentation's examples of a published event's id carry.
EVENT_PREFIX = "e00"
_ACCEPTS = {
    "string": (str,),
    "double": (int, float),
    "boolean": (bool,),
    "datetime": (str,),
}


def event_type(caller: Caller, name: str) -> EventDefinition | None:
    """The platform event type a REST path names, if the caller's space sees one."""
    return definitions.find(caller.org, caller.space, name)


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


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


def publish(caller: Caller, definition: EventDefinition, values: dict[str, Any]) -> dict[str, Any]:
    """Append one event; the save result Salesforce gives, or an ApiError for bad values."""
    payload = {
        "CreatedDate": _timestamp(timezone.now()),
        "CreatedById": caller.user.record_id,
        **_checked(definition, values),
    }
    event = append(caller.org, caller.space, definitions.channel_of(definition.api_name), payload)
    enqueued = RecordError("OPERATION_ENQUEUED", event.event_uuid)
    return {
        "id": ids.new_record_id(EVENT_PREFIX),
        "success": True,
        "errors": [enqueued.as_result()],
    }

"""Platform event definitions: the two the org is seeded with, and defining another in Setup.

An event's API name ends in `__e`, its custom fields in `__c` (Salesforce's suffixes); its
channel is `/event/<API name>`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import QuerySet

from org.events.models import EventDefinition
from org.models import Org
from org.rest.spaces import MAIN_SPACE

# The field types a definition may use, as describe names them.
FIELD_TYPES = {"string": "Text", "double": "Number", "boolean": "Checkbox", "datetime": "Date/Time"}
# A letter, then letters, digits and single underscores, no trailing underscore (as Salesforce's
# API names go), before the suffix.
_NAME = r"[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?<!_)"
EVENT_NAME = re.compile(rf"{_NAME}__e")
FIELD_NAME = re.compile(rf"{_NAME}__c")
MAX_FIELDS = 25
# The key prefix the documentation's examples of a published event's id carry.
EVENT_PREFIX = "e00"

SEEDED = (
    (
        "Order_Placed__e",
        "Order Placed",
        [
            {"name": "Order_Number__c", "type": "string"},
            {"name": "Amount__c", "type": "double"},
            {"name": "Customer__c", "type": "string"},
        ],
    ),
    (
        "Shipment_Dispatched__e",
        "Shipment Dispatched",
        [
            {"name": "Order_Number__c", "type": "string"},
            {"name": "Carrier__c", "type": "string"},
            {"name": "Dispatched_At__c", "type": "datetime"},
        ],
    ),
)


class DefinitionError(ValueError):
    """Why a new definition cannot be saved, in words a Setup form shows."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str


def channel_of(api_name: str) -> str:
    return f"/event/{api_name}"


def seed_definitions(org: Org) -> None:
    for api_name, label, fields in SEEDED:
        EventDefinition.objects.get_or_create(
            org=org,
            space=MAIN_SPACE,
            api_name=api_name,
            defaults={"label": label, "fields": fields},
        )


def visible(org: Org, space: str) -> QuerySet[EventDefinition]:
    """The org's definitions and the ones this space defined itself."""
    return EventDefinition.objects.filter(org=org, space__in={MAIN_SPACE, space})


def find(org: Org, space: str, api_name: str) -> EventDefinition | None:
    """The definition with this API name; names are case-insensitive, as sObject names are."""
    return visible(org, space).filter(api_name__iexact=api_name).first()


def define(
    org: Org, space: str, api_name: str, label: str, fields: list[FieldSpec]
) -> EventDefinition:
    """Save a new platform event type for a space, or say why it cannot be saved."""
    if not EVENT_NAME.fullmatch(api_name) or len(api_name) > 43:
        raise DefinitionError(
            "The API name must start with a letter, use letters, digits and single "
            "underscores, end in __e and be at most 43 characters."
        )
    if find(org, space, api_name) is not None:
        raise DefinitionError(f"An event named {api_name} already exists.")
    if not label.strip() or len(label) > 80:
        raise DefinitionError("Give the event a label of 1 to 80 characters.")
    if len(fields) > MAX_FIELDS:
        raise DefinitionError(f"An event has at most {MAX_FIELDS} custom fields.")
    seen: set[str] = set()
    for field in fields:
        if not FIELD_NAME.fullmatch(field.name) or len(field.name) > 43:
            raise DefinitionError(
                f"Field {field.name!r}: start with a letter, use letters, digits and single "
                "underscores, and end in __c."
            )
        if field.type not in FIELD_TYPES:
            raise DefinitionError(f"Field {field.name}: choose one of the listed types.")
        if field.name.lower() in seen:
            raise DefinitionError(f"Field {field.name} is listed twice.")
        seen.add(field.name.lower())
    return EventDefinition.objects.create(
        org=org,
        space=space,
        api_name=api_name,
        label=label.strip(),
        fields=[{"name": f.name, "type": f.type} for f in fields],
    )

"""What the REST API says about itself and its objects: the versions it serves, the resources
of a version, describeGlobal, an object's basic information and its full describe.

Event types are listed and described too, as Salesforce lists them: the platform event types
the caller's space sees (`Order_Placed__e`) and a change event per object (`AccountChangeEvent`,
associateEntityType ChangeEvent). Neither is queried or retrieved: a platform event is only
created (published), a change event supports describe alone (Object Reference,
StandardObjectNameChangeEvent)."""

from __future__ import annotations

from typing import Any

from config.org_paths import API_VERSION
from org.events import changes, definitions
from org.events.models import EventDefinition
from org.rest.errors import not_found
from org.rest.schema import SOAP_TYPES, SOBJECTS, Field, SObject, sobject_named
from org.rest.spaces import Caller

OLDEST_VERSION = 31  # Summer '14: Salesforce retired 21.0–30.0 in Summer '25.
_SEASONS = ("Summer", "Winter", "Spring")
# Salesforce's Developer Edition: 200 records per collection and composite request.
MAX_BATCH_SIZE = 200


def _label(major: int) -> str:
    # Three releases a year, one version each: Summer '14 = 31.0, Winter '15 = 32.0, …
    step = major - OLDEST_VERSION
    return f"{_SEASONS[step % 3]} '{14 + (step + 2) // 3:02d}"


NEWEST_VERSION = int(API_VERSION.split(".")[0])
VERSIONS: tuple[str, ...] = tuple(
    f"{major}.0" for major in range(OLDEST_VERSION, NEWEST_VERSION + 1)
)


def check_version(version: str) -> None:
    if version not in VERSIONS:
        raise not_found()


def versions() -> list[dict[str, str]]:
    return [
        {"label": _label(int(v.split(".")[0])), "url": f"/services/data/v{v}", "version": v}
        for v in VERSIONS
    ]


def resources(version: str) -> dict[str, str]:
    prefix = f"/services/data/v{version}"
    return {name: f"{prefix}/{name}" for name in ("sobjects", "query", "queryAll", "limits")}


def _urls(sobject: SObject, version: str) -> dict[str, str]:
    prefix = f"/services/data/v{version}/sobjects/{sobject.name}"
    return {"sobject": prefix, "describe": f"{prefix}/describe", "rowTemplate": f"{prefix}/{{ID}}"}


def _object_flags(sobject: SObject, version: str) -> dict[str, Any]:
    return {
        "activateable": False,
        "associateEntityType": None,
        "associateParentEntity": None,
        "createable": True,
        "custom": False,
        "customSetting": False,
        "deletable": True,
        "deprecatedAndHidden": False,
        "feedEnabled": False,
        "keyPrefix": sobject.key_prefix,
        "label": sobject.label,
        "labelPlural": sobject.label_plural,
        "layoutable": True,
        "mergeable": sobject.name in {"Account", "Contact", "Case"},
        "mruEnabled": True,
        "name": sobject.name,
        "queryable": True,
        "replicateable": True,
        "retrieveable": True,
        "searchable": True,
        "triggerable": True,
        "undeletable": True,
        "updateable": True,
        "urls": _urls(sobject, version),
    }


def _event_flags(
    name: str, label: str, plural: str, version: str, *, published: bool
) -> dict[str, Any]:
    """An event type's flags: published ones are custom and createable, change events are
    neither; no event is queried, retrieved, updated or deleted."""
    prefix = f"/services/data/v{version}/sobjects/{name}"
    return {
        "activateable": False,
        "associateEntityType": None if published else "ChangeEvent",
        "associateParentEntity": None if published else name.removesuffix("ChangeEvent"),
        "createable": published,
        "custom": published,
        "customSetting": False,
        "deletable": False,
        "deprecatedAndHidden": False,
        "feedEnabled": False,
        "keyPrefix": definitions.EVENT_PREFIX if published else None,
        "label": label,
        "labelPlural": plural,
        "layoutable": False,
        "mergeable": False,
        "mruEnabled": False,
        "name": name,
        "queryable": False,
        "replicateable": False,
        "retrieveable": False,
        "searchable": False,
        "triggerable": True,
        "undeletable": False,
        "updateable": False,
        "urls": {"sobject": prefix, "describe": f"{prefix}/describe"},
    }


def _platform_event_flags(definition: EventDefinition, version: str) -> dict[str, Any]:
    label = definition.label
    return _event_flags(definition.api_name, label, label, version, published=True)


def _change_event_flags(sobject: SObject, version: str) -> dict[str, Any]:
    name = f"{sobject.name}ChangeEvent"
    label = f"{sobject.label} Change Event"
    return _event_flags(name, label, f"{label}s", version, published=False)


def describe_global(version: str, caller: Caller) -> dict[str, Any]:
    events = definitions.visible(caller.org, caller.space)
    return {
        "encoding": "UTF-8",
        "maxBatchSize": MAX_BATCH_SIZE,
        "sobjects": [
            *(_object_flags(s, version) for s in SOBJECTS.values()),
            *(_platform_event_flags(d, version) for d in events),
            *(_change_event_flags(s, version) for s in SOBJECTS.values()),
        ],
    }


def basic_info(version: str, sobject: SObject, recent: list[dict[str, Any]]) -> dict[str, Any]:
    return {"objectDescribe": _object_flags(sobject, version), "recentItems": recent}


def describe(version: str, sobject: SObject) -> dict[str, Any]:
    return {
        **_object_flags(sobject, version),
        "fields": [_describe_field(sobject, f) for f in sobject.fields],
        "childRelationships": _child_relationships(sobject),
        "recordTypeInfos": [],
        "supportedScopes": [{"label": "All " + sobject.label_plural.lower(), "name": "everything"}],
    }


def describe_named(caller: Caller, version: str, name: str) -> dict[str, Any]:
    """The describe of an sObject, a platform event type or a change event, by name."""
    sobject = sobject_named(name)
    if sobject is not None:
        return describe(version, sobject)
    definition = definitions.find(caller.org, caller.space, name)
    if definition is not None:
        return _describe_platform_event(definition, version)
    # Names ignore case here as sObject names do: accountchangeevent is AccountChangeEvent.
    suffix = len("ChangeEvent")
    is_change_event = name[-suffix:].lower() == "changeevent"
    parent = sobject_named(name[:-suffix]) if is_change_event else None
    if parent is not None:
        return _describe_change_event(parent, version)
    raise not_found()


_REPLAY_ID = Field("ReplayId", "Replay ID", "string", 255, createable=False, updateable=False)


def _event_describe(flags: dict[str, Any], fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {**flags, "fields": fields, "childRelationships": [], "recordTypeInfos": []}


def _describe_platform_event(definition: EventDefinition, version: str) -> dict[str, Any]:
    # EventUuid is delivered with each event but is not part of the type's schema.
    system = [
        _REPLAY_ID,
        Field("CreatedDate", "Created Date", "datetime", createable=False, updateable=False),
        Field(
            "CreatedById",
            "Created By ID",
            "reference",
            18,
            createable=False,
            updateable=False,
            reference_to="User",
            relationship_name="CreatedBy",
        ),
    ]
    custom = [
        Field(f["name"], f["name"].removesuffix("__c").replace("_", " "), f["type"], _length(f))
        for f in definition.fields
    ]
    fields = [_describe_field(None, f) for f in system]
    fields += [{**_describe_field(None, f), "custom": True, "updateable": False} for f in custom]
    return _event_describe(_platform_event_flags(definition, version), fields)


def _length(field: dict[str, str]) -> int:
    return 255 if field["type"] == "string" else 0


def _describe_change_event(sobject: SObject, version: str) -> dict[str, Any]:
    header = {
        **_describe_field(
            None, Field("ChangeEventHeader", "Header", "string", createable=False, updateable=False)
        ),
        "soapType": "tns:ChangeEventHeader",
        "type": "complexvalue",
    }
    # The record's id is described (it travels in the header's recordIds).
    named = {"Id", *changes.carried(sobject)}
    carried = [f for f in sobject.fields if f.name in named]
    fields = [_describe_field(None, _REPLAY_ID), header]
    fields += [
        {**_describe_field(sobject, f), "createable": False, "updateable": False} for f in carried
    ]
    return _event_describe(_change_event_flags(sobject, version), fields)


def _describe_field(sobject: SObject | None, field: Field) -> dict[str, Any]:
    """A field's describe; `sobject` None for an event type's field."""
    numeric = field.type in {"double", "currency", "percent"}
    object_name = sobject.name if sobject else ""
    return {
        "aggregatable": field.type not in {"textarea"},
        "autoNumber": field.name == "CaseNumber",
        "byteLength": field.length * 3,
        "calculated": object_name == "Contact" and field.name == "Name",
        "caseSensitive": False,
        "createable": field.createable,
        "custom": False,
        "defaultValue": field.default,
        "defaultedOnCreate": field.defaulted_on_create,
        "digits": 9 if field.type == "int" else 0,
        "externalId": False,
        "filterable": field.type != "textarea",
        "groupable": field.type not in {"textarea", "double", "currency", "percent", "datetime"},
        "idLookup": field.type == "id"
        or (sobject is not None and field.name == sobject.name_field),
        "label": field.label,
        "length": field.length,
        "name": field.name,
        "nameField": sobject is not None and field.name == sobject.name_field,
        "nillable": field.nillable,
        "picklistValues": [
            {
                "active": True,
                "defaultValue": value == field.default,
                "label": value,
                "validFor": None,
                "value": value,
            }
            for value in field.picklist
        ],
        "precision": 18 if numeric else 0,
        "referenceTo": [field.reference_to] if field.reference_to else [],
        "relationshipName": field.relationship_name or None,
        "restrictedPicklist": False,
        "scale": 2 if numeric else 0,
        "soapType": SOAP_TYPES[field.type],
        "sortable": field.type != "textarea",
        "type": field.type,
        "unique": False,
        "updateable": field.updateable,
    }


def _child_relationships(sobject: SObject) -> list[dict[str, Any]]:
    return [
        {
            "cascadeDelete": False,
            "childSObject": child.name,
            "field": field.name,
            "relationshipName": child.label_plural.replace(" ", ""),
        }
        for child in SOBJECTS.values()
        for field in child.own_fields
        if field.reference_to == sobject.name
    ]

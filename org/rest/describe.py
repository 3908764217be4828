"""What the REST API says about itself and its objects: the versions it serves, the resources
of a version, describeGlobal, an object's basic information and its full describe."""

from __future__ import annotations

from typing import Any

from config.org_paths import API_VERSION
from org.rest.errors import not_found
from org.rest.schema import SOAP_TYPES, SOBJECTS, Field, SObject

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


def describe_global(version: str) -> dict[str, Any]:
    return {
        "encoding": "UTF-8",
        "maxBatchSize": MAX_BATCH_SIZE,
        "sobjects": [_object_flags(s, version) for s in SOBJECTS.values()],
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


def _describe_field(sobject: SObject, field: Field) -> dict[str, Any]:
    numeric = field.type in {"double", "currency", "percent"}
    return {
        "aggregatable": field.type not in {"textarea"},
        "autoNumber": field.name == "CaseNumber",
        "byteLength": field.length * 3,
        "calculated": sobject.name == "Contact" and field.name == "Name",
        "caseSensitive": False,
        "createable": field.createable,
        "custom": False,
        "defaultValue": field.default,
        "defaultedOnCreate": field.defaulted_on_create,
        "digits": 9 if field.type == "int" else 0,
        "externalId": False,
        "filterable": field.type != "textarea",
        "groupable": field.type not in {"textarea", "double", "currency", "percent", "datetime"},
        "idLookup": field.type == "id" or field.name == sobject.name_field,
        "label": field.label,
        "length": field.length,
        "name": field.name,
        "nameField": field.name == sobject.name_field,
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

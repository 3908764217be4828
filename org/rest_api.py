"""The org's REST API over its demo records, in Salesforce's shapes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from config.org_paths import API_VERSION
from org import soql
from org.models import Account, Asset, Contact, Org

VERSIONS = (("Spring '24", "60.0"), ("Summer '24", "61.0"), ("Winter '25", API_VERSION))
SUPPORTED_VERSIONS = frozenset(number for _, number in VERSIONS)


class ApiError(Exception):
    """An error the REST API answers with Salesforce's array-of-errors body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> list[dict[str, str]]:
        return [{"message": self.message, "errorCode": self.code}]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str
    read: Callable[[Any], Any]


@dataclass(frozen=True)
class SObject:
    name: str
    label: str
    label_plural: str
    key_prefix: str
    model: type[Model]
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field | None:
        lowered = name.lower()
        return next((field for field in self.fields if field.name.lower() == lowered), None)


SOBJECTS: dict[str, SObject] = {
    "Account": SObject(
        "Account",
        "Account",
        "Accounts",
        "001",
        Account,
        (
            Field("Id", "Account ID", "id", lambda a: a.record_id),
            Field("Name", "Account Name", "string", lambda a: a.name),
            Field("Type", "Account Type", "picklist", lambda a: a.account_type or None),
            Field("Industry", "Industry", "picklist", lambda a: a.industry or None),
            Field("Phone", "Account Phone", "phone", lambda a: a.phone or None),
            Field("Website", "Website", "url", lambda a: a.website or None),
            Field("BillingCity", "Billing City", "string", lambda a: a.billing_city or None),
            Field(
                "BillingCountry", "Billing Country", "string", lambda a: a.billing_country or None
            ),
            Field("NumberOfEmployees", "Employees", "int", lambda a: a.number_of_employees),
            Field("CreatedDate", "Created Date", "datetime", lambda a: _timestamp(a.created_at)),
        ),
    ),
    "Contact": SObject(
        "Contact",
        "Contact",
        "Contacts",
        "003",
        Contact,
        (
            Field("Id", "Contact ID", "id", lambda c: c.record_id),
            Field("FirstName", "First Name", "string", lambda c: c.first_name or None),
            Field("LastName", "Last Name", "string", lambda c: c.last_name),
            Field("Name", "Full Name", "string", lambda c: str(c)),
            Field("Title", "Title", "string", lambda c: c.title or None),
            Field("Email", "Email", "email", lambda c: c.email or None),
            Field("Phone", "Business Phone", "phone", lambda c: c.phone or None),
            Field(
                "AccountId",
                "Account ID",
                "reference",
                lambda c: c.account.record_id if c.account else None,
            ),
            Field("CreatedDate", "Created Date", "datetime", lambda c: _timestamp(c.created_at)),
        ),
    ),
    "Asset": SObject(
        "Asset",
        "Asset",
        "Assets",
        "02i",
        Asset,
        (
            Field("Id", "Asset ID", "id", lambda a: a.record_id),
            Field("Name", "Asset Name", "string", lambda a: a.name),
            Field("SerialNumber", "Serial Number", "string", lambda a: a.serial_number),
            Field("Product2Name", "Product", "string", lambda a: a.product or None),
            Field(
                "AccountId",
                "Account ID",
                "reference",
                lambda a: a.account.record_id if a.account else None,
            ),
            Field("CreatedDate", "Created Date", "datetime", lambda a: _timestamp(a.created_at)),
        ),
    ),
}


def _timestamp(value: Any) -> str:
    # Salesforce's datetime format: 2024-05-01T09:30:00.000+0000
    return str(value.strftime("%Y-%m-%dT%H:%M:%S.000+0000"))


def versions() -> list[dict[str, str]]:
    return [
        {"label": label, "url": f"/services/data/v{number}", "version": number}
        for label, number in VERSIONS
    ]


def resources(version: str) -> dict[str, str]:
    _check_version(version)
    prefix = f"/services/data/v{version}"
    return {"sobjects": f"{prefix}/sobjects", "query": f"{prefix}/query"}


def _check_version(version: str) -> None:
    if version not in SUPPORTED_VERSIONS:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")


def _sobject(name: str) -> SObject:
    sobject = SOBJECTS.get(name)
    if sobject is None:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    return sobject


def _records(sobject: SObject, org: Org) -> list[Any]:
    queryset = sobject.model._default_manager.filter(org=org)
    if sobject.name in {"Contact", "Asset"}:
        queryset = queryset.select_related("account")
    return list(queryset)


def _serialize(
    sobject: SObject, record: Any, version: str, fields: tuple[Field, ...]
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "attributes": {
            "type": sobject.name,
            "url": f"/services/data/v{version}/sobjects/{sobject.name}/{record.record_id}",
        }
    }
    for field in fields:
        body[field.name] = field.read(record)
    return body


def describe(version: str, name: str, org: Org) -> dict[str, Any]:
    _check_version(version)
    sobject = _sobject(name)
    prefix = f"/services/data/v{version}/sobjects/{sobject.name}"
    summary = tuple(f for f in sobject.fields if f.name in {"Id", "Name"})
    return {
        "objectDescribe": {
            "name": sobject.name,
            "label": sobject.label,
            "labelPlural": sobject.label_plural,
            "keyPrefix": sobject.key_prefix,
            "queryable": True,
            "retrieveable": True,
            "urls": {
                "sobject": prefix,
                "describe": f"{prefix}/describe",
                "rowTemplate": f"{prefix}/{{ID}}",
            },
        },
        "recentItems": [
            _serialize(sobject, record, version, summary) for record in _records(sobject, org)[:10]
        ],
    }


def record(version: str, name: str, record_id: str, org: Org) -> dict[str, Any]:
    _check_version(version)
    sobject = _sobject(name)
    # A 15-character id is the case-sensitive form of the same 18-character id.
    found = next(
        (
            r
            for r in _records(sobject, org)
            if r.record_id == record_id or (len(record_id) == 15 and r.record_id[:15] == record_id)
        ),
        None,
    )
    if found is None:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    return _serialize(sobject, found, version, sobject.fields)


def query(version: str, text: str, org: Org) -> dict[str, Any]:
    _check_version(version)
    try:
        parsed = soql.parse(text)
    except soql.MalformedQuery as error:
        raise ApiError(400, "MALFORMED_QUERY", str(error)) from None
    sobject = SOBJECTS.get(next((n for n in SOBJECTS if n.lower() == parsed.sobject.lower()), ""))
    if sobject is None:
        raise ApiError(
            400,
            "MALFORMED_QUERY",
            f"sObject type '{parsed.sobject[:40]}' is not supported: query Account, Contact "
            "or Asset.",
        )
    fields: list[Field] = []
    for name in parsed.fields:
        field = sobject.field(name)
        if field is None:
            raise ApiError(
                400, "MALFORMED_QUERY", f"No such column '{name[:40]}' on entity '{sobject.name}'."
            )
        fields.append(field)
    rows = _records(sobject, org)
    if parsed.where is not None:
        where_field = sobject.field(parsed.where[0])
        if where_field is None:
            raise ApiError(
                400,
                "MALFORMED_QUERY",
                f"No such column '{parsed.where[0][:40]}' on entity '{sobject.name}'.",
            )
        wanted = parsed.where[1]
        rows = [row for row in rows if str(where_field.read(row) or "") == wanted]
    if parsed.limit is not None:
        rows = rows[: parsed.limit]
    return {
        "totalSize": len(rows),
        "done": True,
        "records": [_serialize(sobject, row, version, tuple(fields)) for row in rows],
    }

"""A client's field values checked against an object's schema: what a create or an update may
set, each value in its field's type, with the per-record errors Salesforce reports."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from org import ids
from org.rest.errors import RecordError
from org.rest.schema import NUMBER_TYPES, TEXT_TYPES, Field, SObject

# Salesforce's own check is looser than RFC 5322; one @, a dot in the domain, no spaces.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Keys a client may send besides fields: the record's type and url, as a read returns them.
_IGNORED = frozenset({"attributes"})


@dataclass
class CheckedValues:
    """What a record's body sets, once checked, and the ids its reference fields name."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RecordError] = field(default_factory=list)
    # Each reference field set, with the 18-character id it names.
    references: list[tuple[Field, str]] = field(default_factory=list)


def check_values(
    sobject: SObject, body: Mapping[str, Any], *, creating: bool, id_allowed: bool = False
) -> CheckedValues:
    """The body's values for `sobject`, every bad one reported, none written yet."""
    checked = CheckedValues()
    for key, value in body.items():
        if key in _IGNORED or (id_allowed and key.lower() == "id"):
            continue
        _check_one(sobject, key, value, creating=creating, into=checked)
    if creating:
        missing = [
            f.name
            for f in sobject.fields
            if f.required and f.createable and not f.defaulted_on_create
            and checked.values.get(f.name) is None
        ]  # fmt: skip
        if missing:
            checked.errors.append(
                RecordError(
                    "REQUIRED_FIELD_MISSING",
                    f"Required fields are missing: [{', '.join(missing)}]",
                    tuple(missing),
                )
            )
    return checked


def _check_one(
    sobject: SObject, key: str, value: Any, *, creating: bool, into: CheckedValues
) -> None:
    found = sobject.field(key)
    if found is None or found.type == "id":
        message = (
            "The Id field should not be specified in the sobject data."
            if found is not None
            else f"No such column '{key[:80]}' on sobject of type {sobject.name}"
        )
        into.errors.append(RecordError("INVALID_FIELD", message, (key[:80],)))
        return
    if not (found.createable if creating else found.updateable):
        into.errors.append(
            RecordError(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {found.name}. Please check the security "
                "settings of this field and verify that it is read/write for your profile or "
                "permission set.",
                (found.name,),
            )
        )
        return
    if value is None or value == "":
        # Salesforce stores an empty string as null: it clears the field. (A create reports
        # every required field left empty at once, below.)
        if found.required and not creating:
            into.errors.append(
                RecordError(
                    "REQUIRED_FIELD_MISSING",
                    f"Required fields are missing: [{found.name}]",
                    (found.name,),
                )
            )
        else:
            into.values[found.name] = None
        return
    converted = _converted(found, value)
    if isinstance(converted, RecordError):
        into.errors.append(converted)
        return
    if found.type == "reference":
        into.references.append((found, converted))
    into.values[found.name] = converted


def _converted(found: Field, value: Any) -> Any:
    """The value stored for `found`, or the RecordError that refuses it."""
    kind = found.type
    if kind in TEXT_TYPES:
        return _text(found, value)
    if kind == "boolean":
        return value if isinstance(value, bool) else _wrong_type(found, value)
    if kind in NUMBER_TYPES:
        return _number(found, value)
    if kind == "date":
        return _date(found, value)
    if kind == "datetime":
        return _datetime(found, value)
    return _reference(found, value)


def _wrong_type(found: Field, value: Any) -> RecordError:
    shown = str(value)[:40]
    return RecordError(
        "INVALID_TYPE_ON_FIELD_IN_RECORD",
        f"{found.label}: value not of required type: {shown}",
        (found.name,),
    )


def _text(found: Field, value: Any) -> Any:
    if not isinstance(value, str) or "\x00" in value or not _encodable(value):
        return _wrong_type(found, value)
    if found.length and len(value) > found.length:
        return RecordError(
            "STRING_TOO_LONG",
            f"{found.label}: data value too large: {value[:40]} (max length={found.length})",
            (found.name,),
        )
    if found.type == "email" and value and not _EMAIL.match(value):
        return RecordError(
            "INVALID_EMAIL_ADDRESS", f"{found.label}: invalid email address: {value[:80]}",
            (found.name,),
        )  # fmt: skip
    return value


def _encodable(value: str) -> bool:
    # A lone surrogate from a JSON \ud800 escape has no UTF-8 form: no database would store it.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _number(found: Field, value: Any) -> Any:
    number: float | int
    if isinstance(value, bool):
        return _wrong_type(found, value)
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str) and len(value) <= 40:
        try:
            number = float(value) if found.type != "int" else int(value)
        except ValueError:
            return _wrong_type(found, value)
    else:
        return _wrong_type(found, value)
    if not math.isfinite(number) or abs(number) >= 1e18:
        return _wrong_type(found, value)
    if found.type == "int":
        if number != int(number) or abs(number) > 2**31 - 1:
            return _wrong_type(found, value)
        return int(number)
    return number


def _date(found: Field, value: Any) -> Any:
    if isinstance(value, str) and _DATE.match(value):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    return _wrong_type(found, value)


def _datetime(found: Field, value: Any) -> Any:
    if isinstance(value, str) and len(value) <= 40:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
        except ValueError:
            pass
    return _wrong_type(found, value)


def _reference(found: Field, value: Any) -> Any:
    canonical = ids.canonical_id(value) if isinstance(value, str) else None
    if canonical is None:
        return RecordError(
            "MALFORMED_ID",
            f"{found.label}: id value of incorrect type: {str(value)[:40]}",
            (found.name,),
        )
    return canonical

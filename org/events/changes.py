"""Change Data Capture: which objects a data space captures, and the change event every write
of a captured record appends to `/data/<Object>ChangeEvent` and `/data/ChangeEvents`.

The payload follows Salesforce's CometD JSON (Change Data Capture Developer Guide, "Change
Event Message Structure" and "Change Event Body Fields"): a ChangeEventHeader, then on create
and undelete every non-null field, on update only the changed ones plus LastModifiedDate, on
delete nothing else. Change events never carry Id, IsDeleted or SystemModstamp. The header has
no nulledFields or diffFields: the guide says Pub/Sub API events carry those two, and its CometD
examples have neither (the reference marks this unconfirmed; a nulled field shows as null in
the body and is named in changedFields).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from org.events import log
from org.events.models import ChangeCapture
from org.models import Org, Record
from org.rest.schema import OWNER, SOBJECTS, SObject
from org.rest.spaces import Caller
from org.rest.store import field_values

CHANGE_EVENTS = "/data/ChangeEvents"
# Setup's Change Data Capture page starts with these selected.
DEFAULT_SELECTED = frozenset({"Account", "Contact"})
CREATE, UPDATE, DELETE, UNDELETE = "CREATE", "UPDATE", "DELETE", "UNDELETE"
_NEVER_SENT = frozenset({"Id", "IsDeleted", "SystemModstamp"})
# The body's system dates, from the row's own columns.
_SYSTEM_DATES = {"CreatedDate": "created_at", "LastModifiedDate": "last_modified_at"}
# Compound fields travel nested ("Get Compound Fields in Change Events"): field → (compound,
# component). Contact's Name is the compound of its parts, so the computed full name is not sent.
COMPOUNDS: dict[str, dict[str, tuple[str, str]]] = {
    "Account": {
        "BillingStreet": ("BillingAddress", "Street"),
        "BillingCity": ("BillingAddress", "City"),
        "BillingState": ("BillingAddress", "State"),
        "BillingPostalCode": ("BillingAddress", "PostalCode"),
        "BillingCountry": ("BillingAddress", "Country"),
    },
    "Contact": {
        "Salutation": ("Name", "Salutation"),
        "FirstName": ("Name", "FirstName"),
        "LastName": ("Name", "LastName"),
        "MailingCity": ("MailingAddress", "City"),
        "MailingCountry": ("MailingAddress", "Country"),
    },
}
_COMPUTED = {"Contact": frozenset({"Name"})}


def channel_of(sobject: str) -> str:
    return f"/data/{sobject}ChangeEvent"


def channel_exists(channel: str) -> bool:
    """Whether a subscriber may name this `/data/…` channel: every object of the schema has
    one, selected in Setup or not (an unselected object's channel just stays quiet)."""
    return channel == CHANGE_EVENTS or any(channel == channel_of(name) for name in SOBJECTS)


def selected(org: Org, space: str) -> frozenset[str]:
    """The objects whose changes this data space captures."""
    switched = dict(
        ChangeCapture.objects.filter(org=org, space=space).values_list("sobject", "enabled")
    )
    return frozenset(
        name for name in SOBJECTS if switched.get(name, name in DEFAULT_SELECTED) is True
    )


def select(org: Org, space: str, names: set[str]) -> None:
    """Capture exactly these objects' changes in this space (Setup's switches)."""
    with transaction.atomic():
        for name in SOBJECTS:
            ChangeCapture.objects.update_or_create(
                org=org, space=space, sobject=name, defaults={"enabled": name in names}
            )


def origin(api: str, version: str, call_options: str) -> str:
    """changeOrigin: com/salesforce/api/<api>/<version>, with ;client=<id> when the call named
    its client in the Sforce-Call-Options header (`client=Astro, defaultNamespace=x`)."""
    client = next(
        (
            part.strip()[len("client=") :]
            for part in call_options.split(",")
            if part.strip().startswith("client=")
        ),
        "",
    )
    shown = "".join(c for c in client[:64] if c.isascii() and c.isprintable() and c != ";")
    return f"com/salesforce/api/{api}/{version}" + (f";client={shown}" if shown else "")


@dataclass(frozen=True)
class Written:
    """One record a write changed: for an update, its stored fields and last modifier before."""

    record: Record
    before: Mapping[str, Any] | None = None
    modified_by_before: int | None = None  # the OrgUser's pk


def emit(caller: Caller, change_type: str, written: Sequence[Written]) -> None:
    """Append a change event for each captured record of one write, in the write's own
    transaction (call it inside it): a write that rolls back leaves no event behind."""
    captured = selected(caller.org, caller.space)
    kept = [w for w in written if w.record.sobject in captured]
    if not kept:
        return
    org, space = caller.org, caller.space
    transaction_key = str(uuid.uuid4())
    with transaction.atomic():
        everything = log.take_replay_ids(org, space, CHANGE_EVENTS, len(kept))
        payloads = [
            _payload(caller, change_type, w, transaction_key, number, everything.start)
            for number, w in enumerate(kept, start=1)
        ]
        log.store_events(org, space, CHANGE_EVENTS, everything, payloads)
        for name in dict.fromkeys(w.record.sobject for w in kept):
            own = [p for w, p in zip(kept, payloads, strict=True) if w.record.sobject == name]
            log.append_all(org, space, channel_of(name), own)


def _payload(
    caller: Caller,
    change_type: str,
    written: Written,
    transaction_key: str,
    sequence_number: int,
    commit_number: int,
) -> dict[str, Any]:
    record = written.record
    sobject = SOBJECTS[record.sobject]
    if change_type == DELETE:
        body: dict[str, Any] = {}
        changed: list[str] = []
    elif change_type == UPDATE:
        body, changed = _changes(sobject, written)
    else:
        body, changed = _everything(sobject, record), []
    header = {
        "entityName": sobject.name,
        "recordIds": [record.record_id],
        "changeType": change_type,
        "changeOrigin": caller.change_origin,
        "transactionKey": transaction_key,
        "sequenceNumber": sequence_number,
        "commitTimestamp": _milliseconds(record.last_modified_at),
        "commitNumber": commit_number,
        "commitUser": caller.user.record_id,
        "changedFields": changed,
    }
    return {"ChangeEventHeader": header, **body}


def _milliseconds(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def carried(sobject: SObject) -> list[str]:
    """The fields a change event of this object may carry, in schema order."""
    skipped = _NEVER_SENT | _COMPUTED.get(sobject.name, frozenset())
    return [f.name for f in sobject.fields if f.name not in skipped]


def _place(sobject: SObject, body: dict[str, Any], name: str, value: Any) -> str:
    """Put one field in the body, nested if it is part of a compound; its changedFields name."""
    compound = COMPOUNDS.get(sobject.name, {}).get(name)
    if compound is None:
        body[name] = value
        return name
    outer, component = compound
    body.setdefault(outer, {})[component] = value
    return f"{outer}.{component}"


def _everything(sobject: SObject, record: Record) -> dict[str, Any]:
    values = field_values(record, sobject)
    for name, column in _SYSTEM_DATES.items():
        values[name] = log.event_time(getattr(record, column))
    body: dict[str, Any] = {}
    for name in carried(sobject):
        if values[name] is not None:
            _place(sobject, body, name, values[name])
    return body


def _changes(sobject: SObject, written: Written) -> tuple[dict[str, Any], list[str]]:
    record, before = written.record, written.before or {}
    body: dict[str, Any] = {}
    changed = []
    for field in (*sobject.own_fields, OWNER):
        name = field.name
        if name in _COMPUTED.get(sobject.name, ()):
            continue
        if record.fields.get(name) != before.get(name):
            changed.append(_place(sobject, body, name, record.fields.get(name)))
    changed.append(
        _place(sobject, body, "LastModifiedDate", log.event_time(record.last_modified_at))
    )
    if record.last_modified_by_id != written.modified_by_before:
        modifier = record.last_modified_by
        changed.append(
            _place(sobject, body, "LastModifiedById", modifier.record_id if modifier else None)
        )
    return body, changed

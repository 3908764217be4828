"""The lab's publishing side: a platform event with a payload the visitor types, an Account
edited field by field (its change event follows by itself), and a change event sent from
outside, which the org refuses."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from playground.artefacts import Callout, parameters
from playground.exchange import HttpExchange, OutgoingRequest
from playground.steps.answers import failed, nothing_to_send, refusal_expected
from playground.steps.faults import request_fault
from playground.steps.records import EXPIRED_TOKEN, RECORDS, api_request
from playground.steps.resource import DATA_PATH
from playground.vocabulary import (
    Arrow,
    Input,
    InputError,
    Lesson,
    Step,
    StepContext,
    StepResult,
    plain_text,
)

EVENT = "Order_Placed__e"
EVENT_PATH = f"{DATA_PATH}/sobjects/{EVENT}/"
CHANGE_EVENT_PATH = f"{DATA_PATH}/sobjects/AccountChangeEvent/"
REST_SPEC = "Salesforce REST API: sObject create"
# The fields the org's Order_Placed__e defines (Setup → Platform events), as the form shows them.
EVENT_FIELDS = (
    ("Order_Number__c", "Order number", "text"),
    ("Amount__c", "Amount", "number"),
    ("Customer__c", "Customer", "text"),
)
# The Account fields the lab lets a person change, one box each.
EDITABLE = (
    ("Name", "Account name"),
    ("Industry", "Industry"),
    ("Phone", "Phone"),
    ("Description", "Description"),
)


def _number(value: str) -> str:
    text = plain_text(value)
    if not text:
        return ""
    try:
        float(text)
    except ValueError:
        raise InputError("Amount__c is a number: digits, with a dot for decimals.") from None
    return text


def _event_body(ctx: StepContext) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name, _, kind in EVENT_FIELDS:
        value = ctx.inputs.get(name, "")
        if value:
            body[name] = float(value) if kind == "number" else value
    return body


def _published(ctx: StepContext, exchange: HttpExchange) -> StepResult:
    if not exchange.ok:
        return failed(exchange, doing="the event")
    body = exchange.json_body()
    errors = body.get("errors") or []
    uuid = errors[0].get("message", "") if errors and isinstance(errors[0], dict) else ""
    return StepResult(
        "ok",
        f"{exchange.status}: the bus took the event (EventUuid {uuid}).",
        (exchange,),
        (
            parameters(
                "The save result",
                {
                    "id": str(body.get("id", "")),
                    "success": json.dumps(body.get("success")),
                    "EventUuid": uuid,
                },
                meanings={
                    "id": "Not the event's identity: Salesforce says it is not always unique.",
                    "success": "Queued, not delivered: publishing is asynchronous.",
                    "EventUuid": "The event's own id (OPERATION_ENQUEUED): dedupe on it.",
                },
            ),
        ),
    )


def _with_unknown_field(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    body = dict(_event_body(ctx), Discount__c=10)
    return api_request(ctx, "POST", EVENT_PATH, body)


UNKNOWN_FIELD = request_fault(
    slug="unknown-field",
    label="A field the event does not have",
    does=f"Adds Discount__c, which {EVENT} does not define, to the payload.",
    lesson=Lesson(
        why="A platform event's schema is its definition: every field of the body must be "
        "one of its fields, or the publish is refused with 400 INVALID_FIELD.",
        gain="Subscribers would receive data no schema describes, and could not tell a new "
        "field from a typo.",
        fix="Add the field to the event's definition first (Setup → Platform events), then "
        "publish it; subscribers read the schema id in each message.",
    ),
    tamper=_with_unknown_field,
)


def publish_step() -> Step:
    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if problem := nothing_to_send(ctx, "access_token"):
            return problem
        return api_request(ctx, "POST", EVENT_PATH, _event_body(ctx))

    return Step(
        slug="publish",
        title=f"Publish an {EVENT} event",
        kind="back-channel",
        spec="Platform Events Developer Guide: publish with the REST API",
        arrows=(
            Arrow("publisher", "bus", f"POST …/sobjects/{EVENT}/"),
            Arrow("bus", "publisher", "201 OPERATION_ENQUEUED"),
            Arrow("bus", "subscriber", f"/event/{EVENT}"),
        ),
        summary="The order system inserts an event as if it were a record: a POST of the "
        "event's own fields, which you type below.",
        why="The answer only says the bus queued the event, with its EventUuid. Delivery "
        "happens afterwards, to whoever subscribes: the publisher does not know who, or when.",
        build=build,
        read=_published,
        button="Publish",
        inputs=tuple(
            Input(
                name,
                f"{label} ({name})",
                "A number." if kind == "number" else "Text.",
                initial=_initial_event_value(name),
                clean=_number if kind == "number" else plain_text,
                required=False,
                max_length=255,
            )
            for name, label, kind in EVENT_FIELDS
        ),
        faults=(UNKNOWN_FIELD, EXPIRED_TOKEN),
    )


def _initial_event_value(name: str) -> Callable[[StepContext], str]:
    examples = {"Amount__c": "129.90", "Customer__c": "Ada's Bakery"}

    def initial(ctx: StepContext) -> str:
        if name == "Order_Number__c":
            return f"ORD-{secrets.randbelow(90000) + 10000}"
        return examples.get(name, "")

    return initial


def change_event_step() -> Step:
    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if problem := nothing_to_send(ctx, "access_token"):
            return problem
        body = {"Name": "Forged change"}
        return api_request(ctx, "POST", CHANGE_EVENT_PATH, body)

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        return refusal_expected(
            exchange, if_accepted="The org took a change event from outside. It must not."
        )

    return Step(
        slug="publish-change-event",
        title="Try to publish a change event yourself",
        kind="back-channel",
        spec="Change Data Capture Developer Guide: change event objects",
        arrows=(
            Arrow("publisher", "bus", "POST …/sobjects/AccountChangeEvent/"),
            Arrow("bus", "publisher", "404 NOT_FOUND"),
        ),
        summary="The publisher posts to AccountChangeEvent as it posted the platform event.",
        why="Only the org writes change events, from the changes it commits itself. A change "
        "event is not an object you can insert, so the org answers as for any unknown one.",
        build=build,
        read=read,
        button="Try it",
    )


def create_record_step() -> Step:
    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if problem := nothing_to_send(ctx, "access_token"):
            return problem
        body = {"Name": f"Event lab {secrets.token_hex(2)}", "Industry": "Retail"}
        return api_request(ctx, "POST", f"{RECORDS}/", body)

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        if not exchange.ok:
            return failed(exchange, doing="the new Account")
        record_id = str(exchange.json_body().get("id", ""))
        note = (Callout("info", ctx.data_space.describe()),) if ctx.data_space else ()
        return StepResult(
            "ok",
            f"{exchange.status}: Account {record_id} created. A CREATE change event follows.",
            (exchange,),
            note,
            remember=(("record_id", record_id),),
        )

    return Step(
        slug="create-record",
        title="Create an Account",
        kind="back-channel",
        spec="Salesforce REST API: sObject create",
        arrows=(
            Arrow("publisher", "bus", "POST …/sobjects/Account/"),
            Arrow("bus", "publisher", "201 id"),
            Arrow("bus", "subscriber", "/data/AccountChangeEvent CREATE"),
        ),
        summary="An ordinary REST insert of an Account in your practice space. Nobody "
        "publishes anything: watch the warehouse's subscriber.",
        why="The org emitted the change event on its own, as part of saving the record: that "
        "is the whole point of Change Data Capture. A CREATE carries every field set.",
        build=build,
        read=read,
        button="Create it",
    )


def _changes(ctx: StepContext) -> dict[str, str]:
    return {name: ctx.inputs[name] for name, _ in EDITABLE if ctx.inputs.get(name)}


def _at_least_one(cleaned: Mapping[str, str]) -> Mapping[str, str]:
    if any(cleaned.get(name) for name, _ in EDITABLE):
        return {}
    return {EDITABLE[0][0]: "Type a new value in at least one box."}


def edit_record_step() -> Step:
    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if problem := nothing_to_send(ctx, "access_token", "record_id"):
            return problem
        path = f"{RECORDS}/{ctx.values['record_id']}"
        return api_request(ctx, "PATCH", path, _changes(ctx))

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        if not exchange.ok:
            return failed(exchange, doing="the update")
        sent = ", ".join(_changes(ctx))
        return StepResult(
            "ok",
            f"{exchange.status}: saved. The UPDATE change event should list only {sent} "
            "(and LastModifiedDate).",
            (exchange,),
        )

    return Step(
        slug="edit-record",
        title="Change the Account, field by field",
        kind="back-channel",
        spec="Salesforce REST API: sObject update",
        arrows=(
            Arrow("publisher", "bus", "PATCH …/sobjects/Account/{id}"),
            Arrow("bus", "publisher", "204"),
            Arrow("bus", "subscriber", "/data/AccountChangeEvent UPDATE"),
        ),
        summary="Type new values in the boxes you want to change and leave the rest empty: "
        "only those fields are sent.",
        why="An UPDATE change event carries only what changed, listed in the header's "
        "changedFields: a subscriber that keeps a copy of the record applies just those.",
        build=build,
        read=read,
        button="Save changes",
        inputs=tuple(
            Input(name, label, "Leave empty to keep it.", initial=lambda ctx: "", required=False)
            for name, label in EDITABLE
        ),
        check_inputs=_at_least_one,
    )

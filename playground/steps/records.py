"""Steps at the REST API's records: create, read, update, query and delete one Account, as an
integration calling in to the org does, and the Break it faults each of those calls teaches."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from config.org_paths import API_VERSION
from playground.artefacts import Artefact, Callout, parameters
from playground.exchange import HttpExchange, OutgoingRequest
from playground.steps.answers import (
    TOKEN_SECRETS,
    failed,
    nothing_to_send,
    refusal_expected,
    shorten,
)
from playground.steps.faults import judge, request_fault
from playground.steps.resource import DATA_PATH
from playground.vocabulary import Arrow, Attempt, Fault, Lesson, Step, StepContext, StepResult

SOBJECT = "Account"
RECORDS = f"{DATA_PATH}/sobjects/{SOBJECT}"
NAME_PREFIX = "Call-in demo"
# The fields each step reads back: what the integration wrote, and what the org stamped.
READ_FIELDS = ("Id", "Name", "Industry", "Description", "CreatedDate", "LastModifiedDate")
OLDEST_VERSION_REFUSED = "20.0"
FIELD_MEANINGS = {
    "id": "The new record's id: keep it, every later call on the record names it.",
    "success": "true when the record was saved; false comes with the reasons in errors.",
    "errors": "Each refusal's statusCode, message and the fields it concerns.",
    "Id": "The record's 18-character id. Its first three characters (001) say it is an Account.",
    "CreatedDate": "Stamped by the org, in UTC; a client cannot set it.",
    "LastModifiedDate": "Moves on with every update: a sync job compares it to find changes.",
    "CreatedById": "The user the token acts as: for client credentials, the app's run-as user.",
    "totalSize": "How many records matched, before paging.",
    "done": "true when this answer holds the last of them; else nextRecordsUrl names the next.",
}


def _instance(ctx: StepContext) -> str:
    # The REST API lives at the instance_url of the token response (see api-instance-url).
    return ctx.values.get("instance_url") or ctx.base_url


def api_request(
    ctx: StepContext, method: str, path: str, body: Mapping[str, Any] | None = None
) -> OutgoingRequest:
    """A REST call with the run's access token; `path` is below the instance URL."""
    headers = [
        ("Accept", "application/json"),
        ("Authorization", f"Bearer {ctx.values['access_token']}"),
    ]
    data = b""
    if body is not None:
        headers.append(("Content-Type", "application/json"))
        data = json.dumps(body).encode()
    return OutgoingRequest(method, _instance(ctx) + path, tuple(headers), data)


def _record_path(ctx: StepContext) -> str:
    return f"{RECORDS}/{ctx.values['record_id']}"


def _fields_panel(title: str, body: Mapping[str, Any]) -> Artefact:
    values = {
        name: shorten(value if isinstance(value, str) else json.dumps(value))
        for name, value in body.items()
        if name != "attributes"
    }
    return parameters(title, values, meanings=FIELD_MEANINGS, secrets=TOKEN_SECRETS)


def _space_note(ctx: StepContext) -> tuple[Artefact, ...]:
    return (Callout("info", ctx.data_space.describe()),) if ctx.data_space else ()


def _record_step(
    *,
    slug: str,
    title: str,
    spec: str,
    arrow: str,
    answer: str,
    summary: str,
    why: str,
    build: Callable[[StepContext], OutgoingRequest | StepResult],
    read: Callable[[StepContext, HttpExchange], StepResult],
    faults: tuple[Fault, ...] = (),
    differences: tuple[str, ...] = (),
) -> Step:
    return Step(
        slug=slug,
        title=title,
        kind="back-channel",
        spec=spec,
        arrows=(Arrow("client", "resource", arrow), Arrow("resource", "client", answer)),
        summary=summary,
        why=why,
        build=build,
        read=read,
        differences=differences,
        faults=faults,
    )


# The steps -----------------------------------------------------------------------------------


def create_step(*, faults: tuple[Fault, ...] = ()) -> Step:
    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if problem := nothing_to_send(ctx, "access_token"):
            return problem
        values = {
            "Name": f"{NAME_PREFIX} {secrets.token_hex(3)}",
            "Industry": "Technology",
            "Description": "Made by the playground's remote call-in flow.",
        }
        return api_request(ctx, "POST", f"{RECORDS}/", values)

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        if not exchange.ok:
            return failed(exchange, doing="the create")
        body = exchange.json_body()
        record_id = str(body.get("id", ""))
        return StepResult(
            "ok",
            f"{exchange.status} Created: the new Account's id is {record_id}.",
            exchanges=(exchange,),
            artefacts=(*_space_note(ctx), _fields_panel("The save result", body)),
            remember=(("record_id", record_id),),
        )

    return _record_step(
        slug="create-record",
        title="Create an Account",
        spec="Salesforce REST API: sObject Basic Information (POST)",
        arrow=f"POST {RECORDS}/",
        answer="201 id",
        summary="The integration posts a JSON object of field values to the Account "
        "resource. The org checks each field against the object's schema and answers with "
        "the new record's id.",
        why="The answer carries only the id, success and errors: Salesforce does not echo the "
        "record. Keep the id; every later call names the record by it.",
        build=build,
        read=read,
        faults=faults,
        differences=("api-instance-url", "practice-data-spaces"),
    )


def read_step(
    *,
    slug: str = "read-record",
    title: str = "Read the Account back",
    expect_deleted: bool = False,
    summary: str = "The integration fetches the record by id, asking only for the fields it "
    "needs with ?fields=.",
    why: str,
    faults: tuple[Fault, ...] = (),
) -> Step:
    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if problem := nothing_to_send(ctx, "access_token", "record_id"):
            return problem
        return api_request(ctx, "GET", f"{_record_path(ctx)}?fields={','.join(READ_FIELDS)}")

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        if expect_deleted:
            return refusal_expected(
                exchange, if_accepted="The org still serves the deleted record."
            )
        if not exchange.ok:
            return failed(exchange, doing="the read")
        body = exchange.json_body()
        return StepResult(
            "ok",
            f"{exchange.status}: {body.get('Name', 'the record')}, as it was saved.",
            exchanges=(exchange,),
            artefacts=(_fields_panel("The record, field by field", body),),
        )

    return _record_step(
        slug=slug,
        title=title,
        spec="Salesforce REST API: sObject Rows (GET)",
        arrow=f"GET {RECORDS}/<id>",
        answer="404 ENTITY_IS_DELETED" if expect_deleted else "200 record",
        summary=summary,
        why=why,
        build=build,
        read=read,
        faults=faults,
    )


def update_step(*, faults: tuple[Fault, ...] = ()) -> Step:
    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if problem := nothing_to_send(ctx, "access_token", "record_id"):
            return problem
        changes = {"Industry": "Energy", "Description": "Changed by a PATCH: only these fields."}
        return api_request(ctx, "PATCH", _record_path(ctx), changes)

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        if not exchange.ok:
            return failed(exchange, doing="the update")
        return StepResult(
            "ok",
            f"{exchange.status} No Content: the update is saved, and nothing comes back.",
            exchanges=(exchange,),
        )

    return _record_step(
        slug="update-record",
        title="Update two of its fields",
        spec="Salesforce REST API: sObject Rows (PATCH)",
        arrow=f"PATCH {RECORDS}/<id>",
        answer="204",
        summary="The integration sends only the fields that change, with PATCH. Fields it "
        "leaves out keep their values.",
        why="A 204 has no body: to see the result, read or query the record again. Sending "
        "only what changed keeps two integrations from overwriting each other's fields.",
        build=build,
        read=read,
        faults=faults,
    )


def query_soql() -> str:
    return (
        f"SELECT Id, Name, Industry, LastModifiedDate FROM {SOBJECT} "
        f"WHERE Name LIKE '{NAME_PREFIX}%' AND CreatedDate = TODAY "
        "ORDER BY LastModifiedDate DESC LIMIT 5"
    )


def query_step(*, faults: tuple[Fault, ...] = ()) -> Step:
    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if problem := nothing_to_send(ctx, "access_token", "record_id"):
            return problem
        return api_request(ctx, "GET", f"{DATA_PATH}/query?q={quote(query_soql())}")

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        if not exchange.ok:
            return failed(exchange, doing="the query")
        body = exchange.json_body()
        records = body.get("records")
        rows = records if isinstance(records, list) else []
        mine = next(
            (r for r in rows if isinstance(r, dict) and r.get("Id") == ctx.values["record_id"]),
            None,
        )
        summary = {"totalSize": body.get("totalSize"), "done": body.get("done")}
        artefacts: list[Artefact] = [_fields_panel("The answer", summary)]
        if mine is None:
            return StepResult(
                "error",
                "The query did not find the record this run created.",
                exchanges=(exchange,),
                artefacts=tuple(artefacts),
            )
        artefacts.append(_fields_panel("This run's record in the answer", mine))
        return StepResult(
            "ok",
            f"{len(rows)} of today's call-in demo Accounts, newest change first; this run's "
            f"record says Industry = {mine.get('Industry')}.",
            exchanges=(exchange,),
            artefacts=tuple(artefacts),
        )

    return _record_step(
        slug="query-records",
        title="Query with SOQL",
        spec="Salesforce REST API: Query; SOQL",
        arrow=f"GET {DATA_PATH}/query?q=SELECT …",
        answer="200 records",
        summary=f"The integration asks for records by their values, not their ids: {query_soql()}",
        why="LIKE, a relative date (TODAY), ORDER BY and LIMIT are done by the org, so only "
        "the rows needed come back. Past 2,000 records the answer pages: follow "
        "nextRecordsUrl until done is true.",
        build=build,
        read=read,
        faults=faults,
    )


def delete_step(*, faults: tuple[Fault, ...] = ()) -> Step:
    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if problem := nothing_to_send(ctx, "access_token", "record_id"):
            return problem
        return api_request(ctx, "DELETE", _record_path(ctx))

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        if not exchange.ok:
            return failed(exchange, doing="the delete")
        return StepResult(
            "ok",
            f"{exchange.status} No Content: the record is in the Recycle Bin.",
            exchanges=(exchange,),
            artefacts=_space_note(ctx),
        )

    return _record_step(
        slug="delete-record",
        title="Delete the Account",
        spec="Salesforce REST API: sObject Rows (DELETE)",
        arrow=f"DELETE {RECORDS}/<id>",
        answer="204",
        summary="The integration deletes the record by id.",
        why="A deleted record goes to the Recycle Bin: query leaves it out, queryAll still "
        "finds it, and undelete can bring it back for a while.",
        build=build,
        read=read,
        faults=faults,
        differences=("practice-data-spaces",),
    )


# Break it ------------------------------------------------------------------------------------


def _without_name(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    values = json.loads(request.body)
    values.pop("Name", None)
    return OutgoingRequest(
        request.method, request.url, request.headers, json.dumps(values).encode()
    )


def _id_of_another_object(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    record_id = ctx.values["record_id"]
    # The same 15 characters under Contact's key prefix: an id, but not an Account's.
    other = "003" + record_id[3:15]
    return OutgoingRequest(
        request.method, request.url.replace(record_id, other), request.headers, request.body
    )


def _retired_version(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    url = request.url.replace(f"/v{API_VERSION}/", f"/v{OLDEST_VERSION_REFUSED}/")
    return OutgoingRequest(request.method, url, request.headers, request.body)


MISSING_REQUIRED_FIELD = request_fault(
    slug="missing-required-field",
    label="Leave out a required field",
    does="Creates the Account without its Name, which the object requires.",
    lesson=Lesson(
        why="The org checks the values against the object's schema before it saves anything: "
        "Name may not be empty on an Account, so the answer is 400 REQUIRED_FIELD_MISSING, "
        "naming the field.",
        gain="Records without the fields everyone relies on: reports, duplicate rules and "
        "other integrations would trip over them later.",
        fix="Read the object's describe (each field's nillable and createable) when you build "
        "the mapping, and send every required field; log the errors array, it names the field.",
    ),
    tamper=_without_name,
)

MALFORMED_ID = request_fault(
    slug="malformed-id",
    label="An id of another object",
    does="Reads the record with a Contact id (key prefix 003) in the Account URL.",
    lesson=Lesson(
        why="An id's first three characters name its object. A Contact id in an Account URL "
        "cannot name an Account, so the org answers 400 MALFORMED_ID before looking anything up.",
        gain="An integration that mixes up ids would read or change the wrong records, or "
        "none, without noticing.",
        fix="Keep each id with its object type, and check the key prefix when ids come from "
        "another system or a spreadsheet.",
    ),
    tamper=_id_of_another_object,
)

WRONG_API_VERSION = request_fault(
    slug="wrong-api-version",
    label="A version the org does not serve",
    does=f"Sends the update to /services/data/v{OLDEST_VERSION_REFUSED}/ instead of "
    f"v{API_VERSION}.",
    lesson=Lesson(
        why="Every REST path starts with an API version, and the org lists the ones it serves "
        "at /services/data/. Salesforce retires old versions; a call to one it no longer "
        "serves finds no resource: 404 NOT_FOUND.",
        gain="Nothing for an attacker; for you, an integration that stops working the day its "
        "pinned version is retired.",
        fix="Pin a version on purpose, read /services/data/ to see what the org offers, and "
        "move to a newer one before Salesforce retires yours.",
    ),
    tamper=_retired_version,
)


def _fresh_token(ctx: StepContext) -> tuple[HttpExchange, str]:
    """A second token for the same app, so a lesson can spoil it without touching the run's."""
    exchange = ctx.transport.send(
        ctx.client_form(ctx.urls.token, {"grant_type": "client_credentials"}, basic=True)
    )
    token = exchange.json_body().get("access_token")
    return exchange, token if isinstance(token, str) else ""


def _expired_token(attempt: Attempt) -> StepResult:
    ctx, request = attempt.ctx, attempt.request
    if request is None or ctx.data_space is None:
        return StepResult("error", "Nothing to break: the step has nothing to send yet.")
    minted, token = _fresh_token(ctx)
    if not token:
        return StepResult("error", f"No token to spoil: {minted.problem}", (minted,))
    ctx.data_space.expire_access_token(token)
    result = judge(ctx.transport.send(request.with_header("Authorization", f"Bearer {token}")))
    return StepResult(result.outcome, result.headline, (minted, *result.exchanges))


EXPIRED_TOKEN = Fault(
    slug="expired-token",
    label="An expired access token",
    does="Gets a second token for this app, lets the playground move it past its lifetime "
    "(as waiting out the session timeout would), and sends the query with it.",
    lesson=Lesson(
        why="An access token lives as long as the app's session timeout. Once that has "
        "passed, the org treats it like any unknown token: 401 INVALID_SESSION_ID, "
        "\u201cSession expired or invalid\u201d.",
        gain="A token that never expired would let whoever copied it from a log keep calling "
        "the API for good.",
        fix="On 401 INVALID_SESSION_ID get a new token (client credentials again, or a "
        "refresh) and retry the call once; do not retry with the same token.",
    ),
    run=_expired_token,
)


def _over_the_limit(attempt: Attempt) -> StepResult:
    ctx, request = attempt.ctx, attempt.request
    if request is None or ctx.data_space is None:
        return StepResult("error", "Nothing to break: the step has nothing to send yet.")
    exchange = ctx.data_space.while_limit_spent(lambda: ctx.transport.send(request))
    result = judge(exchange)
    note = Callout(
        "info",
        "Your practice space's requests for today were given back after this call, so the "
        "rest of the run works.",
    )
    return StepResult(result.outcome, result.headline, result.exchanges, (note,))


OVER_THE_API_LIMIT = Fault(
    slug="over-the-api-limit",
    label="Over the daily API limit",
    does="Spends the rest of today's API requests of your practice space (without sending "
    "them one by one), then sends the delete.",
    lesson=Lesson(
        why="The org counts every REST call against DailyApiRequests and reports the count "
        "in each answer's Sforce-Limit-Info header. Once the day's requests are spent it "
        "refuses every call with 403 REQUEST_LIMIT_EXCEEDED until the count falls again.",
        gain="One runaway job could starve every other integration sharing the org's "
        "allowance; the limit is what stops it.",
        fix="Read Sforce-Limit-Info (or /limits) and slow down well before the limit; batch "
        "records with sObject Collections or Bulk API instead of one call per record.",
    ),
    run=_over_the_limit,
)

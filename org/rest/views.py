"""The REST API's views: each names its methods' handlers and lets calls.call do the rest
(token, version, request count, errors)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from org.events import publishing
from org.rest import collections, describe, limits, query, replication, store
from org.rest.bodies import json_object, read_json
from org.rest.calls import NO_CONTENT, Answer, ApiRequest, Handler, call, error_response
from org.rest.errors import ApiError, not_found
from org.rest.schema import SObject, sobject_named
from org.rest.writes import (
    Change,
    NewRecord,
    SaveResult,
    create_records,
    delete_records,
    update_records,
)


def _sobject(name: str) -> SObject:
    sobject = sobject_named(name)
    if sobject is None:
        raise not_found()
    return sobject


def _single(results: list[SaveResult]) -> None:
    """Raises the errors of a one-record write as the REST API answers them."""
    (result,) = results
    errors = result.errors
    if errors:
        missing = errors[0].status_code in {"INVALID_CROSS_REFERENCE_KEY", "ENTITY_IS_DELETED"}
        raise ApiError.from_record_errors(404 if missing else 400, tuple(errors))


@require_GET
def api_versions(request: HttpRequest) -> HttpResponse:
    # Like Salesforce, the list of versions needs no token.
    return JsonResponse(describe.versions(), safe=False)


@csrf_exempt
def api_resources(request: HttpRequest, version: str) -> HttpResponse:
    return call(request, version, {"GET": lambda r: Answer(describe.resources(r.version))})


@csrf_exempt
def describe_global(request: HttpRequest, version: str) -> HttpResponse:
    return call(
        request, version, {"GET": lambda r: Answer(describe.describe_global(r.version, r.caller))}
    )


def _create(r: ApiRequest, name: str) -> Answer:
    event = publishing.event_type(r.caller, name)
    if event is not None:
        values = json_object(read_json(r.http), of=event.api_name)
        return Answer(publishing.publish(r.caller, event, values), 201)
    sobject = _sobject(name)
    values = json_object(read_json(r.http), of=sobject.name)
    results = create_records(r.caller, [NewRecord(sobject.name, values)])
    _single(results)
    return Answer(results[0].as_json(), 201)


def _basic_info(r: ApiRequest, name: str) -> Answer:
    sobject = _sobject(name)
    recent = store.recent_items(r.caller, sobject, r.version)
    return Answer(describe.basic_info(r.version, sobject, recent))


@csrf_exempt
def sobject(request: HttpRequest, version: str, name: str) -> HttpResponse:
    return call(
        request,
        version,
        {"GET": lambda r: _basic_info(r, name), "POST": lambda r: _create(r, name)},
    )


@csrf_exempt
def sobject_describe(request: HttpRequest, version: str, name: str) -> HttpResponse:
    return call(
        request,
        version,
        {"GET": lambda r: Answer(describe.describe_named(r.caller, r.version, name))},
    )


def _replicated(r: ApiRequest, name: str, kind: str) -> Answer:
    report = replication.updated if kind == "updated" else replication.deleted
    start, end = r.http.GET.get("start", ""), r.http.GET.get("end", "")
    return Answer(report(r.caller, _sobject(name), start, end))


@csrf_exempt
def sobject_changes(request: HttpRequest, version: str, name: str, kind: str) -> HttpResponse:
    return call(request, version, {"GET": lambda r: _replicated(r, name, kind)})


def _read(r: ApiRequest, name: str, record_id: str) -> Answer:
    sobject = _sobject(name)
    record = store.find(r.caller, sobject, record_id)
    wanted = r.http.GET.get("fields")
    fields = None if wanted is None else store.fields_named(sobject, wanted)
    return Answer(store.serialize(record, sobject, r.version, fields))


def _update(r: ApiRequest, name: str, record_id: str) -> Answer:
    sobject = _sobject(name)
    record = store.find(r.caller, sobject, record_id)
    values = json_object(read_json(r.http), of=sobject.name)
    _single(update_records(r.caller, [Change(record.record_id, values, sobject.name)]))
    return NO_CONTENT


def _delete(r: ApiRequest, name: str, record_id: str) -> Answer:
    record = store.find(r.caller, _sobject(name), record_id)
    _single(delete_records(r.caller, [record.record_id]))
    return NO_CONTENT


@csrf_exempt
def sobject_record(request: HttpRequest, version: str, name: str, record_id: str) -> HttpResponse:
    return call(
        request,
        version,
        {
            "GET": lambda r: _read(r, name, record_id),
            "PATCH": lambda r: _update(r, name, record_id),
            "DELETE": lambda r: _delete(r, name, record_id),
        },
    )


def _query(r: ApiRequest, *, include_deleted: bool) -> Answer:
    size = query.batch_size(r.http.headers.get("Sforce-Query-Options", ""))
    body = query.run_query(
        r.caller,
        r.http.GET.get("q", ""),
        version=r.version,
        include_deleted=include_deleted,
        size=size,
    )
    return Answer(body)


@csrf_exempt
def run_query(request: HttpRequest, version: str) -> HttpResponse:
    return call(request, version, {"GET": lambda r: _query(r, include_deleted=False)})


@csrf_exempt
def run_query_all(request: HttpRequest, version: str) -> HttpResponse:
    return call(request, version, {"GET": lambda r: _query(r, include_deleted=True)})


@csrf_exempt
def query_more(request: HttpRequest, version: str, locator: str) -> HttpResponse:
    return call(
        request,
        version,
        {"GET": lambda r: Answer(query.next_batch(r.caller, locator, version=r.version))},
    )


@csrf_exempt
def sobject_collections(request: HttpRequest, version: str) -> HttpResponse:
    return call(
        request,
        version,
        {
            "POST": lambda r: Answer(collections.create(r.caller, read_json(r.http))),
            "PATCH": lambda r: Answer(collections.update(r.caller, read_json(r.http))),
            "DELETE": lambda r: Answer(
                collections.delete(
                    r.caller, r.http.GET.get("ids", ""), r.http.GET.get("allOrNone", "")
                )
            ),
        },
    )


def _retrieve(r: ApiRequest, name: str) -> Answer:
    sobject = _sobject(name)
    body = json_object(read_json(r.http), of="ids") if r.method == "POST" else r.http.GET
    records = collections.retrieve(
        r.caller, sobject, body.get("ids", ""), body.get("fields", ""), version=r.version
    )
    return Answer(records)


@csrf_exempt
def sobject_collection_records(request: HttpRequest, version: str, name: str) -> HttpResponse:
    handlers: dict[str, Handler] = {"GET": lambda r: _retrieve(r, name)}
    handlers["POST"] = handlers["GET"]  # POST carries ids and fields in its body
    return call(request, version, handlers)


@csrf_exempt
def api_limits(request: HttpRequest, version: str) -> HttpResponse:
    return call(request, version, {"GET": lambda r: Answer(limits.limits(r.caller, r.usage))})


@csrf_exempt
def unknown_resource(request: HttpRequest, rest: str) -> HttpResponse:
    # Every path under /services/data/ answers in JSON, never with an HTML page.
    return error_response(not_found())

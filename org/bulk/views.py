"""Bulk API 2.0's views: each names its methods' handlers and lets the REST API's one way
through (org.rest.calls: token, version, request count, errors) do the rest."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from org.bulk import jobs, worker
from org.bulk.jobs import INGEST, QUERY
from org.bulk.models import BulkJob
from org.rest.bodies import json_object, read_capped, read_json
from org.rest.calls import NO_CONTENT, Answer, ApiRequest, Handler, call
from org.rest.errors import ApiError

CSV = "text/csv; charset=UTF-8"


def _body(r: ApiRequest, kind: str) -> dict[str, object]:
    jobs.check_version(kind, r.version)
    return json_object(read_json(r.http), of="JobInfo")


def _create(r: ApiRequest, kind: str) -> Answer:
    body = _body(r, kind)
    if kind == INGEST:
        job = jobs.create_ingest_job(r.caller, body, version=r.version)
    else:
        job = jobs.create_query_job(r.caller, body, version=r.version)
        worker.wake()
    return Answer(jobs.job_info(job, full=False))


def _list(r: ApiRequest, kind: str) -> Answer:
    jobs.check_version(kind, r.version)
    found = jobs.jobs_of(r.caller, kind).select_related("created_by")[:1000]
    records = [jobs.job_info(job, full=False) for job in found]
    return Answer({"done": True, "records": records, "nextRecordsUrl": None})


@csrf_exempt
def ingest_jobs(request: HttpRequest, version: str) -> HttpResponse:
    return call(
        request, version, {"POST": lambda r: _create(r, INGEST), "GET": lambda r: _list(r, INGEST)}
    )


@csrf_exempt
def query_jobs(request: HttpRequest, version: str) -> HttpResponse:
    return call(
        request, version, {"POST": lambda r: _create(r, QUERY), "GET": lambda r: _list(r, QUERY)}
    )


def _job(r: ApiRequest, kind: str, job_id: str) -> BulkJob:
    jobs.check_version(kind, r.version)
    return jobs.find_job(r.caller, kind, job_id)


def _info(r: ApiRequest, kind: str, job_id: str) -> Answer:
    job = _job(r, kind, job_id)
    if job.state not in jobs.FINAL:
        worker.wake()  # a poll keeps the work going, whichever process began it
    return Answer(jobs.job_info(job))


def _patch(r: ApiRequest, kind: str, job_id: str) -> Answer:
    job = _job(r, kind, job_id)
    state = json_object(read_json(r.http), of="JobInfo").get("state")
    job = jobs.change_state(job, state)
    if job.state == jobs.UPLOAD_COMPLETE:
        worker.wake()
    return Answer(jobs.job_info(job, full=False))


def _delete(r: ApiRequest, kind: str, job_id: str) -> Answer:
    jobs.delete(_job(r, kind, job_id))
    return NO_CONTENT


def _job_handlers(kind: str, job_id: str) -> dict[str, Handler]:
    return {
        "GET": lambda r: _info(r, kind, job_id),
        "PATCH": lambda r: _patch(r, kind, job_id),
        "DELETE": lambda r: _delete(r, kind, job_id),
    }


@csrf_exempt
def ingest_job(request: HttpRequest, version: str, job_id: str) -> HttpResponse:
    return call(request, version, _job_handlers(INGEST, job_id))


@csrf_exempt
def query_job(request: HttpRequest, version: str, job_id: str) -> HttpResponse:
    return call(request, version, _job_handlers(QUERY, job_id))


def _upload(r: ApiRequest, job_id: str) -> Answer:
    job = _job(r, INGEST, job_id)
    content_type = (r.http.content_type or "").lower()
    if content_type != "text/csv":
        raise ApiError(
            415, "UNSUPPORTED_MEDIA_TYPE", f"Content type '{content_type[:60]}': send text/csv."
        )
    jobs.upload(job, read_capped(r.http, jobs.MAX_UPLOAD_BYTES, _too_large()))
    return Answer(HttpResponse(status=201))


def _too_large() -> ApiError:
    # Catalogue J3: an upload over the cap is refused before it is stored.
    return ApiError(
        413,
        "REQUEST_ENTITY_TOO_LARGE",
        f"An upload may hold at most {jobs.MAX_UPLOAD_BYTES // (1024 * 1024)} MB of CSV here.",
    )


@csrf_exempt
def ingest_batches(request: HttpRequest, version: str, job_id: str) -> HttpResponse:
    return call(request, version, {"PUT": lambda r: _upload(r, job_id)})


def _ingest_results(r: ApiRequest, job_id: str, which: str) -> Answer:
    job = _job(r, INGEST, job_id)
    return Answer(HttpResponse(jobs.ingest_results(job, which), content_type=CSV))


@csrf_exempt
def ingest_results(request: HttpRequest, version: str, job_id: str, which: str) -> HttpResponse:
    return call(request, version, {"GET": lambda r: _ingest_results(r, job_id, which)})


def _query_results(r: ApiRequest, job_id: str) -> Answer:
    job = _job(r, QUERY, job_id)
    page = jobs.query_results(
        job, locator=r.http.GET.get("locator"), max_records=r.http.GET.get("maxRecords")
    )
    response = HttpResponse(page.csv, content_type=CSV)
    response["Sforce-Locator"] = page.locator
    response["Sforce-NumberOfRecords"] = str(page.records)
    return Answer(response)


@csrf_exempt
def query_results(request: HttpRequest, version: str, job_id: str) -> HttpResponse:
    return call(request, version, {"GET": lambda r: _query_results(r, job_id)})

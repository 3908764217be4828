"""Bulk API 2.0 jobs as a client sees them: create, upload, close or abort, read the job's
information and its result files. Processing happens elsewhere (org.bulk.processing), in the
background; everything here answers at once."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone

from org import ids
from org.bulk import csv_text
from org.bulk.models import BulkChunk, BulkJob
from org.rest import query
from org.rest.errors import ApiError, not_found
from org.rest.schema import sobject_named
from org.rest.spaces import Caller
from org.rest.store import timestamp

JOB_PREFIX = "750"
INGEST, QUERY = "ingest", "query"
OPEN, UPLOAD_COMPLETE, IN_PROGRESS = "Open", "UploadComplete", "InProgress"
JOB_COMPLETE, FAILED, ABORTED = "JobComplete", "Failed", "Aborted"
FINAL = frozenset({JOB_COMPLETE, FAILED, ABORTED})
INGEST_OPERATIONS = frozenset({"insert", "update", "upsert", "delete"})
QUERY_OPERATIONS = frozenset({"query", "queryAll"})
# Bulk API 2.0 ingest came with API 41.0, query with 47.0.
FIRST_VERSION = {INGEST: 41.0, QUERY: 47.0}
# The org's page of query results when the client names no maxRecords.
DEFAULT_MAX_RECORDS = 2000
MAX_UPLOAD_BYTES: int = settings.MAX_REQUEST_BODY_BYTES


def job_error(message: str) -> ApiError:
    return ApiError(400, "INVALIDJOB", f"InvalidJob : {message}")


def state_error(job: BulkJob, wanted: str) -> ApiError:
    return ApiError(
        400, "INVALIDJOBSTATE", f"Job {job.job_id} is {job.state}: it must be {wanted} for this."
    )


def check_version(kind: str, version: str) -> None:
    if float(version) < FIRST_VERSION[kind]:
        raise not_found()


def _text(body: dict[str, Any], name: str, *, default: str = "") -> str:
    value = body.get(name, default)
    if not isinstance(value, str) or len(value) > 100_000:
        raise job_error(f"{name} must be a string")
    return value


def _format(body: dict[str, Any]) -> tuple[str, str]:
    line_ending = _text(body, "lineEnding", default="LF")
    delimiter = _text(body, "columnDelimiter", default="COMMA")
    if line_ending not in csv_text.LINE_ENDINGS:
        raise job_error(f"lineEnding must be LF or CRLF, not {line_ending[:20]}")
    if delimiter not in csv_text.DELIMITERS:
        raise job_error(f"columnDelimiter {delimiter[:20]} is not supported")
    if _text(body, "contentType", default="CSV") != "CSV":
        raise job_error("contentType must be CSV")
    return line_ending, delimiter


def _new_job(caller: Caller, version: str, **fields: Any) -> BulkJob:
    now = timezone.now()
    return BulkJob.objects.create(
        job_id=ids.new_record_id(JOB_PREFIX),
        org=caller.org,
        space=caller.space,
        created_by=caller.user,
        api_version=version,
        created_at=now,
        modified_at=now,
        **fields,
    )


def create_ingest_job(caller: Caller, body: dict[str, Any], *, version: str) -> BulkJob:
    operation = _text(body, "operation")
    if operation not in INGEST_OPERATIONS:
        raise job_error(f"operation must be one of {', '.join(sorted(INGEST_OPERATIONS))}")
    sobject = sobject_named(_text(body, "object"))
    if sobject is None:
        raise job_error(f"Invalid object: {_text(body, 'object')[:40]}")
    external_id = _text(body, "externalIdFieldName")
    if operation == "upsert" and external_id.lower() != "id":
        # Upsert by Id only: the record store has no external id fields.
        raise job_error("externalIdFieldName must be Id for an upsert in this org")
    line_ending, delimiter = _format(body)
    return _new_job(
        caller,
        version,
        kind=INGEST,
        operation=operation,
        sobject=sobject.name,
        external_id_field="Id" if operation == "upsert" else "",
        line_ending=line_ending,
        column_delimiter=delimiter,
        state=OPEN,
    )


def create_query_job(caller: Caller, body: dict[str, Any], *, version: str) -> BulkJob:
    operation = _text(body, "operation", default="query")
    if operation not in QUERY_OPERATIONS:
        raise job_error("operation must be query or queryAll")
    soql = _text(body, "query")
    selection = query.select(soql)  # MALFORMED_QUERY, INVALID_TYPE, INVALID_FIELD at once
    line_ending, delimiter = _format(body)
    return _new_job(
        caller,
        version,
        kind=QUERY,
        operation=operation,
        sobject=selection.sobject.name,
        line_ending=line_ending,
        column_delimiter=delimiter,
        content=soql,
        state=UPLOAD_COMPLETE,
    )


def jobs_of(caller: Caller, kind: str) -> QuerySet[BulkJob]:
    # Catalogue J1: a job is found only in the data space that made it.
    return BulkJob.objects.filter(org=caller.org, space=caller.space, kind=kind)


def find_job(caller: Caller, kind: str, job_id: str) -> BulkJob:
    canonical = ids.canonical_id(job_id)
    job = jobs_of(caller, kind).filter(job_id=canonical).first() if canonical else None
    if job is None:
        raise not_found()
    return job


def upload(job: BulkJob, raw: bytes) -> None:
    """Store a job's CSV (once, while it is Open)."""
    if job.state != OPEN or job.content:
        raise state_error(job, "Open, with no data uploaded yet")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ApiError(
            400, "INVALIDBATCH", f"InvalidBatch : the CSV is not UTF-8 (byte {error.start})"
        ) from None
    if not text.strip():
        raise ApiError(400, "INVALIDBATCH", "InvalidBatch : the CSV is empty")
    updated = BulkJob.objects.filter(pk=job.pk, state=OPEN, content="").update(
        content=text, modified_at=timezone.now()
    )
    if not updated:
        raise state_error(job, "Open, with no data uploaded yet")


def change_state(job: BulkJob, wanted: object) -> BulkJob:
    """Close (UploadComplete) or abort a job, as PATCH with {"state": …} does."""
    allowed = {UPLOAD_COMPLETE: {OPEN}, ABORTED: {OPEN, UPLOAD_COMPLETE, IN_PROGRESS}}
    if wanted not in allowed or job.kind == QUERY and wanted != ABORTED:
        raise ApiError(
            400, "INVALIDJOBSTATE", f"state must be {' or '.join(allowed)} for an {job.kind} job"
        )
    state = str(wanted)
    if state == UPLOAD_COMPLETE and not job.content:
        raise state_error(job, "given its data first")
    changed = BulkJob.objects.filter(pk=job.pk, state__in=allowed[state]).update(
        state=state, modified_at=timezone.now()
    )
    if not changed:
        raise state_error(job, " or ".join(sorted(allowed[state])))
    job.refresh_from_db()
    return job


def delete(job: BulkJob) -> None:
    if job.state in {OPEN, IN_PROGRESS}:
        raise state_error(job, "closed, aborted or finished")
    job.delete()


def job_info(job: BulkJob, *, full: bool = True) -> dict[str, Any]:
    """The job as Salesforce describes it; `full` adds the counters a GET shows."""
    info: dict[str, Any] = {
        "id": job.job_id,
        "operation": job.operation,
        "object": job.sobject,
        "createdById": job.created_by.record_id,
        "createdDate": timestamp(job.created_at),
        "systemModstamp": timestamp(job.modified_at),
        "state": job.state,
        **({"externalIdFieldName": job.external_id_field} if job.external_id_field else {}),
        "concurrencyMode": "Parallel",
        "contentType": "CSV",
        "apiVersion": float(job.api_version),
    }
    if job.kind == INGEST:
        info["contentUrl"] = f"services/data/v{job.api_version}/jobs/ingest/{job.job_id}/batches"
    info |= {"lineEnding": job.line_ending, "columnDelimiter": job.column_delimiter}
    if full:
        info |= {
            "jobType": "V2Ingest" if job.kind == INGEST else "V2Query",
            "numberRecordsProcessed": job.records_processed,
            "retries": 0,
            "totalProcessingTime": job.processing_ms,
        }
        if job.kind == INGEST:
            info |= {
                "numberRecordsFailed": job.records_failed,
                "apiActiveProcessingTime": job.processing_ms,
                "apexProcessingTime": 0,
            }
        if job.error_message:
            info["errorMessage"] = job.error_message
    return info


def _header_line(job: BulkJob, names: list[str]) -> str:
    return csv_text.write_rows([names], delimiter=job.column_delimiter, line_ending=job.line_ending)


def upload_header(job: BulkJob) -> list[str]:
    rows = csv_text.read_rows(job.content, delimiter=job.column_delimiter)
    try:
        return next(rows, [])
    except csv.Error:
        return []


def ingest_results(job: BulkJob, which: str) -> str:
    """successfulResults, failedResults or unprocessedrecords, as CSV."""
    if job.state not in FINAL:
        raise state_error(job, "finished")
    header = upload_header(job)
    if which == "unprocessedrecords":
        return _unprocessed(job, header)
    prefix = ["sf__Id", "sf__Created"] if which == "successfulResults" else ["sf__Id", "sf__Error"]
    column = "successful" if which == "successfulResults" else "failed"
    lines = BulkChunk.objects.filter(job=job).values_list(column, flat=True)
    return _header_line(job, prefix + header) + "".join(lines)


def _unprocessed(job: BulkJob, header: list[str]) -> str:
    text = _header_line(job, header)
    if job.state == JOB_COMPLETE or not job.content:
        return text
    try:
        rows = csv_text.read_rows(job.content, delimiter=job.column_delimiter)
        remaining = list(rows)[1 + job.rows_done :]
    except csv.Error:
        return text
    return text + csv_text.write_rows(
        remaining, delimiter=job.column_delimiter, line_ending=job.line_ending
    )


@dataclass(frozen=True)
class ResultPage:
    csv: str
    records: int
    locator: str  # "null" when there is no further page, as Salesforce sends it


def _count(raw: str | None, *, default: int, name: str) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise ApiError(400, "INVALIDLOCATOR", f"{name} must be a whole number")
    return int(raw)


def query_results(job: BulkJob, *, locator: str | None, max_records: str | None) -> ResultPage:
    """One page of a finished query job's records, from `locator` on."""
    if job.state != JOB_COMPLETE:
        raise state_error(job, JOB_COMPLETE)
    start = _count(locator, default=0, name="locator")
    size = _count(max_records, default=DEFAULT_MAX_RECORDS, name="maxRecords")
    if start > job.records_processed or size < 1:
        raise ApiError(400, "INVALIDLOCATOR", "The locator or maxRecords is out of range.")
    end = min(start + size, job.records_processed)
    chunks = (
        BulkChunk.objects.filter(job=job, first_row__lt=end)
        .annotate(after=F("first_row") + F("rows"))
        .filter(after__gt=start)
    )
    lines = [
        line
        for chunk in chunks
        for offset, line in enumerate(chunk.lines)
        if start <= chunk.first_row + offset < end
    ]
    next_locator = str(end) if end < job.records_processed else "null"
    return ResultPage(job.result_header + "".join(lines), end - start, next_locator)

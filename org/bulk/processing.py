"""Processing Bulk API 2.0 jobs in bounded slices, with every step in the database.

A process claims a job with a conditional UPDATE (a lease: only one process at a time holds
it, and an expired lease lets another take over), then writes the next chunks of 200 rows
through the REST API's write functions, so a bulk row gets the same checks, errors and
hooks as a single write. Each chunk commits with its results and the job's new position, so
a crash loses nothing and repeats nothing; an abort stops the job before its next chunk.
"""

from __future__ import annotations

import csv
import secrets
import time
from collections.abc import Iterator
from datetime import timedelta
from itertools import islice
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from org.bulk import csv_text
from org.bulk.jobs import FAILED, IN_PROGRESS, INGEST, JOB_COMPLETE, UPLOAD_COMPLETE
from org.bulk.models import BulkChunk, BulkJob
from org.events import changes
from org.rest import query
from org.rest.errors import ApiError, RecordError
from org.rest.schema import SObject, sobject_named
from org.rest.spaces import Caller
from org.rest.writes import (
    Change,
    NewRecord,
    SaveResult,
    create_records,
    delete_records,
    update_records,
)

# Salesforce processes bulk data in chunks of 200 records; a claim takes ten of them.
CHUNK_ROWS = 200
CHUNKS_PER_SLICE = 10
LEASE = timedelta(seconds=60)
QUERY_CHUNK_RECORDS = 2000


class LeaseLost(Exception):
    """The job was aborted, or another process took it over: roll the chunk back."""


def process_next() -> bool:
    """Process one slice of the oldest job waiting; False when there was none."""
    claimed = _claim()
    if claimed is None:
        return False
    job, holder = claimed
    started = time.monotonic()
    try:
        if job.kind == INGEST:
            _ingest_slice(job, holder)
        else:
            _run_query(job, holder)
    except LeaseLost:
        pass
    except Exception:
        # A bug: fail the job rather than retry it for ever; the worker logs the error.
        _fail(job, holder, "InternalServerError : the org could not process this job")
        raise
    finally:
        elapsed = int((time.monotonic() - started) * 1000)
        BulkJob.objects.filter(pk=job.pk, lease_holder=holder).update(
            lease_until=None, lease_holder="", processing_ms=F("processing_ms") + elapsed
        )
    return True


def process_all() -> None:
    """Process every waiting job to its end (management commands and tests)."""
    while process_next():
        pass


def _claim() -> tuple[BulkJob, str] | None:
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    waiting = BulkJob.objects.filter(free, state__in=(UPLOAD_COMPLETE, IN_PROGRESS))
    # The job that moved least recently goes first: a big job takes turns with the others.
    for pk in waiting.order_by("modified_at", "pk").values_list("pk", flat=True)[:10]:
        holder = secrets.token_hex(8)
        # The UPDATE repeats the conditions: of two processes, one wins the row.
        taken = waiting.filter(pk=pk).update(
            state=IN_PROGRESS, lease_until=now + LEASE, lease_holder=holder
        )
        if taken:
            return BulkJob.objects.select_related("org", "created_by").get(pk=pk), holder
    return None


def _caller(job: BulkJob) -> Caller:
    origin = changes.origin("bulkapi", job.api_version, "")
    return Caller(org=job.org, space=job.space, user=job.created_by, change_origin=origin)


def _fail(job: BulkJob, holder: str, message: str) -> None:
    BulkJob.objects.filter(pk=job.pk, lease_holder=holder, state=IN_PROGRESS).update(
        state=FAILED, error_message=message, modified_at=timezone.now()
    )


def _ingest_slice(job: BulkJob, holder: str) -> None:
    if not csv_text.line_ending_matches(job.content, job.line_ending):
        _fail(
            job,
            holder,
            "ClientInputError : LineEnding is invalid on user data. Current LineEnding "
            f"setting is {job.line_ending}",
        )
        return
    sobject = sobject_named(job.sobject)
    assert sobject is not None  # checked when the job was made
    try:
        rows = csv_text.read_rows(job.content, delimiter=job.column_delimiter)
        header = next(rows, [])
        if problem := _header_problem(job, sobject, header):
            _fail(job, holder, problem)
            return
        remaining = islice(rows, job.rows_done, None)
        for _ in range(CHUNKS_PER_SLICE):
            chunk = list(islice(remaining, CHUNK_ROWS))
            if chunk:
                _write_chunk(job, holder, header, chunk)
            if len(chunk) < CHUNK_ROWS:
                _finish(job, holder)
                return
    except csv.Error as error:
        _fail(job, holder, f"InvalidBatch : {error}")


def _header_problem(job: BulkJob, sobject: SObject, header: list[str]) -> str:
    if not header or not any(header):
        return "InvalidBatch : The CSV has no header row"
    for name in header:
        if sobject.field(name.strip()) is None:
            return f"InvalidBatch : Field name not found : {name.strip()[:80]}"
    if len({name.strip().lower() for name in header}) != len(header):
        return "InvalidBatch : Duplicate field names in the header row"
    names = {name.strip().lower() for name in header}
    if job.operation in {"update", "delete", "upsert"} and "id" not in names:
        return "InvalidBatch : The Id column is required for this operation"
    return ""


def _cell(value: str) -> str | None:
    return None if value == csv_text.NULL else value


def _save(job: BulkJob, header: list[str], rows: list[list[str]]) -> list[SaveResult]:
    caller, names = _caller(job), [name.strip() for name in header]
    records = [
        {name: _cell(value) for name, value in zip(names, row, strict=True) if value != ""}
        for row in rows
    ]
    id_of = [next((v for k, v in r.items() if k.lower() == "id"), None) or "" for r in records]
    without_id = [{k: v for k, v in r.items() if k.lower() != "id"} for r in records]
    if job.operation == "insert":
        return create_records(caller, [NewRecord(job.sobject, r) for r in records])
    if job.operation == "delete":
        return delete_records(caller, id_of)
    if job.operation == "update":
        changes = [Change(i, r, job.sobject) for i, r in zip(id_of, without_id, strict=True)]
        return update_records(caller, changes)
    # upsert by Id: rows with an Id update it, the others create a record.
    results: list[SaveResult | None] = [None] * len(records)
    updates = [n for n, i in enumerate(id_of) if i]
    inserts = [n for n, i in enumerate(id_of) if not i]
    changes = [Change(id_of[n], without_id[n], job.sobject) for n in updates]
    created = [NewRecord(job.sobject, without_id[n]) for n in inserts]
    for n, result in zip(updates, update_records(caller, changes), strict=True):
        results[n] = result
    for n, result in zip(inserts, create_records(caller, created), strict=True):
        results[n] = result
    return [result for result in results if result is not None]


def _error_text(errors: tuple[RecordError, ...]) -> str:
    # Salesforce's sf__Error: CODE:message:fields --
    return " ".join(f"{e.status_code}:{e.message}:{','.join(e.fields)} --" for e in errors)


def _write_chunk(job: BulkJob, holder: str, header: list[str], chunk: list[list[str]]) -> None:
    # One transaction: the chunk's writes, its results and the job's new position.
    with transaction.atomic():
        _write_chunk_now(job, holder, header, chunk)
    job.rows_done += len(chunk)


def _write_chunk_now(job: BulkJob, holder: str, header: list[str], chunk: list[list[str]]) -> None:
    good = [row for row in chunk if len(row) == len(header)]
    results = iter(_save(job, header, good)) if good else iter(())
    successful: list[list[str]] = []
    failed: list[list[str]] = []
    created = job.operation == "insert"
    for row in chunk:
        if len(row) != len(header):
            message = f"INVALID_FIELD:The row has {len(row)} values for {len(header)} columns: --"
            failed.append(["", message, *row])
            continue
        result = next(results)
        if result.success:
            was_created = created or (job.operation == "upsert" and not _row_id(header, row))
            successful.append([result.id or "", "true" if was_created else "false", *row])
        else:
            failed.append([result.id or "", _error_text(result.errors), *row])
    write = _writer(job)
    # The position moves only if the job is still ours and not aborted.
    moved = BulkJob.objects.filter(pk=job.pk, lease_holder=holder, state=IN_PROGRESS).update(
        rows_done=F("rows_done") + len(chunk),
        records_processed=F("records_processed") + len(chunk),
        records_failed=F("records_failed") + len(failed),
        modified_at=timezone.now(),
    )
    if not moved:
        raise LeaseLost
    BulkChunk.objects.create(
        job=job,
        index=job.rows_done // CHUNK_ROWS,
        first_row=job.rows_done,
        rows=len(chunk),
        successful=write(successful),
        failed=write(failed),
    )


def _row_id(header: list[str], row: list[str]) -> str:
    return next((v for k, v in zip(header, row, strict=True) if k.strip().lower() == "id"), "")


def _writer(job: BulkJob) -> Any:
    def write(rows: list[list[str]]) -> str:
        return csv_text.write_rows(
            rows, delimiter=job.column_delimiter, line_ending=job.line_ending
        )

    return write


def _finish(job: BulkJob, holder: str) -> None:
    BulkJob.objects.filter(pk=job.pk, lease_holder=holder, state=IN_PROGRESS).update(
        state=JOB_COMPLETE, modified_at=timezone.now()
    )


def _flat(record: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """A serialized record's columns; a parent's fields become "Account.Name"."""
    for name, value in record.items():
        if name == "attributes":
            continue
        if isinstance(value, dict):
            yield from _flat(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", value


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _run_query(job: BulkJob, holder: str) -> None:
    try:
        answer = query.run_query(
            _caller(job),
            job.content,
            version=job.api_version,
            include_deleted=job.operation == "queryAll",
            size=10**9,
        )
    except ApiError as error:
        _fail(job, holder, f"{error.code} : {error}")
        return
    selection = query.select(job.content)
    names = [field.name for field in selection.fields]
    rows = [[_csv_value(v) for _, v in _flat(record)] for record in answer["records"]]
    header = list(dict(_flat(answer["records"][0])).keys()) if rows else names
    write = _writer(job)
    with transaction.atomic():
        for index, first in enumerate(range(0, len(rows), QUERY_CHUNK_RECORDS)):
            part = rows[first : first + QUERY_CHUNK_RECORDS]
            BulkChunk.objects.create(
                job=job,
                index=index,
                first_row=first,
                rows=len(part),
                lines=[write([r]) for r in part],
            )
        finished = BulkJob.objects.filter(pk=job.pk, lease_holder=holder, state=IN_PROGRESS).update(
            state=JOB_COMPLETE,
            result_header=write([header]),
            records_processed=len(rows),
            rows_done=len(rows),
            modified_at=timezone.now(),
        )
        if not finished:
            raise LeaseLost

"""Bulk API 2.0 end to end over HTTP: ingest and query jobs as a client drives them, the
background processing in slices, and catalogue rows J1 (spaces) and J3 (CSV caps, line
endings, formula cells)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from org.bulk import csv_text, jobs, processing
from org.bulk.models import BulkChunk, BulkJob
from org.models import Record
from org.purge import purge_expired
from tests.org.rest_client import rest_for

CSV = "text/csv"


@pytest.fixture
def rest(oauth):
    return rest_for(oauth)


def _rows(text: str):
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _open(rest, **job):
    response = rest.post("/jobs/ingest/", {"object": "Account", "operation": "insert", **job})
    assert response.status_code == 200, response.content
    return response.json()


def _load(rest, data: str, **job):
    """Create, upload, close, process: the job's final information."""
    info = _open(rest, **job)
    upload = rest.send("PUT", f"/jobs/ingest/{info['id']}/batches", raw=data, content_type=CSV)
    assert upload.status_code == 201, upload.content
    closed = rest.patch(f"/jobs/ingest/{info['id']}", {"state": "UploadComplete"})
    assert closed.json()["state"] == "UploadComplete"
    processing.process_all()
    return rest.get(f"/jobs/ingest/{info['id']}").json()


def _results(rest, job_id: str, which: str):
    response = rest.get(f"/jobs/ingest/{job_id}/{which}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    return response.content.decode()


def test_an_ingest_job_goes_open_upload_complete_in_progress_job_complete(rest):
    info = _open(rest)
    assert info["state"] == "Open"
    assert info["id"].startswith("750")
    assert len(info["id"]) == 18
    assert info["contentUrl"].endswith(f"/jobs/ingest/{info['id']}/batches")
    rows = "Name,Industry\n" + "".join(f"Bulk {n},Energy\n" for n in range(450))
    rest.send("PUT", f"/jobs/ingest/{info['id']}/batches", raw=rows, content_type=CSV)
    rest.patch(f"/jobs/ingest/{info['id']}", {"state": "UploadComplete"})

    assert processing.process_next() is True  # one slice: at most ten chunks of 200
    halfway = rest.get(f"/jobs/ingest/{info['id']}").json()
    processing.process_all()
    done = rest.get(f"/jobs/ingest/{info['id']}").json()

    assert halfway["state"] in {"InProgress", "JobComplete"}
    assert done["state"] == "JobComplete"
    assert (done["numberRecordsProcessed"], done["numberRecordsFailed"]) == (450, 0)
    assert done["jobType"] == "V2Ingest"
    assert Record.objects.filter(sobject="Account", fields__Industry="Energy").count() >= 450


def test_a_slice_stops_after_ten_chunks_and_the_next_claim_resumes_there(rest):
    rows = "Name\n" + "".join(f"Row {n}\n" for n in range(2300))
    info = _open(rest)
    rest.send("PUT", f"/jobs/ingest/{info['id']}/batches", raw=rows, content_type=CSV)
    rest.patch(f"/jobs/ingest/{info['id']}", {"state": "UploadComplete"})

    processing.process_next()
    job = BulkJob.objects.get(job_id=info["id"])
    assert (job.state, job.rows_done) == ("InProgress", 2000)
    processing.process_next()
    job.refresh_from_db()
    assert (job.state, job.rows_done, job.records_processed) == ("JobComplete", 2300, 2300)


def test_results_say_which_rows_were_saved_and_why_others_were_not(rest):
    info = _load(rest, "Name,NumberOfEmployees\nGood one,10\n,5\nNot a number,many\n")

    successful = _rows(_results(rest, info["id"], "successfulResults"))
    failed = _rows(_results(rest, info["id"], "failedResults"))
    unprocessed = _results(rest, info["id"], "unprocessedrecords")

    assert [(r["Name"], r["sf__Created"]) for r in successful] == [("Good one", "true")]
    assert successful[0]["sf__Id"].startswith("001")
    assert [r["Name"] for r in failed] == ["", "Not a number"]
    assert failed[0]["sf__Error"].startswith("REQUIRED_FIELD_MISSING:")
    assert failed[1]["sf__Error"].startswith("INVALID_TYPE_ON_FIELD_IN_RECORD:")
    assert unprocessed.strip() == '"Name","NumberOfEmployees"'
    assert info["numberRecordsFailed"] == 2


def test_update_upsert_and_delete_jobs_write_through_the_same_functions(rest):
    first = rest.create("Account", Name="Before")
    second = rest.create("Account", Name="Doomed")

    updated = _load(rest, f"Id,Name\n{first},After\n", operation="update")
    upserted = _load(rest, f"Id,Name\n{first},Again\n,Brand new\n", operation="upsert",
                     externalIdFieldName="Id")  # fmt: skip
    deleted = _load(rest, f"Id\n{second}\n", operation="delete")

    assert [job["numberRecordsFailed"] for job in (updated, upserted, deleted)] == [0, 0, 0]
    assert rest.get(f"/sobjects/Account/{first}").json()["Name"] == "Again"
    created = _rows(_results(rest, upserted["id"], "successfulResults"))
    assert [r["sf__Created"] for r in created] == ["false", "true"]
    assert rest.get(f"/sobjects/Account/{second}").json()[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_null_marker_clears_a_field_and_an_empty_cell_leaves_it(rest):
    record_id = rest.create("Account", Name="Keep", Phone="555", Website="example.org")

    _load(rest, f"Id,Phone,Website\n{record_id},#N/A,\n", operation="update")

    body = rest.get(f"/sobjects/Account/{record_id}").json()
    assert (body["Phone"], body["Website"]) == (None, "example.org")


def test_an_unknown_column_fails_the_job_and_leaves_every_row_unprocessed(rest):
    info = _load(rest, "Name,Colour\nA,red\nB,blue\n")

    assert info["state"] == "Failed"
    assert info["errorMessage"] == "InvalidBatch : Field name not found : Colour"
    assert len(_rows(_results(rest, info["id"], "unprocessedrecords"))) == 2
    assert _rows(_results(rest, info["id"], "successfulResults")) == []


def test_an_aborted_job_stops_and_keeps_its_rows_unprocessed(rest):
    info = _open(rest)
    rest.send("PUT", f"/jobs/ingest/{info['id']}/batches", raw="Name\nA\nB\n", content_type=CSV)
    rest.patch(f"/jobs/ingest/{info['id']}", {"state": "UploadComplete"})

    aborted = rest.patch(f"/jobs/ingest/{info['id']}", {"state": "Aborted"})
    processing.process_all()

    assert aborted.json()["state"] == "Aborted"
    assert rest.get(f"/jobs/ingest/{info['id']}").json()["state"] == "Aborted"
    assert len(_rows(_results(rest, info["id"], "unprocessedrecords"))) == 2
    assert not Record.objects.filter(fields__Name="A", sobject="Account").exists()


def test_state_changes_out_of_order_are_refused(rest):
    info = _open(rest)
    job = f"/jobs/ingest/{info['id']}"

    no_data = rest.patch(job, {"state": "UploadComplete"})
    unknown = rest.patch(job, {"state": "JobComplete"})
    results_early = rest.get(f"{job}/successfulResults")
    rest.send("PUT", f"{job}/batches", raw="Name\nA\n", content_type=CSV)
    twice = rest.send("PUT", f"{job}/batches", raw="Name\nB\n", content_type=CSV)

    for response in (no_data, unknown, results_early, twice):
        assert response.status_code == 400, response.content
        assert response.json()[0]["errorCode"] == "INVALIDJOBSTATE"


@pytest.mark.parametrize(
    ("job", "code"),
    [
        ({"object": "Spaceship", "operation": "insert"}, "INVALIDJOB"),
        ({"object": "Account", "operation": "merge"}, "INVALIDJOB"),
        ({"object": "Account", "operation": "insert", "lineEnding": "CR"}, "INVALIDJOB"),
        ({"object": "Account", "operation": "insert", "columnDelimiter": "SPACE"}, "INVALIDJOB"),
        ({"object": "Account", "operation": "upsert", "externalIdFieldName": "Name"}, "INVALIDJOB"),
        ({"object": ["Account"], "operation": "insert"}, "INVALIDJOB"),
    ],
)
def test_a_job_that_cannot_be_run_is_refused_at_creation(rest, job, code):
    response = rest.post("/jobs/ingest/", job)

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == code


def test_bulk_answers_need_a_token_and_speak_salesforces_errors(rest, client):
    info = _open(rest)

    anonymous = client.get(f"/services/data/v62.0/jobs/ingest/{info['id']}")
    missing = rest.get("/jobs/ingest/750000000000000AAA")
    old = rest.post(
        "/services/data/v40.0/jobs/ingest/", {"object": "Account", "operation": "insert"}
    )
    not_json = rest.send("POST", "/jobs/ingest/", raw="object=Account", content_type="text/plain")

    assert anonymous.status_code == 401
    assert anonymous.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    assert missing.status_code == 404
    assert old.status_code == 404
    assert not_json.status_code == 415
    assert "Sforce-Limit-Info" in missing


def test_j1_another_trainees_jobs_are_not_found(oauth):
    alice, bob = rest_for(oauth, owner="alice"), rest_for(oauth, owner="bob")
    info = _load(alice, "Name\nAlice's bulk account\n")

    for path in ("", "/successfulResults", "/failedResults", "/unprocessedrecords"):
        assert bob.get(f"/jobs/ingest/{info['id']}{path}").status_code == 404
    assert bob.patch(f"/jobs/ingest/{info['id']}", {"state": "Aborted"}).status_code == 404
    assert bob.get("/jobs/ingest/").json()["records"] == []
    query = bob.post(
        "/jobs/query/", {"operation": "query", "query": "SELECT Id, Name FROM Account"}
    )
    processing.process_all()
    page = bob.get(f"/jobs/query/{query.json()['id']}/results").content.decode()
    assert "Alice's bulk account" not in page


def test_j3_an_upload_over_the_cap_is_refused_and_nothing_is_stored(rest, monkeypatch):
    info = _open(rest)
    monkeypatch.setattr(jobs, "MAX_UPLOAD_BYTES", 1000)

    data = "Name\n" + "x\n" * 600
    response = rest.send("PUT", f"/jobs/ingest/{info['id']}/batches", raw=data, content_type=CSV)

    assert response.status_code == 413
    assert response.json()[0]["errorCode"] == "REQUEST_ENTITY_TOO_LARGE"
    assert BulkJob.objects.get(job_id=info["id"]).content == ""


def test_j3_crlf_data_in_an_lf_job_fails_the_job_as_salesforce_does(rest):
    info = _load(rest, "Name\r\nA\r\nB\r\n")

    assert info["state"] == "Failed"
    assert "LineEnding is invalid on user data" in info["errorMessage"]
    assert not Record.objects.filter(fields__Name="A").exists()


def test_j3_a_crlf_job_reads_crlf_data_and_writes_crlf_results(rest):
    info = _load(rest, "Name\r\nCarriage\r\n", lineEnding="CRLF")

    assert info["state"] == "JobComplete"
    assert _results(rest, info["id"], "successfulResults").endswith('"Carriage"\r\n')


def test_j3_formula_cells_are_neutralised_in_result_files_but_numbers_are_not(rest):
    data = 'Name,Description,NumberOfEmployees\n=1+2,@SUM(A1),-5\n"+cmd|calc",-2+3,7\n'
    info = _load(rest, data)

    rows = _rows(_results(rest, info["id"], "successfulResults"))

    assert [(r["Name"], r["Description"]) for r in rows] == [
        ("'=1+2", "'@SUM(A1)"),
        ("'+cmd|calc", "'-2+3"),
    ]
    assert rows[0]["NumberOfEmployees"] == "-5"
    # The record itself keeps what was sent: only the files a person opens are defused.
    assert Record.objects.filter(fields__Name="=1+2").exists()


def test_j3_a_malformed_csv_fails_the_job_with_a_clear_message(rest):
    info = _load(rest, 'Name\n"never closed\n')

    assert info["state"] == "Failed"
    assert info["errorMessage"].startswith("InvalidBatch : ")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.text(max_size=300))
def test_any_upload_ends_in_a_final_state_never_a_500(rest, data):
    info = _open(rest)
    upload = rest.send("PUT", f"/jobs/ingest/{info['id']}/batches", raw=data, content_type=CSV)
    assert upload.status_code in {201, 400, 415}  # an empty body carries no content type
    if upload.status_code == 201:
        rest.patch(f"/jobs/ingest/{info['id']}", {"state": "UploadComplete"})
        processing.process_all()
        final = rest.get(f"/jobs/ingest/{info['id']}").json()
        assert final["state"] in {"JobComplete", "Failed"}
        for which in ("successfulResults", "failedResults", "unprocessedrecords"):
            assert rest.get(f"/jobs/ingest/{info['id']}/{which}").status_code == 200


@given(value=st.text(max_size=30))
def test_no_neutralised_cell_starts_a_formula(value):
    cell = csv_text.neutralised(value)
    starts_a_formula = cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert not starts_a_formula or csv_text._NUMBER.fullmatch(cell)
    assert cell in {value, "'" + value}


def _query(rest, soql: str, **job):
    response = rest.post("/jobs/query/", {"operation": "query", "query": soql, **job})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "UploadComplete"
    processing.process_all()
    return response.json()["id"]


def test_a_query_job_pages_its_results_with_sforce_locator(rest):
    _load(rest, "Name,Industry\n" + "".join(f"Paged {n},Chemicals\n" for n in range(25)))
    job_id = _query(rest, "SELECT Id, Name FROM Account WHERE Industry = 'Chemicals'")

    info = rest.get(f"/jobs/query/{job_id}").json()
    pages, locator = [], None
    while locator != "null":
        suffix = f"&locator={locator}" if locator else ""
        page = rest.get(f"/jobs/query/{job_id}/results?maxRecords=10{suffix}")
        assert page.status_code == 200
        pages.append(_rows(page.content.decode()))
        assert page["Sforce-NumberOfRecords"] == str(len(pages[-1]))
        locator = page["Sforce-Locator"]

    assert (info["state"], info["numberRecordsProcessed"], info["jobType"]) == (
        "JobComplete",
        25,
        "V2Query",
    )
    assert [len(p) for p in pages] == [10, 10, 5]
    names = {row["Name"] for page in pages for row in page}
    assert names == {f"Paged {n}" for n in range(25)}
    assert set(pages[0][0]) == {"Id", "Name"}


def test_query_all_finds_deleted_records_and_query_does_not(rest):
    record_id = rest.create("Account", Name="Gone soon", Industry="Banking")
    rest.delete(f"/sobjects/Account/{record_id}")
    soql = "SELECT Id FROM Account WHERE Industry = 'Banking'"

    live = _query(rest, soql)
    every = _query(rest, soql, operation="queryAll")

    assert record_id not in rest.get(f"/jobs/query/{live}/results").content.decode()
    assert record_id in rest.get(f"/jobs/query/{every}/results").content.decode()


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELEKT Id FROM Account", "MALFORMED_QUERY"),
        ("SELECT Id FROM Spaceship", "INVALID_TYPE"),
        ("SELECT Colour FROM Account", "INVALID_FIELD"),
    ],
)
def test_a_bad_query_is_refused_when_the_job_is_created(rest, soql, code):
    response = rest.post("/jobs/query/", {"operation": "query", "query": soql})

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == code


def test_results_before_the_query_ran_and_bad_locators_are_refused(rest):
    response = rest.post("/jobs/query/", {"operation": "query", "query": "SELECT Id FROM Account"})
    job_id = response.json()["id"]

    early = rest.get(f"/jobs/query/{job_id}/results")
    processing.process_all()
    bad = [
        rest.get(f"/jobs/query/{job_id}/results?locator={value}")
        for value in ("abc", "-1", "99999999")
    ]

    assert early.json()[0]["errorCode"] == "INVALIDJOBSTATE"
    assert [r.status_code for r in bad] == [400, 400, 400]


def _closed_job(rest, data: str):
    info = _open(rest)
    rest.send("PUT", f"/jobs/ingest/{info['id']}/batches", raw=data, content_type=CSV)
    rest.patch(f"/jobs/ingest/{info['id']}", {"state": "UploadComplete"})
    return info["id"]


def test_a_job_is_claimed_by_one_process_at_a_time(rest):
    _closed_job(rest, "Name\nOnly once\n")

    first = processing._claim()
    second = processing._claim()

    assert first is not None
    assert second is None


def test_a_lease_left_by_a_dead_process_is_taken_over_where_it_stopped(rest):
    job_id = _closed_job(rest, "Name\n" + "".join(f"Resumed {n}\n" for n in range(2300)))
    processing.process_next()  # 2000 rows done
    stale = timezone.now() - timedelta(seconds=1)
    BulkJob.objects.filter(job_id=job_id).update(lease_until=stale, lease_holder="dead")

    processing.process_all()

    job = BulkJob.objects.get(job_id=job_id)
    assert (job.state, job.rows_done) == ("JobComplete", 2300)
    assert Record.objects.filter(fields__Name__startswith="Resumed ").count() == 2300


def test_purge_expired_removes_jobs_a_week_after_their_last_change(rest):
    old = _load(rest, "Name\nOld job\n")["id"]
    recent = _load(rest, "Name\nRecent job\n")["id"]
    BulkJob.objects.filter(job_id=old).update(modified_at=timezone.now() - timedelta(days=8))

    purged = {p.artefact: p for p in purge_expired()}

    assert purged["Bulk API jobs"].rows == 1
    assert rest.get(f"/jobs/ingest/{old}").status_code == 404
    assert rest.get(f"/jobs/ingest/{recent}").status_code == 200
    assert not BulkChunk.objects.filter(job__job_id=old).exists()


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_FIELDS = st.sampled_from(
    ["object", "operation", "lineEnding", "columnDelimiter", "contentType", "externalIdFieldName",
     "query"]
)  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.dictionaries(_FIELDS, _JSON, max_size=6), kind=st.sampled_from(["ingest", "query"]))
def test_any_job_description_gets_a_job_or_a_salesforce_error_never_a_500(rest, body, kind):
    response = rest.post(f"/jobs/{kind}/", body)

    assert response.status_code in {200, 400}, response.content
    if response.status_code == 400:
        assert {"errorCode", "message"} <= set(response.json()[0])


def test_a_bug_while_processing_fails_the_job_instead_of_retrying_it_for_ever(rest, monkeypatch):
    job_id = _closed_job(rest, "Name\nA\n")

    def broken(*args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(processing, "_save", broken)
    with pytest.raises(RuntimeError):
        processing.process_next()

    info = rest.get(f"/jobs/ingest/{job_id}").json()
    assert info["state"] == "Failed"
    assert info["errorMessage"].startswith("InternalServerError")
    assert processing.process_next() is False


def test_a_big_job_takes_turns_with_a_small_one_closed_after_it(rest):
    big = _closed_job(rest, "Name\n" + "".join(f"Big {n}\n" for n in range(6500)))
    processing.process_next()  # the big job's first slice
    small = _closed_job(rest, "Name\nSmall\n")

    processing.process_next()  # the big job moved before the small one was closed: its turn
    processing.process_next()  # then the small one's, before the big job's third slice

    assert BulkJob.objects.get(job_id=small).state == "JobComplete"
    assert BulkJob.objects.get(job_id=big).rows_done == 4000

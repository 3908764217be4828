from __future__ import annotations

import json

import pytest

from org.models import ApiUsage, Record
from playground.run_context import flow_of
from playground.run_store import breakages
from playground.steps.records import NAME_PREFIX
from tests.playground.conftest import result, run_step, start_run, try_fault

pytestmark = pytest.mark.django_db

STEPS = (
    "token",
    "create-record",
    "read-record",
    "update-record",
    "query-records",
    "delete-record",
    "read-deleted",
)


def _run_until(client, run, last):
    for slug in STEPS[: STEPS.index(last) + 1]:
        run_step(client, run, slug)
        assert result(run, slug).outcome == "ok", (slug, result(run, slug).headline)


def _broken(run, slug):
    run.refresh_from_db()
    flow = flow_of(run)
    assert flow is not None
    return breakages(run, flow)[slug][-1]


def test_remote_call_in_creates_reads_updates_queries_and_deletes_a_record(client, org):
    run = start_run(client, "remote-call-in")

    _run_until(client, run, "read-deleted")

    created = result(run, "create-record").exchanges[0]
    assert (created.method, created.status) == ("POST", 201)
    assert created.url.endswith("/services/data/v62.0/sobjects/Account/")
    record_id = created.json_body()["id"]
    record = Record.objects.get(record_id=record_id)
    # The visitor's practice app writes into the visitor's own space, never the main data.
    assert record.space == run.owner != ""
    assert record.fields["Name"].startswith(NAME_PREFIX)
    read = result(run, "read-record").exchanges[0]
    assert read.json_body()["Id"] == record_id
    assert "CreatedDate" in read.json_body()
    updated = result(run, "update-record").exchanges[0]
    assert (updated.method, updated.status, updated.response_body) == ("PATCH", 204, "")
    query = result(run, "query-records").exchanges[0]
    assert "LIKE" in query.url
    assert "TODAY" in query.url
    [found] = [r for r in query.json_body()["records"] if r["Id"] == record_id]
    assert found["Industry"] == "Energy"
    deleted = result(run, "delete-record").exchanges[0]
    assert (deleted.method, deleted.status) == ("DELETE", 204)
    record.refresh_from_db()
    assert record.is_deleted
    gone = result(run, "read-deleted").exchanges[0]
    assert gone.status == 404
    assert gone.json_value()[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_the_page_says_which_data_space_the_run_writes_to(client, org):
    run = start_run(client, "remote-call-in")
    _run_until(client, run, "create-record")

    page = client.get(f"/playground/runs/{run.id}/").content.decode()

    assert "your own practice data space" in page


@pytest.mark.parametrize(
    ("step", "fault", "status", "code"),
    [
        ("create-record", "missing-required-field", 400, "REQUIRED_FIELD_MISSING"),
        ("read-record", "malformed-id", 400, "MALFORMED_ID"),
        ("update-record", "wrong-api-version", 404, "NOT_FOUND"),
        ("query-records", "expired-token", 401, "INVALID_SESSION_ID"),
        ("delete-record", "over-the-api-limit", 403, "REQUEST_LIMIT_EXCEEDED"),
    ],
)
def test_each_break_it_fault_gets_salesforces_error_and_the_step_still_runs(
    client, org, step, fault, status, code
):
    run = start_run(client, "remote-call-in")
    _run_until(client, run, STEPS[STEPS.index(step) - 1])

    try_fault(client, run, step, fault)

    tried = _broken(run, step)
    sent = tried.result.exchanges[-1]
    assert tried.refused, tried.result.headline
    assert sent.status == status
    assert sent.json_value()[0]["errorCode"] == code
    run_step(client, run, step)
    assert result(run, step).outcome == "ok", result(run, step).headline


def test_a_missing_required_field_writes_nothing(client, org):
    run = start_run(client, "remote-call-in")
    _run_until(client, run, "token")
    before = Record.objects.filter(space=run.owner).count()

    try_fault(client, run, "create-record", "missing-required-field")

    sent = _broken(run, "create-record").result.exchanges[-1]
    assert "Name" not in json.loads(sent.request_body)
    assert Record.objects.filter(space=run.owner).count() == before


def test_the_limit_lesson_gives_the_space_its_requests_back(client, org):
    run = start_run(client, "remote-call-in")
    _run_until(client, run, "query-records")
    used = ApiUsage.objects.get(space=run.owner).used

    try_fault(client, run, "delete-record", "over-the-api-limit")

    assert ApiUsage.objects.get(space=run.owner).used == used
    # Another visitor's space was never near its limit.
    assert not ApiUsage.objects.exclude(space=run.owner).filter(used__gte=org.daily_api_requests)


def test_the_expired_token_lesson_leaves_the_runs_own_token_working(client, org):
    run = start_run(client, "remote-call-in")
    _run_until(client, run, "update-record")

    try_fault(client, run, "query-records", "expired-token")

    minted, refused = _broken(run, "query-records").result.exchanges
    assert minted.json_body()["access_token"] != run.values["access_token"]
    assert refused.status == 401
    run_step(client, run, "query-records")
    assert result(run, "query-records").exchanges[0].status == 200

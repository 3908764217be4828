from __future__ import annotations

import pytest

from org.models import QueryCursor
from tests.org.rest_client import rest_for

COLLECTION = "/composite/sobjects"


@pytest.fixture
def rest(oauth):
    return rest_for(oauth)


def _make_accounts(rest, count, prefix="Bulk"):
    for start in range(0, count, 200):
        records = [
            {"attributes": {"type": "Account"}, "Name": f"{prefix} {i}"}
            for i in range(start, min(start + 200, count))
        ]
        response = rest.post(COLLECTION, {"records": records})
        assert all(r["success"] for r in response.json())


def test_a_result_past_the_batch_size_pages_through_next_records_url(rest):
    _make_accounts(rest, 450)

    first = rest.query("SELECT Id, Name FROM Account", **{"Sforce-Query-Options": "batchSize=200"})

    body = first.json()
    total = body["totalSize"]
    assert total >= 450
    assert body["done"] is False
    assert len(body["records"]) == 200
    seen = [r["Id"] for r in body["records"]]
    while not body["done"]:
        assert QueryCursor.objects.exists()  # the cursor lives in the database
        body = rest.get(body["nextRecordsUrl"]).json()
        seen += [r["Id"] for r in body["records"]]
    assert len(seen) == len(set(seen)) == total
    assert "nextRecordsUrl" not in body


def test_the_default_batch_is_2000_records(rest):
    _make_accounts(rest, 2001)

    body = rest.query("SELECT Id FROM Account").json()

    assert len(body["records"]) == 2000
    rest_of_it = rest.get(body["nextRecordsUrl"]).json()
    assert rest_of_it["done"] is True
    assert len(rest_of_it["records"]) == body["totalSize"] - 2000


def test_j1_a_cursor_of_another_space_is_an_invalid_locator(oauth, rest):
    _make_accounts(rest, 250)
    body = rest.query("SELECT Id FROM Account", **{"Sforce-Query-Options": "batchSize=200"}).json()
    stranger = rest_for(oauth, owner="someone else")

    response = stranger.get(body["nextRecordsUrl"])

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


@pytest.mark.parametrize("locator", ["01g000000000000AAA-200", "nonsense", "01g-x"])
def test_an_unknown_locator_is_refused(rest, locator):
    response = rest.get(f"/query/{locator}")

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_query_all_finds_deleted_records_and_query_does_not(rest):
    record_id = rest.create("Account", Name="Gone")
    rest.delete(f"/sobjects/Account/{record_id}")
    soql = "SELECT Id, IsDeleted FROM Account WHERE Name = 'Gone'"

    live = rest.query(soql).json()
    everything = rest.query(soql, resource="queryAll").json()

    assert live["totalSize"] == 0
    assert everything["records"] == [
        {
            "attributes": everything["records"][0]["attributes"],
            "Id": record_id,
            "IsDeleted": True,
        }
    ]


def test_opportunities_and_cases_are_queryable(rest):
    for sobject in ("Opportunity", "Case"):
        body = rest.query(f"SELECT Id, AccountId FROM {sobject}").json()
        assert body["totalSize"] >= 2, body
        assert body["records"][0]["AccountId"].startswith("001")

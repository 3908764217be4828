from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from org.models import ApiUsage, QueryCursor
from org.purge import purge_expired
from org.rest.query import CURSOR_LIFETIME
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


def test_parent_fields_come_back_nested_under_the_relationship(rest):
    account = rest.create("Account", Name="Parent Co")
    rest.create("Contact", LastName="Child", AccountId=account)
    rest.create("Contact", LastName="Orphan")

    body = rest.query(
        "SELECT LastName, Account.Name, Owner.Name FROM Contact "
        "WHERE LastName IN ('Child', 'Orphan') ORDER BY LastName"
    ).json()

    child, orphan = body["records"]
    assert child["Account"]["Name"] == "Parent Co"
    assert child["Account"]["attributes"]["type"] == "Account"
    assert child["Owner"]["Name"] == "Ada Lovelace"
    assert orphan["Account"] is None


def test_an_id_of_15_characters_in_where_matches_its_record(rest):
    account = rest.create("Account", Name="Short Id Co")
    contact = rest.create("Contact", LastName="Short", AccountId=account)

    by_id = rest.query(f"SELECT Name FROM Account WHERE Id = '{account[:15]}'").json()
    by_reference = rest.query(
        f"SELECT LastName FROM Contact WHERE AccountId IN ('{account[:15]}')"
    ).json()
    by_parent = rest.query(f"SELECT Id FROM Contact WHERE Account.Id = '{account[:15]}'").json()

    assert [r["Name"] for r in by_id["records"]] == ["Short Id Co"]
    assert [r["LastName"] for r in by_reference["records"]] == ["Short"]
    assert [r["Id"] for r in by_parent["records"]] == [contact]


def test_where_order_by_limit_and_offset_are_evaluated(rest):
    for name, employees in (("Zeta", 5), ("Alpha", 50), ("Mid", 20)):
        rest.create("Account", Name=f"Sorted {name}", NumberOfEmployees=employees)

    body = rest.query(
        "SELECT Name FROM Account WHERE Name LIKE 'Sorted %' AND NumberOfEmployees > 10 "
        "ORDER BY NumberOfEmployees DESC LIMIT 1 OFFSET 1"
    ).json()

    assert [r["Name"] for r in body["records"]] == ["Sorted Mid"]


def test_count_answers_the_total_without_records(rest):
    body = rest.query("SELECT COUNT() FROM Contact WHERE Account.Name = 'Northwind Health'").json()

    assert body == {"totalSize": 1, "done": True, "records": []}


def test_records_created_today_match_today(rest):
    rest.create("Case", Subject="Fresh")

    today = rest.query("SELECT Subject FROM Case WHERE CreatedDate = TODAY").json()
    yesterday = rest.query("SELECT Subject FROM Case WHERE CreatedDate = YESTERDAY").json()

    assert "Fresh" in [r["Subject"] for r in today["records"]]
    assert "Fresh" not in [r["Subject"] for r in yesterday["records"]]


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT Nowhere.Name FROM Contact",
        "SELECT Account.Nope FROM Contact",
        "SELECT Owner.Phone FROM Account",
        "SELECT Id FROM Contact ORDER BY Colour",
    ],
)
def test_unknown_relationships_and_fields_are_invalid_field(rest, soql):
    response = rest.query(soql)

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_FIELD"


def test_purge_deletes_expired_cursors_and_old_usage_counters(rest, org):
    _make_accounts(rest, 250)
    body = rest.query("SELECT Id FROM Account", **{"Sforce-Query-Options": "batchSize=200"}).json()
    later = timezone.now() + CURSOR_LIFETIME + timedelta(seconds=1)
    ApiUsage.objects.create(org=org, space="tests", day=(later - timedelta(days=3)).date())

    report = {p.artefact: p.rows for p in purge_expired(now=later)}

    assert report["query cursors"] == 1
    assert report["API usage counters"] == 1
    assert rest.get(body["nextRecordsUrl"]).json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"

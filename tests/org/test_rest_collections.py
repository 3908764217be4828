from __future__ import annotations

import pytest

from org.models import Record
from tests.org.rest_client import rest_for

COLLECTION = "/composite/sobjects"


@pytest.fixture
def rest(oauth):
    return rest_for(oauth)


def _account(name, **values):
    return {"attributes": {"type": "Account"}, "Name": name, **values}


def test_create_several_records_of_several_types_in_order(rest):
    response = rest.post(
        COLLECTION,
        {
            "allOrNone": False,
            "records": [
                _account("One"),
                {"attributes": {"type": "Contact"}, "LastName": "Two"},
                _account("Three"),
            ],
        },
    )

    assert response.status_code == 200
    results = response.json()
    assert [r["success"] for r in results] == [True, True, True]
    assert [r["id"][:3] for r in results] == ["001", "003", "001"]
    assert rest.get(f"/sobjects/Contact/{results[1]['id']}").json()["LastName"] == "Two"


def test_without_all_or_none_the_good_records_are_written(rest):
    response = rest.post(COLLECTION, {"records": [_account("Good"), _account("")]})

    good, bad = response.json()
    assert good["success"] is True
    assert bad == {
        "success": False,
        "errors": [
            {
                "statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [Name]",
                "fields": ["Name"],
            }
        ],
    }
    assert Record.objects.filter(record_id=good["id"]).exists()


def test_j2_all_or_none_writes_nothing_when_one_record_fails(rest):
    before = Record.objects.count()

    response = rest.post(
        COLLECTION,
        {"allOrNone": True, "records": [_account("Fine"), _account("Bad", Colour="red")]},
    )

    fine, bad = response.json()
    assert response.status_code == 200
    assert fine["success"] is False
    assert fine["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert bad["errors"][0]["statusCode"] == "INVALID_FIELD"
    assert Record.objects.count() == before


def test_j2_201_records_in_one_collection_are_refused(rest):
    before = Record.objects.count()

    response = rest.post(COLLECTION, {"records": [_account(f"A{i}") for i in range(201)]})

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    assert Record.objects.count() == before


def test_200_records_in_one_collection_are_fine(rest):
    response = rest.post(COLLECTION, {"records": [_account(f"A{i}") for i in range(200)]})

    assert response.status_code == 200
    assert all(result["success"] for result in response.json())


def test_update_several_records(rest):
    first, second = rest.create("Account", Name="1"), rest.create("Account", Name="2")

    response = rest.patch(
        COLLECTION,
        {
            "records": [
                {"attributes": {"type": "Account"}, "id": first, "Industry": "Energy"},
                {"attributes": {"type": "Account"}, "Id": second, "Industry": "Retail"},
            ]
        },
    )

    assert [r["success"] for r in response.json()] == [True, True]
    assert rest.get(f"/sobjects/Account/{second}").json()["Industry"] == "Retail"


def test_j2_update_with_an_id_of_another_type_fails_that_record(rest):
    contact = rest.create("Contact", LastName="Not an account")

    response = rest.patch(
        COLLECTION,
        {"records": [{"attributes": {"type": "Account"}, "id": contact, "Name": "x"}]},
    )

    assert response.json()[0]["errors"][0]["statusCode"] == "MALFORMED_ID"


def test_update_without_an_id_is_a_missing_argument(rest):
    response = rest.patch(COLLECTION, {"records": [_account("no id")]})

    assert response.json()[0]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"


def test_delete_by_ids_with_all_or_none(rest):
    first, second = rest.create("Account", Name="1"), rest.create("Account", Name="2")

    refused = rest.delete(f"{COLLECTION}?ids={first},001000000000000AAA&allOrNone=true")
    deleted = rest.delete(f"{COLLECTION}?ids={first},{second}")

    assert [r["success"] for r in refused.json()] == [False, False]
    assert [r["success"] for r in deleted.json()] == [True, True]
    assert rest.get(f"/sobjects/Account/{first}").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"records": []},
        {"records": "x"},
        {"records": [1, "two"]},
        {"records": [{}], "allOrNone": "yes"},
    ],
)
def test_malformed_collections_get_a_salesforce_shaped_answer(rest, body):
    response = rest.post(COLLECTION, body)

    assert response.status_code in {200, 400}
    payload = response.json()
    assert isinstance(payload, list)
    if response.status_code == 200:
        assert all(result["success"] is False for result in payload)
    else:
        assert payload[0]["errorCode"]


def test_retrieve_records_of_one_object_by_id_with_get_and_post(rest):
    first, second = rest.create("Account", Name="First"), rest.create("Account", Name="Second")
    missing = "001000000000000AAA"

    by_get = rest.get(f"{COLLECTION}/Account?ids={first},{missing},{second[:15]}&fields=Id,Name")
    by_post = rest.post(
        f"{COLLECTION}/Account", {"ids": [first, missing, second], "fields": ["Id", "Name"]}
    )

    assert by_get.status_code == by_post.status_code == 200
    for body in (by_get.json(), by_post.json()):
        assert [r and r["Name"] for r in body] == ["First", None, "Second"]
        assert set(body[0]) == {"attributes", "Id", "Name"}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("ids=003000000000000AAA&fields=Id", "MALFORMED_ID"),
        ("ids=001000000000000AAA&fields=Colour", "INVALID_FIELD"),
        ("ids=001000000000000AAA", "MISSING_ARGUMENT"),
    ],
)
def test_retrieve_refuses_ids_of_another_type_unknown_fields_and_no_fields(rest, query, code):
    response = rest.get(f"{COLLECTION}/Account?{query}")

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == code


def test_j1_retrieve_does_not_return_another_trainees_records(oauth, rest):
    record_id = rest.create("Account", Name="Mine")
    stranger = rest_for(oauth, owner="someone else")

    response = stranger.get(f"{COLLECTION}/Account?ids={record_id}&fields=Name")

    assert response.json() == [None]

"""Publishing a platform event over REST, as an integration does: POST to the event's sObject
path, answered as Salesforce answers a queued publish; the event lands on its channel in the
publisher's data space."""

from __future__ import annotations

import pytest

from org.events.log import read_after
from org.events.models import Event
from org.models import Org, OrgUser
from tests.org.rest_client import rest_for

ORDERS = "/event/Order_Placed__e"


@pytest.fixture
def main(oauth):
    return rest_for(oauth, owner="")


@pytest.fixture
def alice(oauth):
    return rest_for(oauth, owner="alice-visitor")


@pytest.fixture
def bob(oauth):
    return rest_for(oauth, owner="bob-visitor")


def _events(space):
    return read_after(Org.objects.get(), space, ORDERS, -2).events


def test_publishing_answers_201_queued_with_the_event_uuid(main):
    answer = main.post(
        "/sobjects/Order_Placed__e/",
        {"Order_Number__c": "ORD-1", "Amount__c": 42.5, "Customer__c": "Acme"},
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["success"] is True
    assert body["id"].startswith("e00")
    assert len(body["id"]) == 18
    (enqueued,) = body["errors"]
    assert enqueued["statusCode"] == "OPERATION_ENQUEUED"
    assert enqueued["fields"] == []
    (event,) = _events("")
    assert enqueued["message"] == event.event_uuid
    assert event.replay_id == 1
    payload = event.payload
    assert payload["Order_Number__c"] == "ORD-1"
    assert payload["Amount__c"] == 42.5
    assert payload["CreatedById"] in set(OrgUser.objects.values_list("record_id", flat=True))
    assert payload["CreatedDate"].endswith("Z")
    assert len(payload["CreatedDate"]) == 24


def test_the_event_name_is_case_insensitive_and_fields_may_be_left_out(main):
    assert main.post("/sobjects/order_placed__e", {"amount__c": 3}).status_code == 201
    (event,) = _events("")
    assert event.payload["Amount__c"] == 3
    assert "Customer__c" not in event.payload


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"Nope__c": 1}, "INVALID_FIELD"),
        ({"Amount__c": "lots"}, "JSON_PARSER_ERROR"),
        ({"Amount__c": True}, "JSON_PARSER_ERROR"),
        ({"Customer__c": 7}, "JSON_PARSER_ERROR"),
        ([1, 2], "JSON_PARSER_ERROR"),
    ],
)
def test_a_bad_event_is_refused_with_salesforces_error_and_not_published(main, body, code):
    answer = main.post("/sobjects/Order_Placed__e/", body)
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == code
    assert _events("") == []


def test_an_event_type_nobody_defined_is_not_found(main):
    answer = main.post("/sobjects/Never_Defined__e/", {})
    assert answer.status_code == 404
    assert answer.json()[0]["errorCode"] == "NOT_FOUND"


def test_j1_a_trainees_published_events_stay_in_the_trainees_space(alice, bob):
    assert alice.post("/sobjects/Order_Placed__e/", {"Customer__c": "A"}).status_code == 201
    assert alice.post("/sobjects/Order_Placed__e/", {"Customer__c": "A"}).status_code == 201
    assert bob.post("/sobjects/Order_Placed__e/", {"Customer__c": "B"}).status_code == 201
    assert [e.payload["Customer__c"] for e in _events("bob-visitor")] == ["B"]
    assert [e.replay_id for e in _events("alice-visitor")] == [1, 2]
    assert _events("") == []


def _collection(records, all_or_none=False):
    return {"allOrNone": all_or_none, "records": records}


def _order(**values):
    return {"attributes": {"type": "Order_Placed__e"}, **values}


def test_a_collection_of_events_publishes_each_in_order(main):
    answer = main.post(
        "/composite/sobjects",
        _collection([_order(Customer__c="A"), _order(Customer__c="B"), _order(Nope__c=1)]),
    )
    assert answer.status_code == 200
    first, second, bad = answer.json()
    assert first["success"] is True
    assert second["errors"][0]["statusCode"] == "OPERATION_ENQUEUED"
    assert bad["success"] is False
    assert bad["errors"][0]["statusCode"] == "INVALID_FIELD"
    assert [e.payload["Customer__c"] for e in _events("")] == ["A", "B"]


def test_all_or_none_publishes_no_event_of_a_collection_with_a_bad_one(main):
    answer = main.post(
        "/composite/sobjects", _collection([_order(Amount__c=1), _order(Amount__c="x")], True)
    )
    rolled_back, bad = answer.json()
    assert rolled_back["success"] is False
    assert rolled_back["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert bad["errors"][0]["statusCode"] == "JSON_PARSER_ERROR"
    assert _events("") == []


@pytest.mark.parametrize("name", ["AccountChangeEvent", "ContactChangeEvent", "ChangeEvents"])
def test_a_change_event_cannot_be_published(main, name):
    # A change event is no sObject: only the org's own record changes make one.
    answer = main.post(f"/sobjects/{name}/", {"ChangeEventHeader": {"changeType": "CREATE"}})
    assert answer.status_code == 404
    assert answer.json()[0]["errorCode"] == "NOT_FOUND"
    assert Event.objects.count() == 0

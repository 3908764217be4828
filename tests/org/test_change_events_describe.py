"""describeGlobal and describe of event types, as a client discovers them: the platform event
types the caller's space sees and a change event per object, with Salesforce's flags."""

from __future__ import annotations

import pytest

from config.org_paths import API_VERSION
from org.events import definitions
from org.models import Org
from tests.org.rest_client import rest_for

RECORD_OBJECTS = {"Account", "Contact", "Asset", "Opportunity", "Case"}


@pytest.fixture
def alice(oauth):
    return rest_for(oauth, owner="alice-visitor")


@pytest.fixture
def bob(oauth):
    return rest_for(oauth, owner="bob-visitor")


def _listed(rest):
    return {s["name"]: s for s in rest.get("/sobjects/").json()["sobjects"]}


def test_describe_global_lists_event_types_after_the_record_objects(alice):
    listed = _listed(alice)
    names = list(listed)
    assert names[:5] == ["Account", "Contact", "Asset", "Opportunity", "Case"]
    assert {"Order_Placed__e", "Shipment_Dispatched__e"} <= set(names)
    assert {f"{n}ChangeEvent" for n in RECORD_OBJECTS} <= set(names)

    order = listed["Order_Placed__e"]
    assert order["custom"] is True
    assert order["createable"] is True
    assert order["queryable"] is False
    assert order["keyPrefix"] == "e00"
    assert order["associateEntityType"] is None
    change = listed["AccountChangeEvent"]
    assert change["associateEntityType"] == "ChangeEvent"
    assert change["associateParentEntity"] == "Account"
    assert change["createable"] is False
    assert change["queryable"] is False
    assert change["label"] == "Account Change Event"
    assert change["urls"]["describe"] == (
        f"/services/data/v{API_VERSION}/sobjects/AccountChangeEvent/describe"
    )
    assert listed["Account"]["associateEntityType"] is None


def test_j1_a_trainees_own_event_type_is_listed_for_them_only(alice, bob):
    definitions.define(Org.objects.get(), "alice-visitor", "Refund__e", "Refund", [])
    assert "Refund__e" in _listed(alice)
    assert "Refund__e" not in _listed(bob)
    assert bob.get("/sobjects/Refund__e/describe").status_code == 404


def test_describe_of_a_platform_event_shows_its_fields(alice):
    answer = alice.get("/sobjects/order_placed__e/describe")
    assert answer.status_code == 200
    body = answer.json()
    assert body["name"] == "Order_Placed__e"
    fields = {f["name"]: f for f in body["fields"]}
    assert list(fields) == [
        "ReplayId",
        "CreatedDate",
        "CreatedById",
        "Order_Number__c",
        "Amount__c",
        "Customer__c",
    ]
    assert fields["Amount__c"]["type"] == "double"
    assert fields["Amount__c"]["custom"] is True
    assert fields["Amount__c"]["createable"] is True
    assert fields["CreatedById"]["referenceTo"] == ["User"]
    assert fields["ReplayId"]["createable"] is False
    assert "EventUuid" not in fields


def test_describe_of_a_change_event_shows_the_header_and_the_objects_fields(alice):
    body = alice.get("/sobjects/ContactChangeEvent/describe").json()
    assert body["associateParentEntity"] == "Contact"
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["ChangeEventHeader"]["type"] == "complexvalue"
    assert fields["ChangeEventHeader"]["soapType"] == "tns:ChangeEventHeader"
    assert {"ReplayId", "Id", "LastName", "OwnerId", "CreatedDate"} <= set(fields)
    for absent in ("IsDeleted", "SystemModstamp", "Name"):
        assert absent not in fields
    assert not any(f["createable"] or f["updateable"] for f in body["fields"])


@pytest.mark.parametrize("name", ["LeadChangeEvent", "ChangeEvent", "ChangeEvents", "No__e"])
def test_an_event_type_nobody_has_is_not_found(alice, name):
    answer = alice.get(f"/sobjects/{name}/describe")
    assert answer.status_code == 404
    assert answer.json()[0]["errorCode"] == "NOT_FOUND"

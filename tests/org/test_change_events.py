"""Change Data Capture end to end: REST writes (single, sObject Collections, Bulk API 2.0)
append change events to `/data/<Object>ChangeEvent` and `/data/ChangeEvents` in the writer's
data space, with the ChangeEventHeader and body Salesforce sends over CometD."""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.org_paths import API_VERSION
from org.bulk import processing
from org.events import changes
from org.events.log import read_after
from org.events.models import Event
from org.models import Org, OrgUser, Record
from org.rest.spaces import Caller
from org.rest.writes import NewRecord, create_records, undelete_records
from tests.org.rest_client import rest_for

ACCOUNTS = "/data/AccountChangeEvent"
CONTACTS = "/data/ContactChangeEvent"
EVERYTHING = "/data/ChangeEvents"


@pytest.fixture
def main(oauth):
    return rest_for(oauth, owner="")


@pytest.fixture
def alice(oauth):
    return rest_for(oauth, owner="alice-visitor")


@pytest.fixture
def bob(oauth):
    return rest_for(oauth, owner="bob-visitor")


def _payloads(channel, space=""):
    return [e.payload for e in read_after(Org.objects.get(), space, channel, -2).events]


def _header(payload):
    return payload["ChangeEventHeader"]


def _ada():
    return OrgUser.objects.get(user__username="ada@handshake.example").record_id


def test_a_created_account_appears_on_its_channel_and_on_change_events(main):
    record_id = main.create("Account", Name="Acme", Industry="Energy", BillingCity="Leeds")

    (event,) = _payloads(ACCOUNTS)
    assert _payloads(EVERYTHING) == [event]
    header = _header(event)
    assert header["entityName"] == "Account"
    assert header["recordIds"] == [record_id]
    assert header["changeType"] == "CREATE"
    assert header["changeOrigin"] == f"com/salesforce/api/rest/{API_VERSION}"
    assert uuid.UUID(header["transactionKey"])
    assert header["sequenceNumber"] == 1
    assert isinstance(header["commitTimestamp"], int)
    assert header["commitTimestamp"] > 1_700_000_000_000  # milliseconds, not seconds
    assert header["commitUser"] == _ada()
    assert header["changedFields"] == []
    # The CometD header has no Pub/Sub bitmaps.
    assert "nulledFields" not in header
    assert "diffFields" not in header
    assert event["Name"] == "Acme"
    assert event["Industry"] == "Energy"
    assert event["BillingAddress"] == {"City": "Leeds"}
    assert event["OwnerId"] == event["CreatedById"] == event["LastModifiedById"] == _ada()
    assert event["CreatedDate"].endswith("Z")
    assert len(event["CreatedDate"]) == 24
    assert event["LastModifiedDate"] == event["CreatedDate"]
    # Empty fields, Id and the system fields change events never carry are left out.
    for absent in ("Phone", "Rating", "Id", "IsDeleted", "SystemModstamp", "BillingCity"):
        assert absent not in event


def test_each_channel_counts_its_own_replay_ids(main):
    main.create("Account", Name="One")
    main.create("Contact", LastName="Two")
    main.create("Account", Name="Three")
    org = Org.objects.get()
    assert [e.replay_id for e in read_after(org, "", ACCOUNTS, -2).events] == [1, 2]
    assert [e.replay_id for e in read_after(org, "", CONTACTS, -2).events] == [1]
    assert [e.replay_id for e in read_after(org, "", EVERYTHING, -2).events] == [1, 2, 3]
    commits = [_header(p)["commitNumber"] for p in _payloads(EVERYTHING)]
    assert commits == sorted(commits)
    assert len(set(commits)) == 3


def test_an_update_carries_only_the_changed_fields(main):
    record_id = main.create("Account", Name="Acme", Phone="0113 496 0000", Website="a.example")
    answer = main.patch(
        f"/sobjects/Account/{record_id}",
        {"Name": "Acme", "Phone": None, "Website": "b.example", "BillingCity": "York"},
    )
    assert answer.status_code == 204

    _, update = _payloads(ACCOUNTS)
    header = _header(update)
    assert header["changeType"] == "UPDATE"
    assert header["recordIds"] == [record_id]
    # Name was sent with the value it had: unchanged, so not in the event.
    assert header["changedFields"] == [
        "Phone",
        "Website",
        "BillingAddress.City",
        "LastModifiedDate",
    ]
    body = {k: v for k, v in update.items() if k != "ChangeEventHeader"}
    assert body.keys() == {"Phone", "Website", "BillingAddress", "LastModifiedDate"}
    assert body["Phone"] is None
    assert body["Website"] == "b.example"
    assert body["BillingAddress"] == {"City": "York"}


def test_a_contacts_name_travels_as_a_compound_field(main):
    record_id = main.create("Contact", FirstName="Ada", LastName="Byron", MailingCity="London")
    main.patch(f"/sobjects/Contact/{record_id}", {"LastName": "Lovelace"})

    created, updated = _payloads(CONTACTS)
    assert created["Name"] == {"FirstName": "Ada", "LastName": "Byron"}
    assert created["MailingAddress"] == {"City": "London"}
    assert _header(updated)["changedFields"] == ["Name.LastName", "LastModifiedDate"]
    assert updated["Name"] == {"LastName": "Lovelace"}


def test_a_delete_carries_the_header_only(main):
    record_id = main.create("Account", Name="Gone soon")
    assert main.delete(f"/sobjects/Account/{record_id}").status_code == 204

    deleted = _payloads(ACCOUNTS)[-1]
    assert list(deleted) == ["ChangeEventHeader"]
    assert _header(deleted)["changeType"] == "DELETE"
    assert _header(deleted)["recordIds"] == [record_id]


def test_an_undelete_carries_the_record_again(main, org):
    record_id = main.create("Account", Name="Back again")
    main.delete(f"/sobjects/Account/{record_id}")
    caller = Caller(org=org, space="", user=OrgUser.objects.get(record_id=_ada()))
    (result,) = undelete_records(caller, [record_id])
    assert result.success

    undeleted = _payloads(ACCOUNTS)[-1]
    assert _header(undeleted)["changeType"] == "UNDELETE"
    assert undeleted["Name"] == "Back again"


def test_a_collection_shares_one_transaction_key_in_request_order(main):
    records = [{"attributes": {"type": "Account"}, "Name": f"Batch {n}"} for n in range(3)]
    records.insert(1, {"attributes": {"type": "Contact"}, "LastName": "Among them"})
    answer = main.post("/composite/sobjects", {"allOrNone": True, "records": records})
    assert answer.status_code == 200
    created = [r["id"] for r in answer.json()]

    events = _payloads(EVERYTHING)
    headers = [_header(p) for p in events]
    assert [h["recordIds"] for h in headers] == [[i] for i in created]
    assert [h["sequenceNumber"] for h in headers] == [1, 2, 3, 4]
    assert len({h["transactionKey"] for h in headers}) == 1
    assert len({h["commitNumber"] for h in headers}) == 1
    assert [h["entityName"] for h in headers] == ["Account", "Contact", "Account", "Account"]
    # The object channels get the same payloads, each object its own.
    assert _payloads(ACCOUNTS) == [events[0], events[2], events[3]]
    assert _payloads(CONTACTS) == [events[1]]


def test_all_or_none_with_a_bad_record_appends_nothing(main):
    records = [
        {"attributes": {"type": "Account"}, "Name": "Fine"},
        {"attributes": {"type": "Account"}, "NoSuchField__c": "x"},
    ]
    answer = main.post("/composite/sobjects", {"allOrNone": True, "records": records})
    assert answer.status_code == 200
    assert not any(r["success"] for r in answer.json())
    assert Event.objects.count() == 0


def test_without_all_or_none_only_the_good_records_emit(main):
    records = [
        {"attributes": {"type": "Account"}, "Name": "Fine"},
        {"attributes": {"type": "Account"}, "NoSuchField__c": "x"},
    ]
    fine, bad = main.post("/composite/sobjects", {"records": records}).json()
    assert fine["success"]
    assert not bad["success"]
    assert [_header(p)["recordIds"] for p in _payloads(ACCOUNTS)] == [[fine["id"]]]


def test_a_write_whose_transaction_rolls_back_leaves_no_event(org):
    caller = Caller(org=org, space="", user=OrgUser.objects.get(record_id=_ada()))

    class Abandoned(Exception):
        pass

    def write_then_give_up():
        with transaction.atomic():
            (result,) = create_records(caller, [NewRecord("Account", {"Name": "Never"})])
            assert result.success
            assert Event.objects.count() == 2  # inside the transaction, both channels have it
            raise Abandoned

    with pytest.raises(Abandoned):
        write_then_give_up()
    assert Event.objects.count() == 0
    assert not Record.objects.filter(fields__Name="Never").exists()


def test_the_client_named_in_call_options_is_in_the_change_origin(main):
    main.post(
        "/sobjects/Account/",
        {"Name": "Tagged"},
        **{"Sforce-Call-Options": "client=Handshake-Lab/1, defaultNamespace=x"},
    )
    origin = _header(_payloads(ACCOUNTS)[0])["changeOrigin"]
    assert origin == f"com/salesforce/api/rest/{API_VERSION};client=Handshake-Lab/1"


def test_an_object_not_selected_emits_nothing(main):
    # Only Account and Contact are selected by default.
    main.create("Asset", Name="Quiet")
    assert Event.objects.count() == 0


def test_j1_change_events_stay_in_the_writers_space(alice, bob, main):
    alice.create("Account", Name="Alice's")

    assert len(_payloads(ACCOUNTS, "alice-visitor")) == 1
    assert _payloads(ACCOUNTS, "bob-visitor") == []
    assert _payloads(ACCOUNTS, "") == []
    assert _payloads(EVERYTHING, "bob-visitor") == []


def test_a_bulk_ingest_emits_with_the_bulk_api_as_origin(main):
    opened = main.post("/jobs/ingest/", {"object": "Account", "operation": "insert"}).json()
    rows = "Name\nBulk one\nBulk two\n"
    main.send("PUT", f"/jobs/ingest/{opened['id']}/batches", raw=rows, content_type="text/csv")
    main.patch(f"/jobs/ingest/{opened['id']}", {"state": "UploadComplete"})
    processing.process_all()

    events = _payloads(ACCOUNTS)
    assert [e["Name"] for e in events] == ["Bulk one", "Bulk two"]
    assert {_header(e)["changeOrigin"] for e in events} == {
        f"com/salesforce/api/bulkapi/{API_VERSION}"
    }


def test_channel_exists_for_every_object_of_the_schema():
    assert changes.channel_exists(EVERYTHING)
    for name in ("Account", "Contact", "Asset", "Opportunity", "Case"):
        assert changes.channel_exists(f"/data/{name}ChangeEvent")
    assert not changes.channel_exists("/data/LeadChangeEvent")
    assert not changes.channel_exists("/data/accountchangeevent")


_PHONES = st.one_of(st.none(), st.sampled_from(["0113 496 0000", "0113 496 0001"]))
_CITIES = st.one_of(st.none(), st.sampled_from(["Leeds", "York"]))


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=st.fixed_dictionaries({"Phone": _PHONES, "BillingCity": _CITIES}),
    second=st.fixed_dictionaries({}, optional={"Phone": _PHONES, "BillingCity": _CITIES}),
)
def test_an_update_names_exactly_the_fields_whose_value_changed(main, first, second):
    record_id = main.create("Account", Name="Props", **first)
    assert main.patch(f"/sobjects/Account/{record_id}", second).status_code == 204

    update = _payloads(ACCOUNTS)[-1]
    expected = [
        {"Phone": "Phone", "BillingCity": "BillingAddress.City"}[name]
        for name in ("Phone", "BillingCity")
        if name in second and second[name] != first[name]
    ]
    assert _header(update)["changedFields"] == [*expected, "LastModifiedDate"]
    if "Phone" in expected:
        assert update["Phone"] == second["Phone"]

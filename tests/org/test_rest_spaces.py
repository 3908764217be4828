from __future__ import annotations

import pytest

from org.models import ConnectedApp, Record
from org.rest.spaces import describe_space
from tests.org.rest_client import rest_for


@pytest.fixture
def alice(oauth):
    return rest_for(oauth, owner="alice-visitor")


@pytest.fixture
def bob(oauth):
    return rest_for(oauth, owner="bob-visitor")


def test_j1_a_trainees_records_are_invisible_to_another_trainee(alice, bob):
    record_id = alice.create("Account", Name="Alice's secret account")

    assert bob.get(f"/sobjects/Account/{record_id}").status_code == 404
    assert bob.patch(f"/sobjects/Account/{record_id}", {"Name": "x"}).status_code == 404
    assert bob.delete(f"/sobjects/Account/{record_id}").status_code == 404
    query = "SELECT Id FROM Account WHERE Name = 'Alice''s secret account'"
    assert bob.query(query.replace("''", "\\'")).json()["totalSize"] == 0
    assert bob.query(query.replace("''", "\\'"), resource="queryAll").json()["totalSize"] == 0
    recent = bob.get("/sobjects/Account/").json()["recentItems"]
    assert record_id not in [item["Id"] for item in recent]
    collection = bob.patch(
        "/composite/sobjects",
        {"records": [{"attributes": {"type": "Account"}, "id": record_id, "Name": "x"}]},
    )
    assert collection.json()[0]["success"] is False
    assert Record.objects.get(record_id=record_id).fields["Name"] == "Alice's secret account"


def test_j1_a_trainee_cannot_point_a_reference_at_another_trainees_record(alice, bob):
    account = alice.create("Account", Name="Alice's")

    response = bob.post("/sobjects/Contact/", {"LastName": "x", "AccountId": account})

    assert response.json()[0]["errorCode"] == "INVALID_CROSS_REFERENCE_KEY"


def test_j1_seeded_demo_records_are_shared_and_read_only_to_trainees(alice):
    demo = Record.objects.filter(sobject="Account", seeded=True).earliest("created_at")

    read = alice.get(f"/sobjects/Account/{demo.record_id}")
    update = alice.patch(f"/sobjects/Account/{demo.record_id}", {"Name": "Mine now"})
    delete = alice.delete(f"/sobjects/Account/{demo.record_id}")

    assert read.status_code == 200
    assert update.status_code == delete.status_code == 400
    assert update.json()[0]["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"
    demo.refresh_from_db()
    assert demo.fields["Name"] != "Mine now"
    assert demo.is_deleted is False


def test_a_trainee_may_relate_its_records_to_the_seeded_ones(alice):
    demo = Record.objects.filter(sobject="Account", seeded=True).earliest("created_at")

    contact = alice.create("Contact", LastName="Linked", AccountId=demo.record_id)

    assert alice.get(f"/sobjects/Contact/{contact}").json()["AccountId"] == demo.record_id


def test_apps_without_an_owner_share_the_main_data_and_do_not_see_trainee_records(oauth, alice):
    integration, other_integration = rest_for(oauth, owner=""), rest_for(oauth, owner="")
    trainee_record = alice.create("Account", Name="Trainee's")
    shared = integration.create("Account", Name="Shared by integrations")

    assert other_integration.get(f"/sobjects/Account/{shared}").status_code == 200
    assert integration.get(f"/sobjects/Account/{trainee_record}").status_code == 404
    assert alice.get(f"/sobjects/Account/{shared}").status_code == 404


def test_the_space_an_app_writes_to_is_named_for_the_page(oauth):
    integration = ConnectedApp.objects.get(client_id=oauth.app(owner="").client_id)
    practice = ConnectedApp.objects.get(client_id=oauth.app(owner="visitor").client_id)

    assert "main data" in describe_space(integration)
    assert "your own practice data space" in describe_space(practice)

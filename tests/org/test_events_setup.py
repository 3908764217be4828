"""Setup's platform events page: the seeded event types, defining another (validated), and the
switch that shortens a channel's retention, each for the visitor's own space."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from org.events import definitions
from org.events.log import retention_of
from org.visitors import visitor_id

PAGE = "/setup/events/"
RETENTION = "/setup/events/retention/"


def _space(client):
    return visitor_id(client.session)


def test_the_page_lists_the_seeded_event_types_and_their_channels(org, client):
    page = client.get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    for shown in (
        "Order_Placed__e",
        "/event/Order_Placed__e",
        "Amount__c",
        "Shipment_Dispatched__e",
    ):
        assert shown in text
    assert page["Cache-Control"] == "no-store"


def test_seeded_order_placed_has_its_three_fields(org):
    found = definitions.find(org, "", "order_placed__e")
    assert found is not None
    assert found.fields == [
        {"name": "Order_Number__c", "type": "string"},
        {"name": "Amount__c", "type": "double"},
        {"name": "Customer__c", "type": "string"},
    ]


def test_a_visitor_defines_an_event_only_they_see(org, client):
    answer = client.post(
        PAGE,
        {
            "api_name": "Refund_Issued__e",
            "label": "Refund issued",
            "custom_fields": "Amount__c double\nReason__c string",
        },
    )
    assert answer.status_code == 302
    shown = client.get(PAGE).content.decode()
    assert "Defined Refund_Issued__e." in shown
    assert "/event/Refund_Issued__e" in shown
    assert "Reason__c" in shown
    other = Client()
    assert "/event/Refund_Issued__e" not in other.get(PAGE).content.decode()
    assert definitions.find(org, "", "Refund_Issued__e") is None


@pytest.mark.parametrize(
    ("api_name", "fields", "said"),
    [
        ("Refund_Issued", "", "end in __e"),
        ("9Refund__e", "", "start with a letter"),
        ("Refund__Issued__e", "", "single"),
        ("Order_Placed__e", "", "already exists"),
        ("Refund__e", "Amount double", "end in __c"),
        ("Refund__e", "Amount__c money", "choose one of the listed types"),
        ("Refund__e", "Amount__c", "Line 1"),
        ("Refund__e", "Amount__c double\namount__c string", "listed twice"),
    ],
)
def test_a_bad_definition_is_answered_with_a_form_error(org, client, api_name, fields, said):
    answer = client.post(PAGE, {"api_name": api_name, "label": "Refund", "custom_fields": fields})
    assert answer.status_code == 400
    assert said in answer.content.decode()


def test_the_retention_switch_shortens_a_channel_for_this_visitor_only(org, client):
    client.get(PAGE)
    answer = client.post(RETENTION, {"channel": "/event/Order_Placed__e", "minutes": "5"})
    assert answer.status_code == 302
    shown = client.get(PAGE).content.decode()
    assert "/event/Order_Placed__e now keeps its events for 5 minutes." in shown
    assert "shortened" in shown
    assert retention_of(org, _space(client), "/event/Order_Placed__e") == timedelta(minutes=5)
    assert retention_of(org, "", "/event/Order_Placed__e") == timedelta(hours=72)
    client.post(RETENTION, {"channel": "/event/Order_Placed__e", "minutes": ""})
    assert retention_of(org, _space(client), "/event/Order_Placed__e") == timedelta(hours=72)


@pytest.mark.parametrize(
    "form",
    [
        {"channel": "/event/Nope__e", "minutes": "5"},
        {"channel": "/event/Order_Placed__e", "minutes": "0"},
        {"channel": "/event/Order_Placed__e", "minutes": "99999"},
        {"channel": "/event/Order_Placed__e", "minutes": "soon"},
        {},
    ],
)
def test_a_bad_retention_is_refused_with_a_message(org, client, form):
    answer = client.post(RETENTION, form, follow=True)
    assert answer.status_code == 200
    assert "Choose a listed channel" in answer.content.decode()
    assert retention_of(org, _space(client), "/event/Order_Placed__e") == timedelta(hours=72)

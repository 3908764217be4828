"""The event lab against the org's own CometD endpoint, end to end: its subscribers shake hands,
subscribe and connect through the same in-process transport as its publisher, and what the
page shows is what the bus answered."""

from __future__ import annotations

import json

import pytest

from org.streaming.models import StreamingClient
from playground.labs.events import bayeux
from tests.playground.test_event_lab import act, lab, latest  # noqa: F401

pytestmark = pytest.mark.django_db


def delivered(result):
    return [m for exchange in result.exchanges for m in bayeux.deliveries(exchange)]


def numbers(result):
    return [m["data"]["payload"]["Order_Number__c"] for m in delivered(result)]


def publish(client, run, number):
    act(client, run, "publish", Order_Number__c=number, Amount__c="1", Customer__c="Ada")
    assert latest(run, "publish").outcome == "ok"


def test_a_published_event_reaches_the_labs_platform_subscriber(client, lab):  # noqa: F811
    act(client, lab, "subscribe-platform", replay="-1")
    started = latest(lab, "subscribe-platform")
    assert started.outcome == "ok", started.headline
    assert [bayeux.sent_to(e)["channel"] for e in started.exchanges] == [
        "/meta/handshake",
        "/meta/subscribe",
        "/meta/connect",
    ]
    publish(client, lab, "ORD-1")

    act(client, lab, "check")
    checked = latest(lab, "check")
    assert checked.headline == "1 new event(s)."
    (event,) = delivered(checked)
    assert event["channel"] == "/event/Order_Placed__e"
    assert event["data"]["payload"]["Order_Number__c"] == "ORD-1"
    assert event["data"]["event"]["replayId"] == 1
    # Delivered once: the next check brings only what came after.
    publish(client, lab, "ORD-2")
    act(client, lab, "check")
    assert numbers(latest(lab, "check")) == ["ORD-2"]


def test_an_edit_reaches_the_change_subscriber_with_only_the_changed_field(client, lab):  # noqa: F811
    act(client, lab, "create-record")
    act(client, lab, "subscribe-changes", replay="-1")
    assert latest(lab, "subscribe-changes").outcome == "ok"
    act(client, lab, "edit-record", Name="", Industry="Banking", Phone="", Description="")

    act(client, lab, "check")
    (event,) = delivered(latest(lab, "check"))
    assert event["channel"] == "/data/AccountChangeEvent"
    payload = event["data"]["payload"]
    header = payload.pop("ChangeEventHeader")
    assert header["changeType"] == "UPDATE"
    assert header["changedFields"] == ["Industry", "LastModifiedDate"]
    assert payload.keys() == {"Industry", "LastModifiedDate"}


def test_reconnecting_with_the_last_replay_id_brings_exactly_what_was_missed(client, lab):  # noqa: F811
    act(client, lab, "subscribe-platform", replay="-1")
    publish(client, lab, "seen")
    act(client, lab, "check")
    lab.refresh_from_db()
    last_seen = lab.values["platform.replay_id"]
    assert last_seen == "1"

    act(client, lab, "disconnect-platform")
    assert "The bus let it go" in latest(lab, "disconnect-platform").headline
    publish(client, lab, "missed-1")
    publish(client, lab, "missed-2")

    act(client, lab, "subscribe-platform", replay=last_seen)
    assert numbers(latest(lab, "subscribe-platform")) == ["missed-1", "missed-2"]
    act(client, lab, "disconnect-platform")
    act(client, lab, "subscribe-platform", replay="-1")
    assert numbers(latest(lab, "subscribe-platform")) == []
    act(client, lab, "disconnect-platform")
    act(client, lab, "subscribe-platform", replay="-2")
    assert numbers(latest(lab, "subscribe-platform")) == ["seen", "missed-1", "missed-2"]


def test_a_forgotten_client_shakes_hands_again_and_resumes_from_its_last_id(client, lab):  # noqa: F811
    act(client, lab, "subscribe-platform", replay="-1")
    publish(client, lab, "first")
    act(client, lab, "check")
    # The bus forgets the client, as it does one that stayed away for two minutes.
    StreamingClient.objects.all().delete()
    publish(client, lab, "while-forgotten")

    act(client, lab, "check")
    checked = latest(lab, "check")
    replies = [m for e in checked.exchanges for m in bayeux.messages(e)]
    assert replies[0]["error"] == "403::Unknown client"
    assert [m["channel"] for m in replies[1:3]] == ["/meta/handshake", "/meta/subscribe"]
    assert numbers(checked) == ["while-forgotten"]


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("bad-replay-id", "400::The replayId {1000000} you provided was invalid."),
        (
            "unknown-channel",
            "400::The channel you requested to subscribe to doesn't exist "
            "{/event/No_Such_Event__e}",
        ),
        ("revoked-token", "403::Handshake denied 401::Authentication invalid"),
    ],
)
def test_break_it_on_the_subscriber_shows_the_buss_refusal(client, lab, fault, error):  # noqa: F811
    act(client, lab, "subscribe-platform", replay="-1", fault=fault)
    result = latest(lab, "subscribe-platform", fault=fault)
    assert result.outcome == "ok", result.headline
    assert error in result.headline
    answered = json.loads(result.exchanges[-1].response_body)
    assert all(m["successful"] in {True, False} for m in answered)

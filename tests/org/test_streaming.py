"""The CometD endpoint over HTTP, as jsforce's Faye client drives it: handshake, subscribe with
the replay extension, connect, unsubscribe, disconnect, and the errors Salesforce answers."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from org.streaming import protocol
from org.streaming.models import StreamingClient
from tests.org.conftest import ADA, REVOKE
from tests.org.rest_client import rest_for
from tests.org.streaming_client import COMETD, Bayeux, bayeux_for, replay_ids

ORDERS = "/event/Order_Placed__e"
ACCOUNTS = "/data/AccountChangeEvent"
EVERYTHING = "/data/ChangeEvents"


@pytest.fixture
def main(oauth):
    return rest_for(oauth, owner="")


@pytest.fixture
def bus(main):
    return bayeux_for(main)


def publish(rest, number: str = "ORD-1", **fields):
    answer = rest.post("/sobjects/Order_Placed__e/", {"Order_Number__c": number, **fields})
    assert answer.status_code == 201, answer.content
    return answer.json()["errors"][0]["message"]  # the EventUuid


@pytest.mark.parametrize("scheme", ["OAuth", "Bearer"])
def test_a_handshake_answers_as_salesforce_with_either_token_scheme(main, scheme):
    response = bayeux_for(main, scheme).post(
        {
            "channel": "/meta/handshake",
            "version": "1.0",
            "supportedConnectionTypes": ["long-polling"],
            "ext": {"replay": True},
            "id": "1",
        }
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    (reply,) = response.json()
    client_id = reply.pop("clientId")
    assert reply == {
        "channel": "/meta/handshake",
        "id": "1",
        "version": "1.0",
        "minimumVersion": "1.0",
        "supportedConnectionTypes": ["long-polling"],
        "ext": {"replay": True, "payload.format": True},
        "reestablish": False,
        "successful": True,
    }
    assert len(client_id) >= 26
    assert client_id.isalnum()
    assert client_id.islower() or client_id.isdigit()


def test_each_handshake_gives_a_new_client_id(bus):
    assert len({bus.handshake() for _ in range(5)}) == 5


def test_subscribe_and_connect_answer_with_salesforces_shapes(bus):
    client_id = bus.handshake()
    assert bus.subscribe(client_id, ORDERS) == {
        "channel": "/meta/subscribe",
        "id": "2",
        "clientId": client_id,
        "subscription": ORDERS,
        "successful": True,
    }
    (reply,) = bus.connect(client_id)
    # The test client gives each request a thread, as a WSGI server or the TLS listener
    # does: connects are not held there, and the advice says to poll. The site's ASGI
    # server holds them (test_streaming_live.py).
    assert reply == {
        "channel": "/meta/connect",
        "id": "3",
        "clientId": client_id,
        "advice": {"interval": 1000, "timeout": 0, "reconnect": "retry"},
        "successful": True,
    }


def test_a_published_event_reaches_a_subscriber_in_salesforces_shape(main, bus):
    client_id = bus.subscribed(ORDERS)
    assert bus.events(client_id) == []
    uuid = publish(main, "ORD-7", Amount__c=12.5, Customer__c="Acme")

    (event,) = bus.events(client_id)
    assert event["channel"] == ORDERS
    assert event["data"]["event"] == {"EventUuid": uuid, "replayId": 1}
    payload = event["data"]["payload"]
    assert payload["Order_Number__c"] == "ORD-7"
    assert payload["Amount__c"] == 12.5
    assert payload["Customer__c"] == "Acme"
    assert payload["CreatedDate"].endswith("Z")
    assert payload["CreatedById"].startswith("005")
    schema = event["data"]["schema"]
    assert len(schema) == 22
    # Delivered once: the next connect has nothing new.
    assert bus.events(client_id) == []


def test_events_arrive_before_the_connect_reply_in_replay_id_order(main, bus):
    client_id = bus.subscribed(ORDERS)
    bus.events(client_id)
    for number in range(5):
        publish(main, f"ORD-{number}")
    answer = bus.connect(client_id)
    assert answer[-1]["channel"] == "/meta/connect"
    assert replay_ids(answer[:-1]) == [1, 2, 3, 4, 5]
    assert [e["data"]["payload"]["Order_Number__c"] for e in answer[:-1]] == [
        f"ORD-{n}" for n in range(5)
    ]


def test_before_52_0_events_carry_no_event_uuid(main):
    old = Bayeux(main.client, main.token, path="/cometd/51.0")
    client_id = old.subscribed(ORDERS)
    publish(main)
    (event,) = old.events(client_id)
    assert event["data"]["event"] == {"replayId": 1}


def test_replay_minus_one_gives_only_new_events(main, bus):
    publish(main, "before")
    client_id = bus.subscribed(ORDERS, -1)
    assert bus.events(client_id) == []
    publish(main, "after")
    (event,) = bus.events(client_id)
    assert event["data"]["payload"]["Order_Number__c"] == "after"
    assert event["data"]["event"]["replayId"] == 2


def test_no_replay_extension_means_new_events_only(main, bus):
    publish(main, "before")
    client_id = bus.subscribed(ORDERS)
    publish(main, "after")
    assert replay_ids(bus.events(client_id)) == [2]


def test_replay_minus_two_gives_everything_retained_then_what_follows(main, bus):
    for number in range(3):
        publish(main, f"ORD-{number}")
    client_id = bus.subscribed(ORDERS, -2)
    assert replay_ids(bus.events(client_id)) == [1, 2, 3]
    publish(main, "ORD-3")
    assert replay_ids(bus.events(client_id)) == [4]


def test_replay_from_a_stored_id_gives_exactly_what_came_after_it(main, bus):
    for number in range(4):
        publish(main, f"ORD-{number}")
    client_id = bus.subscribed(ORDERS, 2)
    assert replay_ids(bus.events(client_id)) == [3, 4]
    # The id as digits in a string is accepted too, as clients store it.
    again = bus.subscribed(ORDERS, "3")
    assert replay_ids(bus.events(again)) == [4]


def test_a_change_event_carries_only_the_changed_fields(main, bus):
    record_id = main.create("Account", Name="Acme", Phone="0113 496 0000")
    client_id = bus.subscribed(ACCOUNTS)
    everything = bus.subscribed(EVERYTHING)
    answer = main.patch(f"/sobjects/Account/{record_id}", {"Name": "Acme", "Phone": "0113 2"})
    assert answer.status_code == 204

    (event,) = bus.events(client_id)
    assert event["channel"] == ACCOUNTS
    assert event["data"]["event"] == {"replayId": 2}
    payload = event["data"]["payload"]
    header = payload.pop("ChangeEventHeader")
    assert header["changeType"] == "UPDATE"
    assert header["recordIds"] == [record_id]
    assert header["changedFields"] == ["Phone", "LastModifiedDate"]
    assert payload.keys() == {"Phone", "LastModifiedDate"}
    assert payload["Phone"] == "0113 2"
    (same,) = bus.events(everything)
    assert same["channel"] == EVERYTHING
    assert same["data"]["payload"]["ChangeEventHeader"] == header
    # One object, one schema, whichever channel carried it.
    assert same["data"]["schema"] == event["data"]["schema"]


def test_unsubscribe_stops_delivery_and_disconnect_forgets_the_client(main, bus):
    client_id = bus.subscribed(ORDERS)
    reply = bus.one(
        {"channel": "/meta/unsubscribe", "clientId": client_id, "subscription": ORDERS, "id": "9"}
    )
    assert reply == {
        "channel": "/meta/unsubscribe",
        "id": "9",
        "clientId": client_id,
        "subscription": ORDERS,
        "successful": True,
    }
    publish(main)
    assert bus.events(client_id) == []

    bye = bus.one({"channel": "/meta/disconnect", "clientId": client_id, "id": "10"})
    assert bye == {
        "channel": "/meta/disconnect",
        "id": "10",
        "clientId": client_id,
        "successful": True,
    }
    (gone,) = bus.connect(client_id)
    assert gone["error"] == "403::Unknown client"
    assert gone["advice"] == {"interval": 0, "reconnect": "handshake"}


def test_a_batch_of_messages_gets_one_answer_each_in_order(main, bus):
    client_id = bus.handshake()
    publish(main)
    response = bus.post(
        {
            "channel": "/meta/subscribe",
            "clientId": client_id,
            "subscription": ORDERS,
            "ext": {"replay": {ORDERS: -2}},
            "id": "a",
        },
        {
            "channel": "/meta/subscribe",
            "clientId": client_id,
            "subscription": ACCOUNTS,
            "id": "b",
        },
        {"channel": "/meta/connect", "clientId": client_id, "connectionType": "long-polling"},
    )
    answer = response.json()
    assert [(m.get("id"), m["channel"]) for m in answer] == [
        ("a", "/meta/subscribe"),
        ("b", "/meta/subscribe"),
        (None, ORDERS),
        (None, "/meta/connect"),
    ]


# Errors ---------------------------------------------------------------------------------------


def test_a_handshake_without_a_token_is_denied_as_needing_authentication(main):
    response = Bayeux(main.client, "").post({"channel": "/meta/handshake", "id": "1"})
    assert response.status_code == 401
    assert response.json() == [
        {
            "channel": "/meta/handshake",
            "id": "1",
            "ext": {"sfdc": {"failureReason": "401::Request requires authentication"}},
            "advice": {"interval": 0, "reconnect": "none"},
            "error": "403::Handshake denied",
            "successful": False,
        }
    ]


@pytest.mark.parametrize("scheme", ["OAuth", "Bearer"])
def test_a_revoked_token_is_denied_on_handshake_and_connect(oauth, scheme):
    app = oauth.app(grants=["client_credentials"], run_as=ADA)
    token = oauth.token(app, grant_type="client_credentials").json()["access_token"]
    bus = Bayeux(oauth.client, token, scheme)
    client_id = bus.handshake()
    revoked = oauth.post(
        REVOKE, {"token": token, "client_id": app.client_id, "client_secret": app.client_secret}
    )
    assert revoked.status_code == 200

    hello = bus.post({"channel": "/meta/handshake", "id": "1"})
    assert hello.status_code == 401
    (denied,) = hello.json()
    assert denied["error"] == "403::Handshake denied"
    assert denied["ext"] == {"sfdc": {"failureReason": "401::Authentication invalid"}}
    assert denied["advice"]["reconnect"] == "none"
    connect = bus.post(
        {"channel": "/meta/connect", "clientId": client_id, "connectionType": "long-polling"}
    )
    assert connect.status_code == 401
    assert connect.json() == [
        {
            "channel": "/meta/connect",
            "clientId": client_id,
            "advice": {"interval": 0, "reconnect": "none"},
            "error": "401::Authentication invalid",
            "successful": False,
        }
    ]


def test_a_made_up_token_and_another_scheme_are_authentication_invalid(main):
    for header in ("OAuth not-a-token", f"Basic {main.token}"):
        scheme, token = header.split(" ")
        (denied,) = Bayeux(main.client, token, scheme).post({"channel": "/meta/handshake"}).json()
        assert denied["ext"]["sfdc"]["failureReason"] == "401::Authentication invalid"


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/cometd/", protocol.VERSION_MISSING),
        ("/cometd", protocol.VERSION_MISSING),
        ("/cometd/36.0", protocol.VERSION_UNSUPPORTED),
        ("/cometd/23.0", protocol.VERSION_UNSUPPORTED),
        ("/cometd/62", protocol.VERSION_UNSUPPORTED),
        ("/cometd/replay/36.0", protocol.VERSION_UNSUPPORTED),
    ],
)
def test_a_missing_or_old_api_version_is_salesforces_400(main, path, error):
    response = Bayeux(main.client, main.token, path=path).post({"channel": "/meta/handshake"})
    assert response.status_code == 400
    assert response.json() == [{"successful": False, "error": error}]


def test_the_version_messages_read_as_salesforces(main):
    assert protocol.VERSION_MISSING == (
        "400::API version in the URI is mandatory. URI format: '/cometd/62.0'"
    )
    assert protocol.VERSION_UNSUPPORTED == (
        "400::Unsupported API version. Only API versions '37.0' and later are supported. "
        "URI format: '/cometd/62.0'"
    )


def test_get_is_refused_with_405_in_bayeux_json(client, org):
    response = client.get(COMETD)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()[0]["successful"] is False


def test_a_body_over_32_768_bytes_is_413(bus):
    big = json.dumps([{"channel": "/meta/handshake", "padding": "x" * 33_000}])
    response = bus.post(raw=big)
    assert response.status_code == 413
    assert response.json() == [{"successful": False, "error": "413::Maximum Request Size Exceeded"}]


@pytest.mark.parametrize("raw", ["", "not json", "[]", "42", '"text"', "[1, 2]", "{]"])
def test_a_body_that_is_not_bayeux_is_a_bayeux_error(bus, raw):
    response = bus.post(raw=raw)
    assert response.status_code in {200, 400}
    answer = response.json()
    assert isinstance(answer, list)
    assert all(message["successful"] is False for message in answer)


def test_an_unknown_channel_is_refused_with_its_name(bus):
    client_id = bus.handshake()
    for channel in ("/event/No_Such__e", "/event/order_placed__e", "/data/NoSuchChangeEvent"):
        assert bus.subscribe(client_id, channel) == {
            "channel": "/meta/subscribe",
            "id": "2",
            "clientId": client_id,
            "subscription": channel,
            "error": f"400::The channel you requested to subscribe to doesn't exist {{{channel}}}",
            "successful": False,
        }


def test_a_subscription_without_a_channel_or_a_slash_is_refused(bus):
    client_id = bus.handshake()
    for subscription, error in (
        (None, "400::Channel name not specified"),
        ("", "400::Channel name not specified"),
        (["/event/Order_Placed__e"], "400::Channel name not specified"),
        ("event/Order_Placed__e", "400::Channel subscriptions must start with a leading '/'"),
    ):
        reply = bus.subscribe(client_id, subscription)
        assert reply["successful"] is False
        assert reply["error"] == error


def test_a_websocket_connect_is_an_invalid_connection_type(bus):
    client_id = bus.handshake()
    reply = bus.one(
        {"channel": "/meta/connect", "clientId": client_id, "connectionType": "websocket"}
    )
    assert reply["error"] == "400::Invalid connection type {websocket}"


def test_publishing_over_cometd_and_unknown_meta_channels_are_refused(bus):
    client_id = bus.handshake()
    publish_reply = bus.one({"channel": ORDERS, "clientId": client_id, "data": {}})
    assert publish_reply["error"] == "403::Publish denied"
    assert bus.one({"channel": "/meta/nothing", "clientId": client_id})["successful"] is False


def test_a_client_not_seen_for_two_minutes_is_unknown(bus):
    client_id = bus.subscribed(ORDERS)
    StreamingClient.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    (reply,) = bus.connect(client_id)
    assert reply["error"] == "403::Unknown client"
    assert reply["advice"]["reconnect"] == "handshake"


def test_the_purge_deletes_clients_past_their_timeout(bus):
    stale, live = bus.handshake(), bus.handshake()
    first = StreamingClient.objects.order_by("pk")[:1].get()
    StreamingClient.objects.filter(pk=first.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    out = StringIO()
    call_command("purge_expired", stdout=out)
    assert "expired streaming clients: 1 deleted in 1 batch" in out.getvalue()
    assert bus.connect(stale)[0]["error"] == "403::Unknown client"
    assert bus.connect(live)[0]["successful"] is True

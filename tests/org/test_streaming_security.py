"""Catalogue rows J1, J4 and J5 on the streaming endpoint, and any body at all answered in
Bayeux JSON, never a 500."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from org.events import definitions
from org.events.models import ChannelRetention, Event
from org.models import Org
from org.streaming import clients, subscriptions
from org.streaming.models import StreamingClient
from tests.org.rest_client import rest_for
from tests.org.streaming_client import bayeux_for, replay_ids

ORDERS = "/event/Order_Placed__e"
ACCOUNTS = "/data/AccountChangeEvent"
REPLAY_ERROR = (
    "400::The replayId {{{}}} you provided was invalid. Please provide a valid ID, -2 to "
    "replay all events, or -1 to replay only new events."
)


@pytest.fixture
def django_settings(settings):
    # Named apart from hypothesis's `settings`, which this module imports.
    return settings


@pytest.fixture
def alice(oauth):
    return rest_for(oauth, owner="alice-visitor")


@pytest.fixture
def bob(oauth):
    return rest_for(oauth, owner="bob-visitor")


def publish(rest, number="ORD-1"):
    answer = rest.post("/sobjects/Order_Placed__e/", {"Order_Number__c": number})
    assert answer.status_code == 201, answer.content


def test_j1_a_trainee_never_receives_another_trainees_events(alice, bob):
    alice_bus, bob_bus = bayeux_for(alice), bayeux_for(bob)
    bobs_orders = bob_bus.subscribed(ORDERS, -2)
    bobs_accounts = bob_bus.subscribed(ACCOUNTS, -2)
    publish(alice, "alice's")
    alice.create("Account", Name="Alice's account")

    assert bob_bus.events(bobs_orders) == []
    assert bob_bus.events(bobs_accounts) == []
    alices = alice_bus.subscribed(ORDERS, -2)
    (event,) = alice_bus.events(alices)
    assert event["data"]["payload"]["Order_Number__c"] == "alice's"


def test_j1_a_trainees_own_event_type_is_no_channel_for_another(alice, bob):
    definitions.define(Org.objects.get(), "alice-visitor", "Refund__e", "Refund", [])
    alice_bus, bob_bus = bayeux_for(alice), bayeux_for(bob)
    assert alice_bus.subscribe(alice_bus.handshake(), "/event/Refund__e")["successful"] is True
    refused = bob_bus.subscribe(bob_bus.handshake(), "/event/Refund__e")
    assert refused["error"].startswith("400::The channel you requested to subscribe to")


def test_j4_another_tokens_client_id_is_an_unknown_client_and_gets_nothing(alice, bob):
    alice_bus, bob_bus = bayeux_for(alice), bayeux_for(bob)
    alices = alice_bus.subscribed(ORDERS, -2)
    publish(alice)

    for message in (
        {"channel": "/meta/connect", "clientId": alices, "connectionType": "long-polling"},
        {"channel": "/meta/subscribe", "clientId": alices, "subscription": ACCOUNTS},
        {"channel": "/meta/unsubscribe", "clientId": alices, "subscription": ORDERS},
        {"channel": "/meta/disconnect", "clientId": alices},
    ):
        answer = bob_bus.post(message).json()
        assert answer == [
            {
                "channel": message["channel"],
                "error": "403::Unknown client",
                "advice": {"interval": 0, "reconnect": "handshake"},
                "successful": False,
            }
        ]
    # Bob's attempts took nothing from Alice: her client still has its subscription and event.
    assert replay_ids(alice_bus.events(alices)) == [1]


def test_j4_a_guessed_client_id_is_an_unknown_client(alice):
    bus = bayeux_for(alice)
    bus.handshake()
    for guess in ("", "1", "0" * 31, clients.new_client_id(), "x" * 5000, None, 42):
        (reply,) = bus.post(
            {"channel": "/meta/connect", "clientId": guess, "connectionType": "long-polling"}
        ).json()
        assert reply["error"] == "403::Unknown client"


def test_j4_client_ids_are_long_and_random():
    made = {clients.new_client_id() for _ in range(1000)}
    assert len(made) == 1000
    assert min(len(client_id) for client_id in made) >= 26


def test_j4_subscriptions_per_client_are_capped(alice, monkeypatch):
    monkeypatch.setattr(subscriptions, "MAX_SUBSCRIPTIONS", 2)
    bus = bayeux_for(alice)
    client_id = bus.handshake()
    assert bus.subscribe(client_id, ORDERS)["successful"] is True
    assert bus.subscribe(client_id, ACCOUNTS)["successful"] is True
    # Subscribing again to a channel it has only moves its position.
    assert bus.subscribe(client_id, ORDERS, -2)["successful"] is True
    refused = bus.subscribe(client_id, "/data/ContactChangeEvent")
    assert refused["successful"] is False
    assert refused["error"] == "403::Maximum subscriptions per client exceeded"


def test_j4_live_clients_per_trainee_space_are_capped_and_expired_ones_free_room(
    alice, bob, monkeypatch
):
    monkeypatch.setattr(clients, "TRAINEE_CLIENTS", 3)
    bus = bayeux_for(alice)
    made = [bus.handshake() for _ in range(3)]
    (refused,) = bus.post({"channel": "/meta/handshake", "id": "1"}).json()
    assert refused == {
        "channel": "/meta/handshake",
        "id": "1",
        "error": "403::Organization concurrent user limit exceeded",
        "advice": {"interval": 0, "reconnect": "none"},
        "successful": False,
    }
    # Another trainee's room is untouched by Alice's clients.
    assert bayeux_for(bob).handshake()
    # A disconnect frees a place.
    bus.post({"channel": "/meta/disconnect", "clientId": made[0]})
    assert bus.handshake()


def test_j4_clients_per_org_are_capped(oauth, monkeypatch):
    monkeypatch.setattr(clients, "ORG_CLIENTS", 2)
    buses = [bayeux_for(rest_for(oauth, owner=f"visitor-{n}")) for n in range(3)]
    buses[0].handshake()
    buses[1].handshake()
    (refused,) = buses[2].post({"channel": "/meta/handshake"}).json()
    assert refused["error"] == "403::Organization concurrent user limit exceeded"


@pytest.mark.parametrize("bad", [-3, -100, 1.5, "abc", "", True, None, [], {}, "1e3", "٣"])
def test_j5_a_replay_id_other_than_minus_one_minus_two_or_a_kept_id_is_refused(alice, bad):
    publish(alice)
    bus = bayeux_for(alice)
    client_id = bus.handshake()
    reply = bus.one(
        {
            "channel": "/meta/subscribe",
            "clientId": client_id,
            "subscription": ORDERS,
            "ext": {"replay": {ORDERS: bad}},
        }
    )
    assert reply["successful"] is False
    assert reply["error"] == REPLAY_ERROR.format(bad)
    assert reply["subscription"] == ORDERS


def test_j5_a_replay_id_never_given_out_is_refused(alice):
    publish(alice)
    bus = bayeux_for(alice)
    reply = bus.subscribe(bus.handshake(), ORDERS, 1_000_001)
    assert reply["error"] == REPLAY_ERROR.format(1_000_001)


def test_j5_a_replay_id_older_than_retention_is_refused(alice):
    for number in range(3):
        publish(alice, f"ORD-{number}")
    org = Org.objects.get()
    ChannelRetention.objects.create(org=org, space="alice-visitor", channel=ORDERS, minutes=1)
    Event.objects.filter(replay_id__lte=2).update(created_at=timezone.now() - timedelta(minutes=5))

    bus = bayeux_for(alice)
    client_id = bus.handshake()
    assert bus.subscribe(client_id, ORDERS, 0)["error"] == REPLAY_ERROR.format(0)
    # The last expired id still resumes: nothing after it has gone.
    assert bus.subscribe(client_id, ORDERS, 2)["successful"] is True
    assert replay_ids(bus.events(client_id)) == [3]
    # -2 starts at the first event still kept.
    again = bus.subscribed(ORDERS, -2)
    assert replay_ids(bus.events(again)) == [3]


def test_j5_nothing_is_delivered_twice_or_out_of_order_across_resubscribing(alice):
    bus = bayeux_for(alice)
    seen: list[int] = []
    client_id = bus.subscribed(ORDERS, -2)
    for round_number in range(4):
        for number in range(round_number + 1):
            publish(alice, f"ORD-{round_number}-{number}")
        seen += replay_ids(bus.events(client_id))
        # A client that restarts resumes from the last id it processed.
        client_id = bus.subscribed(ORDERS, seen[-1])
    assert seen == list(range(1, 11))


MESSAGE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.floats(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)
META = st.sampled_from(
    ["/meta/handshake", "/meta/connect", "/meta/subscribe", "/meta/unsubscribe", "/meta/disconnect"]
)
SHAPED = st.fixed_dictionaries(
    {"channel": META},
    optional={
        "clientId": st.one_of(st.text(max_size=40), st.integers(), st.none()),
        "subscription": st.one_of(st.text(max_size=40), st.just(ORDERS), MESSAGE),
        "connectionType": st.sampled_from(["long-polling", "websocket", ""]),
        "advice": st.one_of(MESSAGE, st.fixed_dictionaries({"timeout": MESSAGE})),
        "ext": st.one_of(MESSAGE, st.fixed_dictionaries({"replay": MESSAGE})),
        "id": MESSAGE,
    },
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.one_of(st.lists(st.one_of(SHAPED, MESSAGE), max_size=4), MESSAGE, st.binary()))
def test_any_body_gets_a_json_array_of_bayeux_answers_never_a_500(alice, body):
    bus = bayeux_for(alice)
    raw = body if isinstance(body, bytes) else json.dumps(body)
    response = bus.post(raw=raw)
    assert response.status_code in {200, 400, 413}
    answer = response.json()
    assert isinstance(answer, list)
    assert answer
    for message in answer:
        assert isinstance(message["successful"], bool)
        assert message["successful"] or ":" in message["error"]


def _is_json(value: object) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except ValueError:
        return False
    return True


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(messages=st.lists(SHAPED, min_size=1, max_size=4))
def test_any_message_from_a_client_that_shook_hands_is_answered_never_a_500(
    alice, django_settings, messages
):
    # The server holds no connect here: its ceiling is 0 ms.
    django_settings.HANDSHAKE_COMETD_TIMEOUT_MS = 0
    # JSON has no NaN or Infinity: such a body is the other test's 400, not a message to answer.
    assume(_is_json(messages))
    # Examples share the database: each starts with no clients, far from the cap.
    StreamingClient.objects.all().delete()
    bus = bayeux_for(alice)
    client_id = bus.handshake()
    for message in messages:
        message["clientId"] = client_id
    response = bus.post(*messages)
    assert response.status_code == 200
    answer = response.json()
    assert len([m for m in answer if m.get("channel", "").startswith("/meta/")]) == len(messages)
    for message in answer:
        assert isinstance(message["successful"], bool)
        assert message["successful"] or ":" in message["error"]

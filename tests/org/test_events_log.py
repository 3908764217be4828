"""The event log: replay ids per channel and data space, replay -1 / -2 / a stored id, and
Salesforce's replay error for ids a channel cannot resume from."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from org.events.log import (
    DEFAULT_RETENTION,
    InvalidReplayId,
    append,
    latest_replay_id,
    read_after,
    retention_of,
)
from org.events.models import ChannelRetention, Event

ORDERS = "/event/Order_Placed__e"
ACCOUNTS = "/data/AccountChangeEvent"
ALICE = "visitor-alice"
BOB = "visitor-bob"


def _ids(page):
    return [event.replay_id for event in page.events]


def _expire(org, channel, replay_id, minutes):
    Event.objects.filter(org=org, channel=channel, replay_id=replay_id).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_replay_ids_increase_by_one_per_channel(org):
    firsts = [append(org, "", ORDERS, {"n": n}).replay_id for n in range(3)]
    assert firsts == [1, 2, 3]
    assert append(org, "", ACCOUNTS, {}).replay_id == 1
    assert latest_replay_id(org, "", ORDERS) == 3


def test_each_event_gets_its_own_uuid(org):
    one, two = append(org, "", ORDERS, {}), append(org, "", ORDERS, {})
    assert len(one.event_uuid) == 36
    assert one.event_uuid != two.event_uuid


def test_replay_earliest_tip_and_stored_id(org):
    for n in range(4):
        append(org, "", ORDERS, {"n": n})
    assert _ids(read_after(org, "", ORDERS, -2)) == [1, 2, 3, 4]
    assert _ids(read_after(org, "", ORDERS, 2)) == [3, 4]
    assert [e.payload["n"] for e in read_after(org, "", ORDERS, "2").events] == [2, 3]
    tip = read_after(org, "", ORDERS, -1)
    assert tip.events == []
    assert tip.last_replay_id == 4
    assert read_after(org, "", ORDERS, 4).events == []


def test_a_channel_nobody_published_on_reads_empty(org):
    page = read_after(org, "", ORDERS, -2)
    assert page.events == []
    assert page.last_replay_id == 0
    assert read_after(org, "", ORDERS, 0).events == []


def test_j1_a_trainee_never_reads_another_trainees_events(org):
    append(org, ALICE, ORDERS, {"who": "alice"})
    append(org, ALICE, ORDERS, {"who": "alice"})
    bobs = append(org, BOB, ORDERS, {"who": "bob"})
    assert bobs.replay_id == 1
    assert [e.payload["who"] for e in read_after(org, BOB, ORDERS, -2).events] == ["bob"]
    assert [e.payload["who"] for e in read_after(org, ALICE, ORDERS, -2).events] == [
        "alice",
        "alice",
    ]
    assert read_after(org, "", ORDERS, -2).events == []
    # Alice's id 2 means nothing in Bob's space, which has given out only id 1.
    with pytest.raises(InvalidReplayId):
        read_after(org, BOB, ORDERS, 2)


def test_retention_is_72_hours_unless_setup_shortens_it(org):
    assert retention_of(org, "", ORDERS) == DEFAULT_RETENTION == timedelta(hours=72)
    ChannelRetention.objects.create(org=org, space="", channel=ORDERS, minutes=5)
    assert retention_of(org, "", ORDERS) == timedelta(minutes=5)
    assert retention_of(org, "", ACCOUNTS) == timedelta(hours=72)
    # A trainee's switch shortens only the trainee's own channel.
    assert retention_of(org, ALICE, ORDERS) == timedelta(hours=72)


def test_j5_replay_id_older_than_retention_is_refused(org):
    ChannelRetention.objects.create(org=org, space="", channel=ORDERS, minutes=1)
    for _ in range(3):
        append(org, "", ORDERS, {})
    _expire(org, ORDERS, 1, minutes=2)
    _expire(org, ORDERS, 2, minutes=2)
    with pytest.raises(InvalidReplayId) as refused:
        read_after(org, "", ORDERS, 1)
    assert str(refused.value) == (
        "The replayId {1} you provided was invalid. Please provide a valid ID, -2 to replay "
        "all events, or -1 to replay only new events."
    )
    # Resuming after 2 misses nothing: event 3 is still kept.
    assert _ids(read_after(org, "", ORDERS, 2)) == [3]
    assert _ids(read_after(org, "", ORDERS, -2)) == [3]


def test_j5_when_everything_expired_only_the_latest_id_resumes(org):
    ChannelRetention.objects.create(org=org, space="", channel=ORDERS, minutes=1)
    append(org, "", ORDERS, {})
    append(org, "", ORDERS, {})
    _expire(org, ORDERS, 1, minutes=5)
    _expire(org, ORDERS, 2, minutes=5)
    assert read_after(org, "", ORDERS, -2).events == []
    assert read_after(org, "", ORDERS, -2).last_replay_id == 2
    assert read_after(org, "", ORDERS, 2).events == []
    with pytest.raises(InvalidReplayId):
        read_after(org, "", ORDERS, 1)


@pytest.mark.parametrize("bad", [-3, -100, 99, "abc", "", "1.5", True, None, 2.0, "٣"])
def test_j5_negative_unknown_or_non_numeric_ids_are_refused(org, bad):
    append(org, "", ORDERS, {})
    with pytest.raises(InvalidReplayId) as refused:
        read_after(org, "", ORDERS, bad)
    assert "you provided was invalid" in str(refused.value)


# Each example writes to a channel of its own, so sharing the org between examples is safe.
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(count=st.integers(0, 12), start=st.integers(0, 12))
def test_j5_reading_on_from_any_kept_id_gives_each_later_event_once_in_order(org, count, start):
    channel = f"/event/Prop_{count}_{start}_{Event.objects.count()}__e"
    for _ in range(count):
        append(org, "", channel, {})
    if start > count:
        with pytest.raises(InvalidReplayId):
            read_after(org, "", channel, start)
        return
    assert _ids(read_after(org, "", channel, start)) == list(range(start + 1, count + 1))

"""The event log's upkeep: event definitions per data space, the purge of events past their
channel's retention, and replay ids that stay gap-free and unique when many processes append
at once (SQLite file database, and PostgreSQL when its binaries are installed)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from bench.servers import ROOT, manage, postgres, postgres_available, prepare_site, production_env
from org.events import definitions
from org.events.log import append, latest_replay_id, read_after
from org.events.models import ChannelCounter, Event
from org.events.setup import set_retention
from org.purge import purge_expired

ORDERS = "/event/Order_Placed__e"
ACCOUNTS = "/data/AccountChangeEvent"


def test_two_trainees_may_define_the_same_name_without_meeting(org):
    field = [definitions.FieldSpec("Amount__c", "double")]
    mine = definitions.define(org, "alice-visitor", "Refund__e", "Refund", field)
    theirs = definitions.define(org, "bob-visitor", "Refund__e", "Bob's refund", [])

    assert definitions.find(org, "alice-visitor", "refund__e") == mine
    assert definitions.find(org, "bob-visitor", "Refund__e") == theirs
    assert definitions.find(org, "carol-visitor", "Refund__e") is None
    with pytest.raises(definitions.DefinitionError, match="already exists"):
        definitions.define(org, "alice-visitor", "REFUND__e", "Again", [])


def test_the_orgs_own_event_names_are_reserved_in_every_space(org):
    with pytest.raises(definitions.DefinitionError, match="already exists"):
        definitions.define(org, "alice-visitor", "Order_Placed__e", "Mine now", [])


def _age(event, by):
    Event.objects.filter(pk=event.pk).update(created_at=timezone.now() - by)


def _purged():
    return {p.artefact: p.rows for p in purge_expired()}["expired events"]


def test_events_past_72_hours_are_purged_and_the_counter_goes_on(org):
    old, kept = append(org, "", ORDERS, {"n": 1}), append(org, "", ORDERS, {"n": 2})
    _age(old, timedelta(hours=72, minutes=1))
    _age(kept, timedelta(hours=71))

    assert _purged() == 1
    assert list(Event.objects.values_list("replay_id", flat=True)) == [kept.replay_id]
    assert _purged() == 0
    assert append(org, "", ORDERS, {"n": 3}).replay_id == 3
    assert [e.replay_id for e in read_after(org, "", ORDERS, kept.replay_id - 1).events] == [2, 3]


def test_a_shortened_channel_is_purged_after_its_own_minutes_only(org):
    set_retention(org, "alice-visitor", ACCOUNTS, 5)
    set_retention(org, "bob-visitor", ORDERS, 30)
    short = append(org, "alice-visitor", ACCOUNTS, {})
    same_channel_elsewhere = append(org, "bob-visitor", ACCOUNTS, {})
    other_minutes = append(org, "bob-visitor", ORDERS, {})
    for event in (short, same_channel_elsewhere, other_minutes):
        _age(event, timedelta(minutes=6))

    assert _purged() == 1
    assert not Event.objects.filter(pk=short.pk).exists()
    assert latest_replay_id(org, "alice-visitor", ACCOUNTS) == 1
    assert append(org, "alice-visitor", ACCOUNTS, {}).replay_id == 2
    assert Event.objects.count() == 3


def test_after_everything_expired_only_the_latest_id_resumes(org):
    for n in range(3):
        _age(append(org, "", ORDERS, {"n": n}), timedelta(days=4))
    assert _purged() == 3
    assert read_after(org, "", ORDERS, 3).events == []
    assert read_after(org, "", ORDERS, -2).events == []
    assert ChannelCounter.objects.get(channel=ORDERS).last_replay_id == 3


# Each process runs two threads; each thread appends single events to one channel and
# blocks of three (as a collection's change events go) to another.
_APPENDER = """
import threading
from django.db import connection
from org.events import log
from org.models import Org

org = Org.objects.get()

def work():
    for n in range({rounds}):
        log.append(org, "", "/event/Order_Placed__e", {{"n": n}})
        log.append_all(org, "", "/data/ChangeEvents", [{{"n": n}}] * 3)
    connection.close()

threads = [threading.Thread(target=work) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
"""
_REPORT = """
import json
from org.events.models import Event
channels = ("/event/Order_Placed__e", "/data/ChangeEvents")
print(json.dumps({c: list(Event.objects.filter(channel=c).order_by("replay_id")
    .values_list("replay_id", flat=True)) for c in channels}))
"""


def _append_from_many_processes(env, *, processes=3, rounds=15):
    code = _APPENDER.format(rounds=rounds)
    running = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(processes)
    ]
    for process in running:
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors.decode()[-2000:]
    # The report is the last line (the shell may say first what it imported).
    found = json.loads(manage(env, "shell", "-c", _REPORT).splitlines()[-1])
    writers = processes * 2
    assert found["/event/Order_Placed__e"] == list(range(1, writers * rounds + 1))
    assert found["/data/ChangeEvents"] == list(range(1, writers * rounds * 3 + 1))


def test_replay_ids_stay_gap_free_with_many_processes_on_a_sqlite_file(tmp_path):
    env = production_env("http://127.0.0.1:9")
    env["HANDSHAKE_SQLITE_PATH"] = str(tmp_path / "events.sqlite3")
    manage(env, "migrate", "--noinput")
    manage(env, "seed_org")
    _append_from_many_processes(env)


@pytest.mark.skipif(
    not postgres_available(), reason="PostgreSQL binaries are installed by `make test`"
)
def test_replay_ids_stay_gap_free_with_many_processes_on_postgresql():
    with postgres() as database:
        env = production_env("http://127.0.0.1:9", database_url=database.url)
        prepare_site(env)
        _append_from_many_processes(env)

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from org.models import Record
from tests.org.rest_client import rest_for


@pytest.fixture
def rest(oauth):
    return rest_for(oauth)


def _window(kind, *, start=None, end=None):
    now = timezone.now()
    start = start or now - timedelta(hours=1)
    end = end or now + timedelta(minutes=2)
    return (
        f"/sobjects/Account/{kind}/?start={quote(start.isoformat())}&end={quote(end.isoformat())}"
    )


def _changed_minutes_ago(*record_ids):
    # Salesforce covers whole minutes up to now: a change of this minute is listed next minute.
    earlier = timezone.now() - timedelta(minutes=3)
    Record.objects.filter(record_id__in=record_ids).update(system_modstamp=earlier)


def test_updated_lists_the_ids_changed_in_the_window(rest):
    changed, just_now = rest.create("Account", Name="Changed"), rest.create("Account", Name="Now")
    _changed_minutes_ago(changed)

    body = rest.get(_window("updated")).json()

    assert changed in body["ids"]
    assert just_now not in body["ids"]
    minute = timezone.now().replace(second=0, microsecond=0)
    # The whole minute before now (or the one before it, if the clock just turned).
    covered = {
        (minute - timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:00.000+0000") for m in (0, 1)
    }
    assert body["latestDateCovered"] in covered


def test_deleted_lists_the_ids_deleted_in_the_window_with_their_dates(rest):
    kept, gone = rest.create("Account", Name="Kept"), rest.create("Account", Name="Gone")
    rest.delete(f"/sobjects/Account/{gone}")
    _changed_minutes_ago(kept, gone)

    body = rest.get(_window("deleted")).json()

    assert [r["id"] for r in body["deletedRecords"]] == [gone]
    assert body["deletedRecords"][0]["deletedDate"].endswith("+0000")
    assert gone not in rest.get(_window("updated")).json()["ids"]
    assert kept in rest.get(_window("updated")).json()["ids"]


def test_j1_another_trainees_changes_are_not_listed(oauth, rest):
    mine = rest.create("Account", Name="Mine")
    _changed_minutes_ago(mine)

    stranger = rest_for(oauth, owner="someone else").get(_window("updated")).json()

    assert mine not in stranger["ids"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "MISSING_ARGUMENT"),
        ("?start=yesterday&end=today", "INVALID_REPLICATION_DATE"),
        ("?start=2026-12-01T00:00:00&end=2026-12-02T00:00:00", "INVALID_REPLICATION_DATE"),
    ],
)
def test_bad_windows_are_refused(rest, query, code):
    response = rest.get(f"/sobjects/Account/updated/{query}")

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == code


def test_a_window_older_than_30_days_is_refused(rest):
    long_ago = timezone.now() - timedelta(days=40)

    response = rest.get(_window("updated", start=long_ago, end=long_ago + timedelta(days=1)))

    assert response.json()[0]["errorCode"] == "INVALID_REPLICATION_DATE"

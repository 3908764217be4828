"""The trainer's room view: visitors who started and finished each flow in the last hour,
as counts only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from playground.flows import FLOWS
from playground.models import FlowRun
from playground.room import WINDOW
from tests.playground.conftest import run_step, start_run

pytestmark = pytest.mark.django_db

ROOM = reverse("playground:room")
FLOW = FLOWS["client-credentials"]


def _finish(client: Client, run: FlowRun) -> None:
    for step in FLOW.steps:
        run_step(client, run, step.slug)


def _row(page: str, name: str) -> tuple[str, str]:
    row = page.split(f">{name}</a></th>")[1].split("</tr>")[0]
    cells = [cell.split("</td>")[0].strip() for cell in row.split("<td>")[1:]]
    return cells[0], cells[1]


def test_room_counts_each_visitor_once_per_flow_started_and_finished(org):
    finisher, starter, old_timer = Client(), Client(), Client()
    _finish(finisher, start_run(finisher, FLOW.slug))
    start_run(finisher, FLOW.slug)
    start_run(starter, FLOW.slug)
    old = start_run(old_timer, FLOW.slug)
    _finish(old_timer, old)
    FlowRun.objects.filter(pk=old.pk).update(created=timezone.now() - WINDOW - timedelta(minutes=1))

    page = Client().get(ROOM).content.decode()

    assert _row(page, FLOW.name) == ("2", "1")
    assert _row(page, FLOWS["web-server-pkce"].name) == ("0", "0")


def test_room_shows_no_visitor_run_or_share_id(org):
    visitor = Client()
    run = start_run(visitor, FLOW.slug)
    visitor.post(reverse("playground:share_run", args=[run.id]))
    run.refresh_from_db()
    assert run.share_id

    page = Client().get(ROOM).content.decode()

    for private in (run.id, run.owner, run.share_id, run.client_id):
        assert private not in page


def test_an_empty_room_says_so(org):
    page = Client().get(ROOM).content.decode()

    assert "Nobody has started a flow" in page

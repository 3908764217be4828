"""The trainer's room view: how many visitors started and finished each flow in the last
hour, counted from the database. Counts only: no run, visitor or step of anyone is shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from playground.flows import FLOWS
from playground.models import FlowRun
from playground.run_store import results
from playground.vocabulary import Flow

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class FlowAttendance:
    flow: Flow
    started: int  # visitors with a run of this flow begun in the window
    finished: int  # of those, visitors whose run's last step succeeded


def _finished(run: FlowRun, flow: Flow) -> bool:
    last = results(run).get(flow.steps[-1].slug)
    return last is not None and last.outcome == "ok"


def attendance(*, now: datetime | None = None) -> list[FlowAttendance]:
    since = (now or timezone.now()) - WINDOW
    # Runs against the built-in org only: a visitor's own server is not part of the room.
    recent = FlowRun.objects.filter(created__gt=since, server__isnull=True).only(
        "owner", "flow", "steps"
    )
    started: dict[str, set[str]] = {}
    finished: dict[str, set[str]] = {}
    for run in recent.iterator():
        flow = FLOWS.get(run.flow)
        if flow is None:
            continue
        started.setdefault(flow.slug, set()).add(run.owner)
        if _finished(run, flow):
            finished.setdefault(flow.slug, set()).add(run.owner)
    return [
        FlowAttendance(flow, len(started.get(slug, ())), len(finished.get(slug, ())))
        for slug, flow in FLOWS.items()
    ]


@require_GET
@never_cache
def room(request: HttpRequest) -> HttpResponse:
    rows = attendance()
    context = {
        "rows": rows,
        "window_minutes": int(WINDOW.total_seconds() // 60),
        "anyone": any(row.started for row in rows),
    }
    return render(request, "playground/room.html", context)

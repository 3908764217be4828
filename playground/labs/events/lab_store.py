"""A visitor's event lab runs in the database: starting one (its practice app), performing an
action or one of its faults, and keeping what went over the wire.

Every write checks the run's version, as playground runs do, so two tabs (or processes)
cannot lose each other's actions; nothing of a run lives in process memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from org.connected_apps import ConnectedAppError, create_connected_app
from playground.labs.events.bayeux import deliveries
from playground.labs.events.lab import APP, LabAction, action
from playground.models import EventLabRun
from playground.run_context import practice_data_space
from playground.run_store import dump
from playground.transports import InProcessTransport
from playground.vocabulary import Attempt, StepContext, StepResult

# Enough for a class's worth of publishing and replaying; the oldest go first.
MAX_ACTIONS_KEPT = 150
RECENT_RUNS = 5


@dataclass(frozen=True)
class Refused:
    """Why an action cannot run: a message for the page, and the form's errors if any."""

    message: str
    errors: Mapping[str, str] | None = None
    submitted: Mapping[str, str] | None = None


def start_run(owner: str) -> EventLabRun | Refused:
    """A new lab run with a practice app of its own (client credentials, the visitor's space)."""
    try:
        issued = create_connected_app(
            name="Playground: event lab",
            owner=owner,
            grants=APP.grants,
            scopes=APP.scopes,
            run_as=APP.run_as,
        )
    except ConnectedAppError as problem:
        return Refused(f"The org would not create the practice app: {problem}")
    return EventLabRun.objects.create(
        owner=owner, client_id=issued.client_id, client_secret=issued.client_secret or ""
    )


def owned_run(run_id: str, *, owner: str) -> EventLabRun | None:
    return EventLabRun.objects.filter(pk=run_id, owner=owner).first()


def recent_runs(owner: str) -> list[EventLabRun]:
    return list(EventLabRun.objects.filter(owner=owner)[:RECENT_RUNS])


def context(run: EventLabRun) -> StepContext:
    """What the lab's steps work with: its app, the org in-process, what earlier actions kept."""
    return StepContext(
        client_id=run.client_id,
        client_secret=run.client_secret,
        base_url=settings.HANDSHAKE_BASE_URL,
        redirect_uri="",
        values=dict(run.values),
        transport=InProcessTransport(),
        data_space=practice_data_space(client_id=run.client_id, owner=run.owner),
    )


def _with_inputs(
    found: LabAction, ctx: StepContext, submitted: Mapping[str, str]
) -> StepContext | Refused:
    cleaned, errors = found.step.read_inputs(submitted, ctx)
    if errors:
        return Refused("Some values cannot be used; see the form.", errors, submitted)
    return replace(ctx, inputs=cleaned)


def perform(
    run: EventLabRun, slug: str, submitted: Mapping[str, str]
) -> tuple[EventLabRun, bool] | Refused:
    """Run the action once and keep its result; False if another tab wrote first."""
    found = action(slug)
    if found is None:
        return Refused("The lab has no such action.")
    ctx = _with_inputs(found, context(run), submitted)
    if isinstance(ctx, Refused):
        return ctx
    # Deliberately no transaction.atomic(): the org answers in-process and commits on its own.
    built = found.step.build(ctx)
    if isinstance(built, StepResult):
        result = built
    elif found.step.read is None:
        return Refused("This action builds a request it cannot read.")
    else:
        result = found.step.read(ctx, ctx.transport.send(built))
    return _save(run, slug, "", result, keep=_worth_keeping(slug, result))


def break_action(
    run: EventLabRun, slug: str, fault_slug: str, submitted: Mapping[str, str]
) -> tuple[EventLabRun, bool] | Refused:
    """Send one of the action's faults for real and keep what came back."""
    found = action(slug)
    fault = found.step.fault(fault_slug) if found else None
    if found is None or fault is None:
        return Refused("That way of breaking this action is not on offer.")
    ctx = _with_inputs(found, context(run), submitted)
    if isinstance(ctx, Refused):
        return ctx
    built = found.step.build(ctx)
    if isinstance(built, StepResult):
        return Refused(f"Nothing to break yet: {built.headline}")
    return _save(run, slug, fault.slug, fault.run(Attempt(ctx, built)), keep=True)


def _worth_keeping(slug: str, result: StepResult) -> bool:
    # A check that found nothing is the page polling: it changes no state worth a record.
    if slug != "check" or result.outcome != "ok":
        return True
    return any(deliveries(exchange) for exchange in result.exchanges) or any(
        "/meta/handshake" in exchange.request_body for exchange in result.exchanges
    )


def _save(
    run: EventLabRun, slug: str, fault: str, result: StepResult, *, keep: bool
) -> tuple[EventLabRun, bool]:
    changes: dict[str, Any] = {}
    if not fault:
        changes["values"] = {**run.values, **dict(result.remember)}
    if keep:
        entry = {"step": slug, "fault": fault, "result": dump(result)}
        changes["actions"] = [*run.actions, entry][-MAX_ACTIONS_KEPT:]
    if not changes.get("actions") and changes.get("values") == run.values:
        return run, True
    updated = EventLabRun.objects.filter(pk=run.pk, version=run.version).update(
        **changes, version=F("version") + 1, updated=timezone.now()
    )
    return EventLabRun.objects.get(pk=run.pk), bool(updated)

"""A run's records in the database: each step's result and each Break it attempt, as JSON.

The records are frozen dataclasses; `dump` and `load` turn them into JSON and back. Every
write checks the run's version, so two tabs (or processes) cannot both move one run on.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin

from django.db.models import F
from django.utils import timezone

from playground.models import FlowRun
from playground.vocabulary import Fault, Flow, Step, StepResult

# What one run keeps at most: polls of a pending step, and Break it attempts.
MAX_POLLS_KEPT = 30
MAX_FAULTS_KEPT = 60


@dataclass(frozen=True)
class Breakage:
    """A fault tried on a step (Break it), and what came back."""

    fault: Fault
    result: StepResult

    @property
    def refused(self) -> bool:
        return self.result.outcome == "ok"


def results(run: FlowRun) -> dict[str, StepResult]:
    return {
        entry["step"]: load(StepResult, entry["result"])
        for entry in run.steps
        if isinstance(entry, dict) and "step" in entry
    }


def values_before(run: FlowRun, slug: str) -> dict[str, Any] | None:
    """The values the run remembered just before the named step first ran, if it has run."""
    for entry in run.steps:
        if isinstance(entry, dict) and entry.get("step") == slug:
            kept = entry.get("values_before")
            return dict(kept) if isinstance(kept, dict) else None
    return None


def breakages(run: FlowRun, flow: Flow) -> dict[str, tuple[Breakage, ...]]:
    """Every Break it attempt of the run, by step, oldest first."""
    found: dict[str, list[Breakage]] = {}
    for entry in run.faults:
        if not isinstance(entry, dict):
            continue
        step = flow.step(str(entry.get("step", "")))
        fault = step.fault(str(entry.get("fault", ""))) if step else None
        if step is None or fault is None:
            continue  # a fault since withdrawn from the catalogue
        result = load(StepResult, entry["result"])
        found.setdefault(step.slug, []).append(Breakage(fault, result))
    return {slug: tuple(items) for slug, items in found.items()}


def save_result(run: FlowRun, step: Step, result: StepResult) -> tuple[FlowRun, bool]:
    """The run as stored after recording `result`, and False if another tab moved it on first."""
    values = {**run.values, **dict(result.remember)}
    previous = results(run).get(step.slug)
    kept = list(run.steps)
    # What the run remembered before this step first ran: a fault offered before the step
    # can still be sent from that state once the step (and any after it) has run.
    before = values_before(run, step.slug)
    before = dict(run.values) if before is None else before
    if previous is not None and previous.outcome == "pending":
        # A poll step asked again: one entry, every poll so far listed in it (RFC 8628 §3.4).
        polls = (*previous.exchanges, *result.exchanges)[-MAX_POLLS_KEPT:]
        result = replace(result, exchanges=polls)
        kept = [e for e in kept if not (isinstance(e, dict) and e.get("step") == step.slug)]
    entry = {"step": step.slug, "result": dump(result), "values_before": before}
    state = values.get("state", run.oauth_state) if step.kind == "browser" else run.oauth_state
    return _update(
        run, values=values, steps=[*kept, entry], oauth_state=state, version=F("version") + 1
    )


def forget_result(run: FlowRun, step: Step) -> tuple[FlowRun, bool]:
    """The run as stored without the step's result, so the step is due again."""
    kept = [e for e in run.steps if not (isinstance(e, dict) and e.get("step") == step.slug)]
    return _update(run, steps=kept, version=F("version") + 1)


def save_breakage(
    run: FlowRun, step: Step, fault: Fault, result: StepResult
) -> tuple[FlowRun, bool]:
    """The run as stored after recording a Break it attempt; False if another tab was first."""
    entry = {"step": step.slug, "fault": fault.slug, "result": dump(result)}
    return _update(run, faults=[*run.faults, entry], version=F("version") + 1)


def _update(run: FlowRun, **changes: Any) -> tuple[FlowRun, bool]:
    updated = FlowRun.objects.filter(pk=run.pk, version=run.version).update(
        **changes, updated=timezone.now()
    )
    return FlowRun.objects.get(pk=run.pk), bool(updated)


# The JSON shape ------------------------------------------------------------------------------


def dump(value: Any) -> Any:
    """JSON-ready data for a dataclass, tuple, dict or scalar, tagging nothing: shapes are typed."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [dump(item) for item in value]
    if isinstance(value, dict):
        return {str(key): dump(item) for key, item in value.items()}
    return value


def load[T](kind: type[T], data: Any) -> T:
    """Rebuild `kind` from `dump`'s output. Unions of dataclasses are told apart by `kind`."""
    return typing.cast(T, _load(kind, data))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _load(kind: Any, data: Any) -> Any:
    origin = get_origin(kind)
    if origin in {Union, types.UnionType}:
        return _load_union(get_args(kind), data)
    if origin is Literal or kind is Any:
        return data
    if origin is tuple:
        args = get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_load(args[0], item) for item in data)
        return tuple(_load(arg, item) for arg, item in zip(args, data, strict=True))
    if origin is dict:
        _, value_kind = get_args(kind)
        return {key: _load(value_kind, item) for key, item in data.items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        names = {f.name for f in dataclasses.fields(kind) if f.init}
        return kind(**{name: _load(hints[name], data[name]) for name in names if name in data})
    if kind is float and isinstance(data, int):
        return float(data)
    return data


def _load_union(options: tuple[Any, ...], data: Any) -> Any:
    if data is None and type(None) in options:
        return None
    candidates = [o for o in options if o is not type(None)]
    if isinstance(data, dict) and "kind" in data:
        for option in candidates:
            if dataclasses.is_dataclass(option):
                default = {f.name: f.default for f in dataclasses.fields(option)}.get("kind")
                if default == data["kind"]:
                    return _load(option, data)
    return _load(candidates[0], data)

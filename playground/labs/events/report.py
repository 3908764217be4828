"""What the lab page shows of a run: each action as a card (lanes, form, last result, Break
it), and each subscriber's feed: every event as the bus sent it, beside the event decoded."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from playground.cards import InputField, LaneRow
from playground.labs.events import bayeux
from playground.labs.events.lab import ACTIONS, LabAction
from playground.labs.events.lab_store import Refused, context
from playground.labs.events.subscribers import SUBSCRIBERS, Subscriber
from playground.models import EventLabRun
from playground.run_store import Breakage, load
from playground.vocabulary import EVENT_LANES, StepResult

FEED_LENGTH = 25
BREAKAGES_SHOWN = 3
_HEADS = {
    "oauth": (
        ("Browser", "Browser"),
        ("Client app", "Client"),
        ("Authorization server", "Auth server"),
        ("Resource server", "API"),
    ),
    "events": (("Publisher", "Publisher"), ("Event bus", "Bus"), ("Subscriber", "Subscriber")),
}
_EVENT_LANES = frozenset(lane for lane, _ in EVENT_LANES)
_HEADER_ORDER = (
    "changeType",
    "entityName",
    "changedFields",
    "recordIds",
    "changeOrigin",
    "transactionKey",
    "sequenceNumber",
    "commitTimestamp",
    "commitUser",
)


@dataclass(frozen=True)
class Done:
    """One stored action or fault of the run."""

    step: str
    fault: str
    result: StepResult


def done(run: EventLabRun) -> list[Done]:
    return [
        Done(
            str(entry.get("step", "")),
            str(entry.get("fault", "")),
            load(StepResult, entry["result"]),
        )
        for entry in run.actions
        if isinstance(entry, dict) and isinstance(entry.get("result"), dict)
    ]


@dataclass(frozen=True)
class ActionCard:
    number: int
    action: LabAction
    result: StepResult | None
    breakages: tuple[Breakage, ...]
    fields: tuple[InputField, ...]
    open: bool = True  # its form is on offer (a running subscriber cannot start again)

    @property
    def step(self) -> Any:
        return self.action.step

    @property
    def slug(self) -> str:
        return self.action.slug

    @property
    def heads(self) -> tuple[tuple[str, str], ...]:
        events = all(arrow.source in _EVENT_LANES for arrow in self.step.arrows)
        return _HEADS["events" if events else "oauth"]

    @property
    def rows(self) -> tuple[LaneRow, ...]:
        return tuple(LaneRow(self.number, arrow, "current") for arrow in self.step.arrows)


@dataclass(frozen=True)
class Delivery:
    """One event as it arrived: the Bayeux message verbatim, and what it says."""

    channel: str
    replay_id: int | None
    event_uuid: str
    raw: str
    header: tuple[tuple[str, str], ...]
    fields: tuple[tuple[str, str], ...]
    came: str  # how it arrived: which action's connect brought it
    duplicate: bool  # its replay id was delivered to this subscriber before

    @property
    def change_type(self) -> str:
        return dict(self.header).get("changeType", "")


@dataclass(frozen=True)
class Panel:
    subscriber: Subscriber
    running: bool
    client_id: str
    last_replay_id: str
    start: ActionCard
    stop: ActionCard
    deliveries: tuple[Delivery, ...]  # newest first


@dataclass(frozen=True)
class LabPage:
    token: ActionCard
    panels: tuple[Panel, ...]
    check: ActionCard
    actions: tuple[ActionCard, ...]
    running: bool  # a subscriber is running: the page asks for events every few seconds


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _delivery(message: Mapping[str, Any], came: str, duplicate: bool) -> Delivery:
    data = message.get("data", {})
    payload = data.get("payload", {}) if isinstance(data.get("payload"), dict) else {}
    header = payload.get("ChangeEventHeader")
    header = header if isinstance(header, dict) else {}
    event = data.get("event", {}) if isinstance(data.get("event"), dict) else {}
    ordered = [name for name in _HEADER_ORDER if name in header]
    ordered += [name for name in header if name not in ordered]
    return Delivery(
        channel=str(message.get("channel", "")),
        replay_id=bayeux.replay_id_of(message),
        event_uuid=_shown(event.get("EventUuid", "")),
        raw=json.dumps(message, indent=2),
        header=tuple((name, _shown(header[name])) for name in ordered),
        fields=tuple(
            (name, _shown(value)) for name, value in payload.items() if name != "ChangeEventHeader"
        ),
        came=came,
        duplicate=duplicate,
    )


def _came(item: Done) -> str:
    if item.step.startswith("subscribe-"):
        for exchange in item.result.exchanges:
            replay = bayeux.sent_to(exchange).get("ext", {}).get("replay")
            if isinstance(replay, dict) and replay:
                return f"on the first connect after subscribing from {next(iter(replay.values()))}"
    return "on a check for events"


def _feed(sub: Subscriber, history: list[Done]) -> tuple[Delivery, ...]:
    seen: set[int] = set()
    feed: list[Delivery] = []
    for item in history:
        if item.fault:
            continue
        for exchange in item.result.exchanges:
            for message in bayeux.deliveries(exchange):
                if message.get("channel") != sub.channel:
                    continue
                replay_id = bayeux.replay_id_of(message)
                feed.append(_delivery(message, _came(item), replay_id in seen))
                if replay_id is not None:
                    seen.add(replay_id)
    return tuple(reversed(feed[-FEED_LENGTH:]))


def _fields(run: EventLabRun, action: LabAction, refused: Refused | None) -> tuple[InputField, ...]:
    ctx = context(run)
    submitted = refused.submitted if refused and refused.errors is not None else None
    errors = refused.errors if refused and refused.errors is not None else {}
    sent = submitted or {}
    return tuple(
        InputField(item, sent.get(item.name, item.initial(ctx)), errors.get(item.name, ""))
        for item in action.step.inputs
    )


def lab_page(run: EventLabRun, *, failed_slug: str = "", refused: Refused | None = None) -> LabPage:
    """The page for `run`; a form that came back with errors (`refused`) shows them."""
    history = done(run)
    cards: dict[str, ActionCard] = {}
    for number, action in enumerate(ACTIONS, start=1):
        mine = [item for item in history if item.step == action.slug]
        latest = next((item.result for item in reversed(mine) if not item.fault), None)
        tried = tuple(
            Breakage(fault, item.result)
            for item in mine
            if item.fault and (fault := action.step.fault(item.fault)) is not None
        )
        cards[action.slug] = ActionCard(
            number,
            action,
            latest,
            tried[-BREAKAGES_SHOWN:],
            _fields(run, action, refused if failed_slug == action.slug else None),
        )
    panels = tuple(
        Panel(
            sub,
            sub.running(run.values),
            sub.value(run.values, "client_id"),
            sub.value(run.values, "replay_id"),
            replace(cards[f"subscribe-{sub.key}"], open=not sub.running(run.values)),
            cards[f"disconnect-{sub.key}"],
            _feed(sub, history),
        )
        for sub in SUBSCRIBERS
    )
    subscriber_cards = {card.slug for panel in panels for card in (panel.start, panel.stop)}
    return LabPage(
        token=cards["token"],
        panels=panels,
        check=cards["check"],
        actions=tuple(
            card
            for slug, card in cards.items()
            if slug not in subscriber_cards and slug not in {"token", "check"}
        ),
        running=any(panel.running for panel in panels),
    )

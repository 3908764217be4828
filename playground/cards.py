"""What the run page shows: each step as a card, the lane diagram's rows, and the step forms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from playground.artefacts import Artefact
from playground.differences import Difference, difference
from playground.models import FlowRun
from playground.run_context import step_context, transport_for
from playground.run_store import Breakage, breakages, results
from playground.vocabulary import Arrow, Fault, Flow, Input, Step, StepResult

CardState = Literal["done", "next", "waiting", "locked"]
Tone = Literal["current", "done", "upcoming"]
_FULL_WIDTH = frozenset({"jwt", "xml"})


@dataclass(frozen=True)
class LaneRow:
    """One arrow of a lane diagram, with the step it belongs to and how to draw it."""

    number: int
    arrow: Arrow
    tone: Tone


@dataclass(frozen=True)
class InputField:
    """One of a step's inputs as its form shows it: the input, the value to show, any error."""

    spec: Input
    value: str
    error: str = ""


@dataclass(frozen=True)
class StepCard:
    """One step as the run page shows it: where it stands and, once run, what it recorded."""

    number: int
    step: Step
    state: CardState
    result: StepResult | None = None
    link: str = ""  # waiting and poll cards: the URL the person should visit
    breakages: tuple[Breakage, ...] = ()
    fields: tuple[InputField, ...] = ()  # the next step's inputs, for its form

    @property
    def slug(self) -> str:
        return self.step.slug

    @property
    def pending(self) -> bool:
        return self.result is not None and self.result.outcome == "pending"

    @property
    def faults(self) -> tuple[Fault, ...]:
        """The faults a visitor may try now: before the step runs, or all of them once it has.

        A trainer shows the normal path first and the attack after, so a step that has run
        keeps the faults sent in its place (from the state it had) beside those sent after it.
        """
        if self.state in {"next", "waiting"}:
            return self.step.faults_before
        if self.state == "done":
            return self.step.faults
        return ()

    @property
    def panels(self) -> tuple[Artefact, ...]:
        """Artefacts for the side pane: all but JWTs and XML, which get a full-width row."""
        if not self.result:
            return ()
        return tuple(a for a in self.result.artefacts if a.kind not in _FULL_WIDTH)

    @property
    def jwts(self) -> tuple[Artefact, ...]:
        return (
            tuple(a for a in self.result.artefacts if a.kind in _FULL_WIDTH) if self.result else ()
        )

    @property
    def arrows(self) -> tuple[Arrow, ...]:
        """The messages this step's outcome drew: a refusal has its own, not the success path."""
        return (self.result.arrows if self.result else ()) or self.step.arrows

    @property
    def why(self) -> str:
        return (self.result.why if self.result else "") or self.step.why

    @property
    def stopped(self) -> bool:
        """The run ended at this step: "Try again" runs it anew."""
        return self.state == "done" and self.result is not None and self.result.outcome == "error"

    @property
    def rows(self) -> tuple[LaneRow, ...]:
        return tuple(LaneRow(self.number, arrow, "current") for arrow in self.arrows)

    @property
    def differences(self) -> tuple[Difference, ...]:
        """Where this org, Salesforce and the RFCs part ways in this step, from the catalogue."""
        return tuple(difference(slug) for slug in self.step.differences)


@dataclass(frozen=True)
class Invalid:
    """A step's form came back with values it cannot use: the card, with the errors shown."""

    card: StepCard


def lane_rows(cards: tuple[StepCard, ...]) -> tuple[LaneRow, ...]:
    """Every arrow of the flow, the due step's highlighted, for the overview diagram."""
    tones: dict[CardState, Tone] = {
        "done": "done",
        "next": "current",
        "waiting": "current",
        "locked": "upcoming",
    }
    return tuple(
        LaneRow(card.number, arrow, tones[card.state]) for card in cards for arrow in card.arrows
    )


def flow_rows(flow: Flow) -> tuple[LaneRow, ...]:
    return tuple(
        LaneRow(number, arrow, "upcoming")
        for number, step in enumerate(flow.steps, start=1)
        for arrow in step.arrows
    )


def step_cards(run: FlowRun, flow: Flow) -> tuple[StepCard, ...]:
    done = results(run)
    broken = breakages(run, flow)
    stopped = any(result.outcome == "error" for result in done.values())
    shown: list[StepCard] = []
    upcoming, link = True, ""
    for number, step in enumerate(flow.steps, start=1):
        tried = broken.get(step.slug, ())
        result = done.get(step.slug)
        if result is not None and result.outcome != "pending":
            shown.append(StepCard(number, step, "done", result, breakages=tried))
            link = result.browser_url or link
            continue
        state: CardState = "locked"
        if upcoming and not stopped:
            state = "waiting" if step.kind == "callback" else "next"
        upcoming = False
        shows_link = state == "waiting" or (state == "next" and step.kind == "poll")
        fields = input_fields(run, step) if state == "next" and step.inputs else ()
        shown.append(
            StepCard(
                number,
                step,
                state,
                result,
                link=link if shows_link else "",
                breakages=tried,
                fields=fields,
            )
        )
    return tuple(shown)


def input_fields(
    run: FlowRun,
    step: Step,
    *,
    submitted: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> tuple[InputField, ...]:
    """The step's inputs for its form: as submitted, or else the values the step would use."""
    ctx = step_context(run, transport_for(run))
    sent = submitted or {}
    return tuple(
        InputField(
            item,
            sent[item.name] if item.name in sent else item.initial(ctx),
            (errors or {}).get(item.name, ""),
        )
        for item in step.inputs
    )


def card_for(run: FlowRun, flow: Flow, slug: str) -> StepCard | None:
    return next((card for card in step_cards(run, flow) if card.slug == slug), None)


def next_card(run: FlowRun, flow: Flow) -> StepCard | None:
    return next((card for card in step_cards(run, flow) if card.state in {"next", "waiting"}), None)

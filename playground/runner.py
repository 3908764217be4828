"""Start runs, perform their steps, take in callbacks, and store what every step recorded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from django.db.models import F
from django.utils import timezone

from playground import transcript
from playground.exchange import HttpExchange, Transport
from playground.flows import get_flow
from playground.flows.artefacts import Artefact
from playground.flows.base import Arrow, Flow, Step, StepContext, StepResult
from playground.models import FlowRun
from playground.org.connected_apps import (
    ConnectedAppError,
    client_secret_of,
    create_connected_app,
)

CALLBACK_PATH = "/playground/callback/"
CardState = Literal["done", "next", "waiting", "locked"]
Tone = Literal["current", "done", "upcoming"]


@dataclass(frozen=True)
class LaneRow:
    """One arrow of a lane diagram, with the step it belongs to and how to draw it."""

    number: int
    arrow: Arrow
    tone: Tone


@dataclass(frozen=True)
class StepCard:
    """One step as the run page shows it: where it stands and, once run, what it recorded."""

    number: int
    step: Step
    state: CardState
    result: StepResult | None = None
    link: str = ""  # waiting cards: the authorization URL the browser should visit

    @property
    def slug(self) -> str:
        return self.step.slug

    @property
    def panels(self) -> tuple[Artefact, ...]:
        """Artefacts for the side pane: everything but JWTs, which get a full-width row."""
        return tuple(a for a in self.result.artefacts if a.kind != "jwt") if self.result else ()

    @property
    def jwts(self) -> tuple[Artefact, ...]:
        return tuple(a for a in self.result.artefacts if a.kind == "jwt") if self.result else ()

    @property
    def rows(self) -> tuple[LaneRow, ...]:
        return tuple(LaneRow(self.number, arrow, "current") for arrow in self.step.arrows)


def lane_rows(cards: tuple[StepCard, ...]) -> tuple[LaneRow, ...]:
    """Every arrow of the flow, the due step's highlighted, for the overview diagram."""
    tones: dict[CardState, Tone] = {
        "done": "done",
        "next": "current",
        "waiting": "current",
        "locked": "upcoming",
    }
    return tuple(
        LaneRow(card.number, arrow, tones[card.state])
        for card in cards
        for arrow in card.step.arrows
    )


def flow_rows(flow: Flow) -> tuple[LaneRow, ...]:
    return tuple(
        LaneRow(number, arrow, "upcoming")
        for number, step in enumerate(flow.steps, start=1)
        for arrow in step.arrows
    )


@dataclass(frozen=True)
class Problem:
    """Why a request about a run cannot be honoured, in words for the person."""

    message: str
    run: FlowRun | None = None


def callback_url(base_url: str) -> str:
    return base_url + CALLBACK_PATH


def start_run(
    *, flow: Flow, owner: str, base_url: str, fresh_app: bool = False
) -> FlowRun | Problem:
    """A new run of `flow`, reusing this visitor's practice app for it unless asked not to."""
    redirect_uri = callback_url(base_url)
    previous = (
        None
        if fresh_app
        else FlowRun.objects.filter(owner=owner, flow=flow.slug, redirect_uri=redirect_uri).first()
    )
    client_id, secret = "", ""
    if previous is not None:
        try:
            # The secret may have changed in Setup; the org has the current one.
            secret = client_secret_of(previous.client_id, owner=owner) or ""
            client_id = previous.client_id
        except ConnectedAppError:
            client_id = ""  # deleted in Setup: make a new one
    if not client_id:
        try:
            issued = create_connected_app(
                name=f"Playground: {flow.name}",
                owner=owner,
                redirect_uris=(redirect_uri,),
                grants=flow.app.grants,
                scopes=flow.app.scopes,
                public=flow.app.public,
                require_pkce=flow.app.require_pkce,
                rotate_refresh_tokens=flow.app.rotate_refresh_tokens,
                run_as=flow.app.run_as,
                pre_authorize=flow.app.pre_authorize,
            )
        except ConnectedAppError as problem:
            return Problem(f"The org would not create the practice app: {problem}")
        client_id, secret = issued.client_id, issued.client_secret or ""
    return FlowRun.objects.create(
        owner=owner,
        flow=flow.slug,
        base_url=base_url,
        redirect_uri=redirect_uri,
        client_id=client_id,
        client_secret=secret,
    )


def owned_run(run_id: str, *, owner: str) -> FlowRun | None:
    return FlowRun.objects.filter(pk=run_id, owner=owner).first()


def recent_runs(*, owner: str, flow: Flow, limit: int = 5) -> list[FlowRun]:
    return list(FlowRun.objects.filter(owner=owner, flow=flow.slug)[:limit])


def results(run: FlowRun) -> dict[str, StepResult]:
    return {
        entry["step"]: transcript.load(StepResult, entry["result"])
        for entry in run.steps
        if isinstance(entry, dict) and "step" in entry
    }


def cards(run: FlowRun, flow: Flow) -> tuple[StepCard, ...]:
    done = results(run)
    stopped = any(result.outcome == "error" for result in done.values())
    shown: list[StepCard] = []
    upcoming, link = True, ""
    for number, step in enumerate(flow.steps, start=1):
        if step.slug in done:
            shown.append(StepCard(number, step, "done", done[step.slug]))
            link = done[step.slug].browser_url or link
            continue
        state: CardState = "locked"
        if upcoming and not stopped:
            state = "waiting" if step.kind == "callback" else "next"
        upcoming = False
        shown.append(StepCard(number, step, state, link=link if state == "waiting" else ""))
    return tuple(shown)


def next_card(run: FlowRun, flow: Flow) -> StepCard | None:
    return next((card for card in cards(run, flow) if card.state in {"next", "waiting"}), None)


def _context(
    run: FlowRun,
    transport: Transport,
    *,
    received: Mapping[str, str] | None = None,
    received_exchange: HttpExchange | None = None,
) -> StepContext:
    return StepContext(
        client_id=run.client_id,
        client_secret=run.client_secret,
        base_url=run.base_url,
        redirect_uri=run.redirect_uri,
        values=dict(run.values),
        transport=transport,
        received=dict(received or {}),
        received_exchange=received_exchange,
    )


def _save(run: FlowRun, step: Step, result: StepResult) -> FlowRun | Problem:
    """Store the result unless another tab or process moved the run on meanwhile."""
    values = {**run.values, **dict(result.remember)}
    entry = {"step": step.slug, "result": transcript.dump(result)}
    state = values.get("state", run.oauth_state) if step.kind == "browser" else run.oauth_state
    updated = FlowRun.objects.filter(pk=run.pk, version=run.version).update(
        values=values,
        steps=[*run.steps, entry],
        oauth_state=state,
        version=F("version") + 1,
        updated=timezone.now(),
    )
    fresh = FlowRun.objects.get(pk=run.pk)
    if not updated:
        return Problem("Another tab moved this run on first; here is where it stands.", fresh)
    return fresh


def perform_step(run: FlowRun, slug: str, *, transport: Transport) -> FlowRun | Problem:
    """Run the named step if it is the one due; record what it did either way it turns out."""
    flow = get_flow(run.flow)
    card = next_card(run, flow) if flow else None
    if flow is None or card is None or card.slug != slug:
        return Problem("That step is not the next one in this run.", run)
    if card.state == "waiting":
        return Problem("This step completes when the org sends your browser back.", run)
    # Deliberately no transaction.atomic() here: the org handles the request in-process and
    # must commit on its own, as it would for any other client.
    return _save(run, card.step, card.step.run(_context(run, transport)))


def find_callback_run(*, owner: str, state: str) -> FlowRun | Problem:
    """The run this browser started with `state`, or why the redirect must be refused."""
    if not state:
        return Problem(
            "This redirect carries no state, so nothing ties it to a run you started. "
            "A client must refuse such a redirect."
        )
    run = FlowRun.objects.filter(owner=owner, oauth_state=state).first()
    if run is None:
        # RFC 6749 §10.12: an unknown state means the redirect was not started here.
        return Problem(
            "The state in this redirect does not belong to any run started in this browser. "
            "It may be stale, or forged: refusing it is exactly what state is for."
        )
    return run


def receive_callback(
    run: FlowRun,
    *,
    received: Mapping[str, str],
    received_exchange: HttpExchange | None,
    transport: Transport,
) -> FlowRun | Problem:
    flow = get_flow(run.flow)
    card = next_card(run, flow) if flow else None
    if card is None or card.state != "waiting":
        return Problem("This run has already received its redirect.", run)
    context = _context(run, transport, received=received, received_exchange=received_exchange)
    return _save(run, card.step, card.step.run(context))

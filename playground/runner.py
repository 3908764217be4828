"""Start runs, perform their steps, take in callbacks, and store what every step recorded."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from org.connected_apps import (
    ConnectedAppError,
    client_secret_of,
    create_connected_app,
    update_connected_app,
)
from playground import servers, transcript
from playground.exchange import HttpExchange, OutgoingRequest, Transport
from playground.flows import get_flow
from playground.flows.artefacts import Artefact
from playground.flows.base import (
    AppSetup,
    Arrow,
    Attempt,
    Fault,
    Flow,
    Input,
    Step,
    StepContext,
    StepResult,
)
from playground.flows.external import external_flow
from playground.models import ExternalServer, FlowRun
from playground.transports import HttpxTransport, InProcessTransport

CALLBACK_PATH = "/playground/callback/"
# What one run keeps at most: polls of a pending step, and Break it attempts.
MAX_POLLS_KEPT = 30
MAX_FAULTS_KEPT = 60
CardState = Literal["done", "next", "waiting", "locked"]
Tone = Literal["current", "done", "upcoming"]


@dataclass(frozen=True)
class LaneRow:
    """One arrow of a lane diagram, with the step it belongs to and how to draw it."""

    number: int
    arrow: Arrow
    tone: Tone


@dataclass(frozen=True)
class Breakage:
    """A fault tried on a step (Break it), and what came back."""

    fault: Fault
    result: StepResult

    @property
    def refused(self) -> bool:
        return self.result.outcome == "ok"


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
        """The faults a visitor may try now: before the step runs, or once it has."""
        if self.state in {"next", "waiting"}:
            return self.step.faults_before
        if self.state == "done":
            return self.step.faults_after
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
    def rows(self) -> tuple[LaneRow, ...]:
        return tuple(LaneRow(self.number, arrow, "current") for arrow in self.step.arrows)


_FULL_WIDTH = frozenset({"jwt", "xml"})


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


def flow_of(run: FlowRun) -> Flow | None:
    """The flow a run follows: a built-in one, or one built for its external server."""
    if run.server_id is not None:
        server: ExternalServer = run.server  # type: ignore[assignment]
        return external_flow(run.flow, servers.endpoints_of(server))
    return get_flow(run.flow)


def transport_for(run: FlowRun) -> Transport:
    """In-process for the org; over the network, with its address checks, for anyone else."""
    if run.server_id is None:
        return InProcessTransport()
    return HttpxTransport(
        timeout=servers.TIMEOUT_SECONDS, allow_private=settings.HANDSHAKE_ALLOW_PRIVATE_TARGETS
    )


def start_external_run(
    *, server: ExternalServer, slug: str, owner: str, site_url: str
) -> FlowRun | Problem:
    """A new run of an external flow against `server`, owned by the visitor who owns both."""
    if server.owner != owner:
        return Problem("That server belongs to another browser.")
    flow = external_flow(slug, servers.endpoints_of(server))
    if flow is None:
        return Problem("This provider cannot run that flow.")
    return FlowRun.objects.create(
        owner=owner,
        flow=flow.slug,
        base_url=server.issuer,
        redirect_uri=callback_url(site_url),
        client_id=server.client_id,
        server=server,
    )


def start_run(
    *, flow: Flow, owner: str, base_url: str, fresh_app: bool = False
) -> FlowRun | Problem:
    """A new run of `flow`, reusing this visitor's practice app for it unless asked not to."""
    redirect_uri = callback_url(base_url)
    previous = (
        None
        if fresh_app
        else FlowRun.objects.filter(
            owner=owner, flow=flow.slug, redirect_uri=redirect_uri, server__isnull=True
        ).first()
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
    return list(FlowRun.objects.filter(owner=owner, flow=flow.slug, server__isnull=True)[:limit])


def results(run: FlowRun) -> dict[str, StepResult]:
    return {
        entry["step"]: transcript.load(StepResult, entry["result"])
        for entry in run.steps
        if isinstance(entry, dict) and "step" in entry
    }


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
        result = transcript.load(StepResult, entry["result"])
        found.setdefault(step.slug, []).append(Breakage(fault, result))
    return {slug: tuple(items) for slug, items in found.items()}


def cards(run: FlowRun, flow: Flow) -> tuple[StepCard, ...]:
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
    ctx = _context(run, transport_for(run))
    sent = submitted or {}
    return tuple(
        InputField(
            item,
            sent[item.name] if item.name in sent else item.initial(ctx),
            (errors or {}).get(item.name, ""),
        )
        for item in step.inputs
    )


def _with_inputs(
    run: FlowRun, card: StepCard, ctx: StepContext, submitted: Mapping[str, str] | None
) -> StepContext | Invalid:
    cleaned, errors = card.step.read_inputs(submitted or {}, ctx)
    if errors:
        fields = input_fields(run, card.step, submitted=submitted, errors=errors)
        return Invalid(replace(card, fields=fields))
    return replace(ctx, inputs=cleaned)


def card_for(run: FlowRun, flow: Flow, slug: str) -> StepCard | None:
    return next((card for card in cards(run, flow) if card.slug == slug), None)


def next_card(run: FlowRun, flow: Flow) -> StepCard | None:
    return next((card for card in cards(run, flow) if card.state in {"next", "waiting"}), None)


def _context(
    run: FlowRun,
    transport: Transport,
    *,
    received: Mapping[str, str] | None = None,
    received_exchange: HttpExchange | None = None,
) -> StepContext:
    external: dict[str, Any] = {"setup": _app_setup(run)}
    secret = run.client_secret
    if run.server_id is not None:
        server: ExternalServer = run.server  # type: ignore[assignment]
        secret = servers.secret_of(server)
        external = {
            "endpoints": servers.endpoints_of(server),
            "scope": server.scope,
            "client_auth": servers.client_auth_of(server),
            "external": True,
        }
    return StepContext(
        client_id=run.client_id,
        client_secret=secret,
        base_url=run.base_url,
        redirect_uri=run.redirect_uri,
        values=dict(run.values),
        transport=transport,
        received=dict(received or {}),
        received_exchange=received_exchange,
        **external,
    )


def _app_setup(run: FlowRun) -> AppSetup:
    """Setup for the run's practice app, as its owner: certificates a flow needs, say."""

    def apply(changes: Mapping[str, str]) -> str:
        try:
            update_connected_app(run.client_id, owner=run.owner, **changes)
        except ConnectedAppError as problem:
            return str(problem)
        return ""

    return apply


def _save(run: FlowRun, step: Step, result: StepResult) -> FlowRun | Problem:
    """Store the result unless another tab or process moved the run on meanwhile."""
    values = {**run.values, **dict(result.remember)}
    previous = results(run).get(step.slug)
    kept = list(run.steps)
    if previous is not None and previous.outcome == "pending":
        # A poll step asked again: one entry, every poll so far listed in it (RFC 8628 §3.4).
        polls = (*previous.exchanges, *result.exchanges)[-MAX_POLLS_KEPT:]
        result = replace(result, exchanges=polls)
        kept = [e for e in kept if not (isinstance(e, dict) and e.get("step") == step.slug)]
    entry = {"step": step.slug, "result": transcript.dump(result)}
    state = values.get("state", run.oauth_state) if step.kind == "browser" else run.oauth_state
    updated = FlowRun.objects.filter(pk=run.pk, version=run.version).update(
        values=values,
        steps=[*kept, entry],
        oauth_state=state,
        version=F("version") + 1,
        updated=timezone.now(),
    )
    fresh = FlowRun.objects.get(pk=run.pk)
    if not updated:
        return Problem("Another tab moved this run on first; here is where it stands.", fresh)
    return fresh


def _perform(step: Step, ctx: StepContext) -> StepResult:
    """What the step built, sent once over the run's transport, and what the step read from it."""
    built = step.build(ctx)
    if isinstance(built, StepResult):
        return built
    if step.read is None:
        raise TypeError(f"The {step.slug} step built a request it cannot read the answer to.")
    if step.wait_before is not None:
        time.sleep(step.wait_before(ctx))
    return step.read(ctx, ctx.transport.send(built))


def _request_to_break(step: Step, ctx: StepContext) -> OutgoingRequest | None:
    """The request a fault tampers with: what the step would send now, built as it builds it."""
    built = step.build(ctx)
    if isinstance(built, OutgoingRequest):
        return built
    if step.kind == "browser" and built.browser_url:
        # The person's browser would go there; Break it sends the same request from here.
        return OutgoingRequest.get(built.browser_url).with_header("Accept", "text/html")
    return None


def perform_step(
    run: FlowRun,
    slug: str,
    *,
    transport: Transport | None = None,
    submitted: Mapping[str, str] | None = None,
) -> FlowRun | Problem | Invalid:
    """Run the named step if it is the one due; record what it did either way it turns out.

    `submitted` holds what the visitor typed into the step's inputs, if it has any.
    """
    transport = transport or transport_for(run)
    flow = flow_of(run)
    card = next_card(run, flow) if flow else None
    if flow is None or card is None or card.slug != slug:
        return Problem("That step is not the next one in this run.", run)
    if card.state == "waiting":
        return Problem("This step completes when the org sends your browser back.", run)
    ctx = _with_inputs(run, card, _context(run, transport), submitted)
    if isinstance(ctx, Invalid):
        return ctx
    # Deliberately no transaction.atomic() here: the org handles the request in-process and
    # must commit on its own, as it would for any other client.
    return _save(run, card.step, _perform(card.step, ctx))


def break_step(
    run: FlowRun,
    slug: str,
    fault_slug: str,
    *,
    transport: Transport | None = None,
    submitted: Mapping[str, str] | None = None,
) -> FlowRun | Problem | Invalid:
    """Try one of the step's faults for real and record what came back.

    A fault offered before the step runs uses the request the step would send now; one
    offered after it replays the request the step sent. Either way the run's remembered
    values stay as they were, so the step and those after it still run as designed.
    """
    transport = transport or transport_for(run)
    flow = flow_of(run)
    card = card_for(run, flow, slug) if flow else None
    if card is None:
        return Problem("That step is not part of this run.", run)
    fault = card.step.fault(fault_slug)
    if fault is None or fault not in card.faults:
        return Problem("That way of breaking this step is not on offer at this point.", run)
    if len(run.faults) >= MAX_FAULTS_KEPT:
        return Problem("This run has been broken enough times; start a new one.", run)
    ctx = _context(run, transport)
    if not fault.after and card.step.inputs:
        # A fault sent before the step runs starts from what the visitor typed.
        with_inputs = _with_inputs(run, card, ctx, submitted)
        if isinstance(with_inputs, Invalid):
            return with_inputs
        ctx = with_inputs
    if fault.after:
        sent = card.result.exchanges if card.result else ()
        request = OutgoingRequest.replaying(sent[0]) if sent else None
        attempt = Attempt(ctx, request, card.result)
    else:
        attempt = Attempt(ctx, _request_to_break(card.step, ctx))
    result = fault.run(attempt)
    entry = {"step": slug, "fault": fault.slug, "result": transcript.dump(result)}
    updated = FlowRun.objects.filter(pk=run.pk, version=run.version).update(
        faults=[*run.faults, entry], version=F("version") + 1, updated=timezone.now()
    )
    fresh = FlowRun.objects.get(pk=run.pk)
    if not updated:
        return Problem("Another tab moved this run on first; here is where it stands.", fresh)
    return fresh


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
    transport: Transport | None = None,
) -> FlowRun | Problem:
    transport = transport or transport_for(run)
    flow = flow_of(run)
    card = next_card(run, flow) if flow else None
    if card is None or card.state != "waiting":
        return Problem("This run has already received its redirect.", run)
    context = _context(run, transport, received=received, received_exchange=received_exchange)
    return _save(run, card.step, _perform(card.step, context))

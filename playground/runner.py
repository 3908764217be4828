"""A run's lifecycle: start it, perform its due step, break a step on purpose, take a callback.

A step's request goes down the layers once: the view asks for a step, this module builds the
step's context, the step builds its request, the run's transport sends it, the step reads the
exchange, and the result is stored (run_store). The run page then reads it back as cards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from org.connected_apps import ConnectedAppError, client_secret_of, create_connected_app
from playground import servers
from playground.cards import Invalid, StepCard, card_for, input_fields, next_card
from playground.exchange import HttpExchange, OutgoingRequest, Transport
from playground.flows.external import external_flow
from playground.models import ExternalServer, FlowRun
from playground.run_context import callback_url, flow_of, step_context, transport_for
from playground.run_store import (
    MAX_FAULTS_KEPT,
    forget_result,
    save_breakage,
    save_result,
    values_before,
)
from playground.vocabulary import Attempt, Flow, Step, StepContext, StepResult

MOVED_ON = "Another tab moved this run on first; here is where it stands."


@dataclass(frozen=True)
class Problem:
    """Why a request about a run cannot be honoured, in words for the person."""

    message: str
    run: FlowRun | None = None


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


def _with_inputs(
    run: FlowRun, card: StepCard, ctx: StepContext, submitted: Mapping[str, str] | None
) -> StepContext | Invalid:
    cleaned, errors = card.step.read_inputs(submitted or {}, ctx)
    if errors:
        fields = input_fields(run, card.step, submitted=submitted, errors=errors)
        return Invalid(replace(card, fields=fields))
    return replace(ctx, inputs=cleaned)


def _perform(step: Step, ctx: StepContext) -> StepResult:
    """What the step built, sent once over the run's transport, and what the step read from it."""
    built = step.build(ctx)
    if isinstance(built, StepResult):
        return built
    if step.read is None:
        raise TypeError(f"The {step.slug} step built a request it cannot read the answer to.")
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
    ctx = _with_inputs(run, card, step_context(run, transport), submitted)
    if isinstance(ctx, Invalid):
        return ctx
    # Deliberately no transaction.atomic() here: the org handles the request in-process and
    # must commit on its own, as it would for any other client.
    return _stored(*save_result(run, card.step, _perform(card.step, ctx)))


def retry_step(run: FlowRun, slug: str) -> FlowRun | Problem:
    """Make the step the run stopped at due again: "Try again" after a refusal such as Deny.

    The refusal stays on the page until then; what earlier steps remembered (state, PKCE
    verifier) is kept, so the callback still matches the authorization request.
    """
    flow = flow_of(run)
    card = card_for(run, flow, slug) if flow else None
    if card is None or not card.stopped:
        return Problem("Only the step this run stopped at can be tried again.", run)
    return _stored(*forget_result(run, card.step))


def break_step(
    run: FlowRun,
    slug: str,
    fault_slug: str,
    *,
    transport: Transport | None = None,
    submitted: Mapping[str, str] | None = None,
) -> FlowRun | Problem | Invalid:
    """Try one of the step's faults for real and record what came back.

    A fault offered before the step runs uses the request the step would send now (or, once
    the step has run, would have sent then: built from the values the run had before it); one
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
    ctx = step_context(run, transport)
    before = values_before(run, slug) if card.state == "done" and not fault.after else None
    if before is not None:
        ctx = replace(ctx, values=before)
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
    return _stored(*save_breakage(run, card.step, fault, result))


def _stored(run: FlowRun, stored: bool) -> FlowRun | Problem:
    return run if stored else Problem(MOVED_ON, run)


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
    context = step_context(run, transport, received=received, received_exchange=received_exchange)
    return _stored(*save_result(run, card.step, _perform(card.step, context)))

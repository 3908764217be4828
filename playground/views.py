from __future__ import annotations

from urllib.parse import parse_qsl

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from config.design_handoff import flow_handoff
from config.http import HtmxHttpRequest, allow_form_posts
from config.http import forms_post_back as _forms_post_back
from config.http import redirect_to as _see_other
from org.creation_limits import RUNS, SERVERS, creation_limited
from org.visitors import visitor_id
from playground import export, runner, servers, sharing
from playground.cards import Invalid, StepCard, flow_rows, lane_rows, next_card, step_cards
from playground.differences import SALESFORCE_DIFFERENCES
from playground.exchange import HttpExchange, OutgoingRequest, record
from playground.flows import FLOWS, get_flow
from playground.flows.external import EXTERNAL_FLOWS, unavailable
from playground.forms import ExternalServerForm, InspectForm
from playground.guides import FLOW_GUIDES
from playground.inspector import Expected, inspect_jwt
from playground.models import ExternalServer, FlowRun
from playground.presentation import FULL, Presentation
from playground.redacted_cards import shared_cards
from playground.run_context import callback_url, flow_of
from playground.steps.answers import JWKS, fetch_jwks
from playground.transports import HttpxTransport, InProcessTransport
from playground.vocabulary import Flow

# Catalogue F6: a form body this big cannot hold a token the inspector would read.
MAX_INSPECT_BODY = 200 * 1024
MAX_FRAGMENT = 16 * 1024


def _flow(slug: str) -> Flow:
    flow = get_flow(slug)
    if flow is None:
        raise Http404("No such flow.")
    return flow


def _owned_run(request: HttpRequest, run_id: str) -> tuple[FlowRun, Flow]:
    # Access is checked here, in the view: a run belongs to the browser that started it.
    run = runner.owned_run(run_id, owner=visitor_id(request.session))
    if run is None:
        raise Http404("No such run in this browser.")
    return run, _flow_of(run)


def _flow_of(run: FlowRun) -> Flow:
    flow = flow_of(run)
    if flow is None:
        raise Http404("This run's flow is no longer available.")
    return flow


def _owned_server(request: HttpRequest, server_id: str) -> ExternalServer:
    server = servers.owned_server(server_id, owner=visitor_id(request.session))
    if server is None:
        raise Http404("No such server in this browser.")
    return server


def _run_url(run: FlowRun, anchor: str = "", shown: Presentation = FULL) -> str:
    """The run page in its view, at a step's heading: the heading is focusable (tabindex -1),
    so the browser moves focus there itself, as the htmx path does; a section would clear it."""
    url = reverse("playground:run_detail", args=[run.id]) + shown.link_query
    return f"{url}#step-{anchor}-title" if anchor else url


# The org's sign-in page sends the browser back through the callback, which has no view in its
# address: the view the visitor last ran a step in waits in the session for it.
PRESENTING = "playground_presenting"


def _view_of(request: HttpRequest) -> Presentation:
    shown = Presentation.of(request.GET)
    if request.session.get(PRESENTING, False) != shown.presenter:
        request.session[PRESENTING] = shown.presenter
    return shown


@require_GET
def flow_list(request: HttpRequest) -> HttpResponse:
    context = {"flows": FLOWS.values(), "guides": FLOW_GUIDES, "runnable": FLOWS.keys()}
    return render(request, "playground/flow_list.html", context)


@require_GET
def differences(request: HttpRequest) -> HttpResponse:
    context = {"differences": SALESFORCE_DIFFERENCES}
    return render(request, "playground/differences.html", context)


@require_GET
@_forms_post_back
def flow_detail(request: HttpRequest, slug: str) -> HttpResponse:
    flow = _flow(slug)
    runs = runner.recent_runs(owner=visitor_id(request.session), flow=flow)
    design = request.GET.get("design", str(request.session.get(_design_key(slug), "")))
    context = {"flow": flow, "runs": runs, "rows": flow_rows(flow)}
    context["handoff"] = flow_handoff(design, slug)
    return render(request, "playground/flow_detail.html", context)


def _design_key(slug: str) -> str:
    # The advisor design a run of this flow was started from (as the advisor read it), so the
    # flow page still shows it and links back when the visitor comes back from the run.
    return f"advisor-design:{slug}"


@require_POST
@creation_limited(RUNS)
def start_flow_run(request: HttpRequest, slug: str) -> HttpResponse:
    flow = _flow(slug)
    run = runner.start_run(
        flow=flow,
        owner=visitor_id(request.session),
        base_url=settings.HANDSHAKE_BASE_URL,
        fresh_app=request.POST.get("fresh_app") == "on",
    )
    if isinstance(run, runner.Problem):
        messages.error(request, run.message)
        return _see_other(reverse("playground:flow_detail", args=[slug]))
    if (fit := flow_handoff(request.POST.get("design", ""), slug).fit) is not None:
        request.session[_design_key(slug)] = fit.query
    return _see_other(_run_url(run, shown=Presentation.of(request.GET)))


@require_GET
@never_cache
@_forms_post_back
def run_detail(request: HttpRequest, run_id: str) -> HttpResponse:
    run, flow = _owned_run(request, run_id)
    cards = step_cards(run, flow)
    context = {
        "run": run,
        "flow": flow,
        "cards": cards,
        "rows": lane_rows(cards),
        "share_url": _share_url(run),
        "presentation": _view_of(request),
        # The advisor design a run of this flow was started from: its reasons and the way back.
        "handoff": flow_handoff(str(request.session.get(_design_key(flow.slug), "")), flow.slug),
    }
    return render(request, "playground/run.html", context)


def _share_url(run: FlowRun) -> str:
    if not run.share_id:
        return ""
    return settings.HANDSHAKE_BASE_URL + reverse("playground:shared_run", args=[run.share_id])


# A pasted private key (JWT and SAML bearer flows) stays out of any error report.
@sensitive_post_parameters("in-private_key")
@require_POST
@never_cache
def run_step(request: HtmxHttpRequest, run_id: str, step: str) -> HttpResponse:
    run, flow = _owned_run(request, run_id)
    presentation = _view_of(request)
    # Break it: the same form, with a fault chosen next to the run button.
    fault = request.POST.get("fault", "")[:60]
    typed = {
        name.removeprefix("in-"): str(value)
        for name, value in request.POST.items()
        if name.startswith("in-")
    }
    outcome = (
        runner.break_step(run, step, fault, submitted=typed)
        if fault
        else runner.perform_step(run, step, submitted=typed)
    )
    if isinstance(outcome, Invalid):
        return _invalid_step(request, run, flow, outcome.card, presentation)
    if isinstance(outcome, runner.Problem):
        messages.warning(request, outcome.message)
        back = _run_url(run, shown=presentation)
        return HttpResponseClientRefresh() if request.htmx else _see_other(back)
    due = next_card(outcome, flow)
    shown, anchor = presentation.after(step, broken=bool(fault), due=due.slug if due else "")
    if not request.htmx:
        return _see_other(_run_url(outcome, anchor, shown))
    return _changed_cards(request, outcome, flow, step, shown)


@require_POST
def retry_step(request: HttpRequest, run_id: str, step: str) -> HttpResponse:
    """Try again: the step the run stopped at (a refusal such as Deny) is due once more."""
    run, _ = _owned_run(request, run_id)
    shown = Presentation.of(request.GET)
    outcome = runner.retry_step(run, step)
    if isinstance(outcome, runner.Problem):
        messages.warning(request, outcome.message)
        return _see_other(_run_url(run, shown=shown))
    return _see_other(_run_url(outcome, step, shown))


def _changed_cards(
    request: HttpRequest, run: FlowRun, flow: Flow, step: str, shown: Presentation
) -> HttpResponse:
    """htmx: this step's card swapped in; the next card and the overview out of band."""
    cards = step_cards(run, flow)
    changed = [card for card in cards if card.slug == step]
    # A poll step that is still pending is both: send it once.
    changed += [card for card in cards if card.state in {"next", "waiting"} and card.slug != step]
    context = {"run": run, "flow": flow, "rows": lane_rows(cards), "presentation": shown}
    parts = [
        render_to_string(
            "playground/run.html#step-card",
            {**context, "card": card, "oob": index > 0},
            request=request,
        )
        for index, card in enumerate(changed)
    ]
    parts.append(
        render_to_string("playground/run.html#overview", {**context, "oob": True}, request=request)
    )
    return HttpResponse("".join(parts))


def _invalid_step(
    request: HtmxHttpRequest, run: FlowRun, flow: Flow, card: StepCard, shown: Presentation
) -> HttpResponse:
    # A form error, not a redirect: the values typed and the messages stay on the page.
    cards = tuple(card if other.slug == card.slug else other for other in step_cards(run, flow))
    context = {
        "run": run,
        "flow": flow,
        "cards": cards,
        "rows": lane_rows(cards),
        "presentation": shown,
    }
    if request.htmx:
        # htmx leaves 4xx answers unswapped, so the card with its errors comes back as 200.
        return render(request, "playground/run.html#step-card", {**context, "card": card})
    context["share_url"] = _share_url(run)
    # The page's forms must be able to POST again, as from run_detail.
    return allow_form_posts(render(request, "playground/run.html", context, status=400))


def _callback_exchange(request: HttpRequest, location: str) -> HttpExchange:
    """The redirect as the callback received it (cookies left out: they are this session's)."""
    headers = [("Host", request.get_host())]
    if agent := request.headers.get("User-Agent"):
        headers.append(("User-Agent", agent[:200]))
    return record(
        OutgoingRequest("GET", request.build_absolute_uri()),
        sent_headers=headers,
        status=303,
        response_headers=[("Location", location)],
        response_body=b"",
        elapsed_ms=0.0,
    )


def _received(request: HttpRequest) -> dict[str, str]:
    if request.method == "POST":
        # The fragment, read by the page's script or pasted by hand: RFC 6749 §4.2.2.
        text = request.POST.get("fragment", "")[:MAX_FRAGMENT]
        return dict(parse_qsl(text.partition("#")[2] if "#" in text else text))
    return request.GET.dict()


# RFC 6749 §10.12: a redirect endpoint is protected by `state`, which must match a run this
# browser started; a CSRF token cannot apply to it (the org, not our page, sends the browser
# here). The fragment POST is the same callback carried by the page's script, so it gets the
# same protection, and the page keeps `Referrer-Policy: no-referrer` (catalogue A14).
@csrf_exempt
@require_http_methods(["GET", "POST"])
@never_cache
def callback(request: HttpRequest) -> HttpResponse:
    received = _received(request)
    if not received:
        return render(request, "playground/callback.html", {"empty": request.method == "POST"})
    found = runner.find_callback_run(
        owner=visitor_id(request.session), state=received.get("state", "")
    )
    if isinstance(found, runner.Problem):
        context = {"problem": found.message, "received": received}
        return render(request, "playground/callback.html", context, status=400)
    waiting = next_card(found, _flow_of(found))
    shown = Presentation(presenter=request.session.get(PRESENTING, False))
    location = _run_url(found, waiting.slug if waiting else "", shown)
    exchange = _callback_exchange(request, location) if request.method == "GET" else None
    outcome = runner.receive_callback(found, received=received, received_exchange=exchange)
    if isinstance(outcome, runner.Problem):
        messages.info(request, outcome.message)
    return _see_other(location)


@require_http_methods(["GET", "POST"])
@never_cache
@_forms_post_back
def inspect_token(request: HttpRequest) -> HttpResponse:
    # Catalogue F9: a token is read only from a POST body, and nothing here stores or logs it.
    if request.method == "GET":
        return render(request, "playground/inspect.html", {"form": InspectForm()})
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_INSPECT_BODY:
        context = {"form": InspectForm(), "too_large": True}
        return render(request, "playground/inspect.html", context, status=413)
    form = InspectForm(request.POST)
    if not form.is_valid():
        return render(request, "playground/inspect.html", {"form": form}, status=400)
    key, keys_exchange, issuer = form.pasted_key(), None, form.cleaned_data["issuer"]
    if form.cleaned_data["key_source"] == "org":
        base = settings.HANDSHAKE_BASE_URL
        key, keys_exchange = fetch_jwks(InProcessTransport(), base + JWKS)
        issuer = issuer or base
    expected = Expected(audience=form.cleaned_data["audience"], issuer=issuer)
    inspected = inspect_jwt(form.cleaned_data["token"], key=key, expected=expected)
    context = {"form": form, "inspected": inspected, "keys_exchange": keys_exchange}
    status = 200 if inspected.decoded else 400
    return render(request, "playground/inspect.html", context, status=status)


# Export and share ----------------------------------------------------------------------------

EXPORTS = {
    "curl": ("text/x-shellscript", "sh", export.curl_script),
    "http": ("text/plain", "txt", export.raw_http),
}


def _download(run: FlowRun, flow: Flow, *, kind: str, redact: bool) -> HttpResponse:
    if kind not in EXPORTS:
        return HttpResponse("Choose format=curl or format=http.", status=400)
    content_type, suffix, render_export = EXPORTS[kind]
    body = render_export(export.transcript_of(run, flow), redact=redact)
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    name = f"handshake-{flow.slug}-{run.id[:8]}.{suffix}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def export_run(request: HttpRequest, run_id: str) -> HttpResponse:
    # Only the owner reaches this view, so only the owner can ask for the secrets.
    run, flow = _owned_run(request, run_id)
    include = request.GET.get("secrets") == "on"
    return _download(run, flow, kind=request.GET.get("format", ""), redact=not include)


@require_POST
def share_run(request: HttpRequest, run_id: str) -> HttpResponse:
    run, _ = _owned_run(request, run_id)
    sharing.share_run(run)
    return _see_other(_run_url(run, shown=Presentation.of(request.GET)) + "#share")


@require_POST
def stop_sharing_run(request: HttpRequest, run_id: str) -> HttpResponse:
    run, _ = _owned_run(request, run_id)
    sharing.stop_sharing(run)
    messages.info(request, "The share link no longer works. A new one would have a new address.")
    return _see_other(_run_url(run, shown=Presentation.of(request.GET)) + "#share")


def _shared(share_id: str) -> tuple[FlowRun, Flow]:
    run = sharing.shared_run(share_id)
    if run is None:
        raise Http404("This share link does not exist or was withdrawn.")
    return run, _flow_of(run)


@require_GET
@never_cache
def shared_run(request: HttpRequest, share_id: str) -> HttpResponse:
    run, flow = _shared(share_id)
    return _shared_page(request, run, flow, "playground/shared.html")


def _shared_page(request: HttpRequest, run: FlowRun, flow: Flow, template: str) -> HttpResponse:
    # The run page's cards, read-only, with secrets redacted whoever is looking, the owner too.
    cards = shared_cards(run, flow)
    context = {
        "run": run,
        "flow": flow,
        "cards": cards,
        "rows": lane_rows(cards),
        "done": sum(card.state == "done" for card in cards),
        "started": any(card.result or card.breakages for card in cards),
        "read_only": True,
        "presentation": Presentation.of(request.GET),
    }
    response = render(request, template, context)
    response["X-Robots-Tag"] = "noindex"
    return response


# htmx stops polling on this status: the link was withdrawn, there is nothing more to follow.
STOP_POLLING = 286


@require_GET
@never_cache
def shared_run_live(request: HttpRequest, share_id: str) -> HttpResponse:
    """The share page's transcript, for its polling: 204 while the run has not moved on."""
    run = sharing.shared_run(share_id)
    if run is None:
        return HttpResponse(
            '<p class="callout">The trainer stopped sharing this run.</p>', status=STOP_POLLING
        )
    if request.GET.get("version") == str(run.version):
        return HttpResponse(status=204)
    return _shared_page(request, run, _flow_of(run), "playground/shared.html#transcript")


@require_GET
def export_shared_run(request: HttpRequest, share_id: str) -> HttpResponse:
    run, flow = _shared(share_id)
    return _download(run, flow, kind=request.GET.get("format", ""), redact=True)


# Any external server --------------------------------------------------------------------------


def _server_page(
    request: HttpRequest, form: ExternalServerForm, *, problem: object = None, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "problem": problem,
        "servers": servers.servers_of(visitor_id(request.session)),
        "callback_url": callback_url(settings.HANDSHAKE_BASE_URL),
        "flows": EXTERNAL_FLOWS.values(),
    }
    return render(request, "playground/servers.html", context, status=status)


@sensitive_post_parameters("client_secret")
@require_http_methods(["GET", "POST"])
@never_cache
@_forms_post_back
@creation_limited(SERVERS)
def server_list(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _server_page(request, ExternalServerForm())
    form = ExternalServerForm(request.POST)
    if not form.is_valid():
        return _server_page(request, form, status=400)
    data = form.cleaned_data
    allow_private = settings.HANDSHAKE_ALLOW_PRIVATE_TARGETS
    found = servers.discover(
        data["issuer"],
        transport=HttpxTransport(
            timeout=servers.TIMEOUT_SECONDS,
            max_body=servers.MAX_DISCOVERY_BYTES,
            allow_private=allow_private,
        ),
        allow_private=allow_private,
    )
    if isinstance(found, servers.DiscoveryProblem):
        return _server_page(request, form, problem=found, status=400)
    server = servers.register_server(
        owner=visitor_id(request.session),
        discovery=found,
        client_id=data["client_id"],
        client_secret=data["client_secret"],
        scope=data["scope"],
        client_auth=data["client_auth"],
    )
    return _see_other(reverse("playground:server_detail", args=[server.id]))


@require_GET
@never_cache
@_forms_post_back
def server_detail(request: HttpRequest, server_id: str) -> HttpResponse:
    server = _owned_server(request, server_id)
    endpoints = servers.endpoints_of(server)
    flows = [
        (entry, unavailable(slug, endpoints), servers.supports_grant(server, entry.grant))
        for slug, entry in EXTERNAL_FLOWS.items()
    ]
    context = {
        "server": server,
        "endpoints": endpoints,
        "flows": flows,
        "runs": server.runs.all()[:10],
        "callback_url": callback_url(settings.HANDSHAKE_BASE_URL),
        "has_secret": bool(server.sealed_secret),
    }
    return render(request, "playground/server_detail.html", context)


@require_POST
@creation_limited(RUNS)
def start_server_run(request: HttpRequest, server_id: str, slug: str) -> HttpResponse:
    server = _owned_server(request, server_id)
    run = runner.start_external_run(
        server=server,
        slug=slug,
        owner=visitor_id(request.session),
        site_url=settings.HANDSHAKE_BASE_URL,
    )
    if isinstance(run, runner.Problem):
        messages.error(request, run.message)
        return _see_other(reverse("playground:server_detail", args=[server.id]))
    return _see_other(_run_url(run, shown=Presentation.of(request.GET)))


@require_POST
def forget_server(request: HttpRequest, server_id: str) -> HttpResponse:
    server = _owned_server(request, server_id)
    servers.forget_server(server)
    messages.info(request, "The server, its stored secret and its runs are gone.")
    return _see_other(reverse("playground:server_list"))

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from config.http import HtmxHttpRequest, forms_post_back, redirect_to
from org.creation_limits import APPS, creation_limited
from org.visitors import visitor_id
from playground.export import curl_script, raw_http
from playground.labs.events import lab_store
from playground.labs.events.lab import FOCUSES, ROWS
from playground.labs.events.report import lab_page
from playground.labs.events.transcript import transcript_of
from playground.models import EventLabRun

_EXPORTS = {
    "curl": ("text/x-shellscript", "sh", curl_script),
    "http": ("text/plain", "txt", raw_http),
}


def _owned_run(request: HttpRequest, run_id: str) -> EventLabRun:
    # Access is checked here: a lab run belongs to the browser that started it.
    run = lab_store.owned_run(run_id, owner=visitor_id(request.session))
    if run is None:
        raise Http404("No such event lab run in this browser.")
    return run


def _focus(request: HttpRequest) -> str:
    focus = request.GET.get("focus", "") or request.POST.get("focus", "")
    return focus if focus in FOCUSES else ""


def _run_url(run: EventLabRun, focus: str, anchor: str = "") -> str:
    query = f"?focus={focus}" if focus else ""
    return reverse("playground:event_lab_run", args=[run.pk]) + query + anchor


@require_GET
@forms_post_back
def event_lab(request: HttpRequest) -> HttpResponse:
    focus = _focus(request)
    context = {
        "runs": lab_store.recent_runs(visitor_id(request.session)),
        "focus": focus,
        "focus_text": FOCUSES.get(focus, ""),
        "rows": ROWS.values(),
    }
    return render(request, "playground/labs/events.html", context)


@require_POST
@creation_limited(APPS)  # each lab run gets a practice app of its own
def start_event_lab(request: HttpRequest) -> HttpResponse:
    started = lab_store.start_run(visitor_id(request.session))
    if isinstance(started, lab_store.Refused):
        messages.error(request, started.message)
        return redirect_to(reverse("playground:event_lab"))
    return redirect_to(_run_url(started, _focus(request)))


@require_GET
@never_cache
@forms_post_back
def event_lab_run(request: HtmxHttpRequest, run_id: str) -> HttpResponse:
    run = _owned_run(request, run_id)
    return _page(request, run, status=200)


def _page(
    request: HtmxHttpRequest,
    run: EventLabRun,
    *,
    status: int,
    failed_slug: str = "",
    refused: lab_store.Refused | None = None,
) -> HttpResponse:
    focus = _focus(request)
    context = {
        "run": run,
        "page": lab_page(run, failed_slug=failed_slug, refused=refused),
        "focus": focus,
        "focus_text": FOCUSES.get(focus, ""),
    }
    template = "playground/labs/events_run.html"
    if request.htmx and request.htmx.target == "subscribers":
        template += "#subscribers"
    return render(request, template, context, status=status)


@require_POST
def event_lab_action(request: HtmxHttpRequest, run_id: str, slug: str) -> HttpResponse:
    run = _owned_run(request, run_id)
    # A step's inputs come as in-<name>, as on the run page.
    submitted = {k[3:]: str(v) for k, v in request.POST.items() if k.startswith("in-")}
    fault = request.POST.get("fault", "")
    if fault:
        done = lab_store.break_action(run, slug, fault, submitted)
    else:
        done = lab_store.perform(run, slug, submitted)
    if isinstance(done, lab_store.Refused):
        messages.error(request, done.message)
        return _page(request, run, status=400, failed_slug=slug, refused=done)
    run, stored = done
    if not stored:
        messages.warning(request, "Another tab changed this lab run first; try that again.")
    if request.htmx and request.htmx.target == "subscribers":
        return _page(request, run, status=200)
    return redirect_to(_run_url(run, _focus(request), f"#action-{slug}"))


@require_GET
def export_event_lab(request: HttpRequest, run_id: str) -> HttpResponse:
    # Only the owner reaches this view, so only the owner can ask for the secrets.
    run = _owned_run(request, run_id)
    kind = request.GET.get("format", "")
    if kind not in _EXPORTS:
        return HttpResponse("Choose format=curl or format=http.", status=400)
    content_type, suffix, render_export = _EXPORTS[kind]
    body = render_export(transcript_of(run), redact=request.GET.get("secrets") != "on")
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="handshake-event-lab-{run.id[:8]}.{suffix}"'
    )
    response["Cache-Control"] = "no-store"
    return response

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from config.http import forms_post_back, redirect_to
from org.creation_limits import APPS, RUNS, creation_limited
from org.visitors import visitor_id
from playground.labs.tls import lab_store
from playground.labs.tls.report import lab_page
from playground.labs.tls.scenarios import FAULTS, SCENARIOS
from playground.models import TlsLabRun


def _owned_run(request: HttpRequest, run_id: str) -> TlsLabRun:
    # Access is checked here: a lab run belongs to the browser that started it.
    run = lab_store.owned_run(run_id, owner=visitor_id(request.session))
    if run is None:
        raise Http404("No such lab run in this browser.")
    return run


@require_GET
@forms_post_back
def tls_lab(request: HttpRequest) -> HttpResponse:
    context = {"runs": lab_store.recent_runs(visitor_id(request.session)), "faults": FAULTS}
    return render(request, "playground/labs/tls.html", context)


@require_POST
@creation_limited(RUNS)
def start_tls_lab(request: HttpRequest) -> HttpResponse:
    run = lab_store.start_run(visitor_id(request.session))
    return redirect_to(reverse("playground:tls_lab_run", args=[run.pk]))


@require_GET
@never_cache
@forms_post_back
def tls_lab_run(request: HttpRequest, run_id: str) -> HttpResponse:
    run = _owned_run(request, run_id)
    context = {"run": run, "page": lab_page(run)}
    return render(request, "playground/labs/tls_run.html", context)


@require_POST
def break_tls_lab(request: HttpRequest, run_id: str, fault: str) -> HttpResponse:
    run = _owned_run(request, run_id)
    scenario = SCENARIOS.get(fault)
    if scenario is None or scenario not in FAULTS:
        raise Http404("No such fault.")
    _, stored = lab_store.break_run(run, scenario)
    return _back_to(request, run, f"fault-{fault}", stored=stored)


@require_POST
@creation_limited(APPS)  # registers a certificate on a practice app, and calls the org
def bound_tls_token(request: HttpRequest, run_id: str) -> HttpResponse:
    run = _owned_run(request, run_id)
    _, stored = lab_store.try_bound_token(run, stolen=False)
    return _back_to(request, run, "bound-token", stored=stored)


@require_POST
@creation_limited(APPS)
def steal_tls_token(request: HttpRequest, run_id: str) -> HttpResponse:
    run = _owned_run(request, run_id)
    _, stored = lab_store.try_bound_token(run, stolen=True)
    return _back_to(request, run, "fault-stolen-token", stored=stored)


def _back_to(request: HttpRequest, run: TlsLabRun, anchor: str, *, stored: bool) -> HttpResponse:
    if not stored:
        messages.warning(request, "Another tab changed this lab run first; try that again.")
    return redirect_to(reverse("playground:tls_lab_run", args=[run.pk]) + f"#{anchor}")

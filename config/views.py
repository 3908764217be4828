from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from playground.flows.guide import FLOW_GUIDES


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"flow_count": len(FLOW_GUIDES)})


@require_GET
def baseline(request: HttpRequest) -> HttpResponse:
    # The floor for bench/: the full middleware stack and nothing else.
    return HttpResponse(b"ok", content_type="text/plain")

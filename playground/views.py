from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from playground.flows.guide import FLOW_GUIDES


@require_GET
def flow_list(request: HttpRequest) -> HttpResponse:
    return render(request, "playground/flow_list.html", {"flows": FLOW_GUIDES})

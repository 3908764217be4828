from __future__ import annotations

import sys

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from playground.flows import FLOWS


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"flow_count": len(FLOWS)})


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: the hashed static name exists only after collectstatic.
    return redirect(static("favicon.svg"), permanent=True)


@require_GET
def baseline(request: HttpRequest) -> HttpResponse:
    # The floor for bench/: the full middleware stack and nothing else.
    return HttpResponse(b"ok", content_type="text/plain")


def _is_machine_path(path: str) -> bool:
    return path.startswith(("/services/", "/id/", "/.well-known/"))


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its `except` block, so the failure is still in sys.exc_info().
    error = sys.exc_info()[1]
    database_down = isinstance(error, DatabaseError)
    status = 503 if database_down else 500
    if _is_machine_path(request.path):
        # RFC 6749 §5.2 has no code for an outage; `temporarily_unavailable` is its §4.1.2.1 name.
        body = {
            "error": "temporarily_unavailable" if database_down else "server_error",
            "error_description": "The service cannot answer right now; retry shortly.",
        }
        response: HttpResponse = JsonResponse(body, status=status)
    else:
        template = loader.get_template("503.html" if database_down else "500.html")
        response = HttpResponse(template.render(), status=status)
    response["Cache-Control"] = "no-store"
    if database_down:
        response["Retry-After"] = "5"
    return response

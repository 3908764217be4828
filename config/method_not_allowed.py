"""A page for a method a URL does not take (a GET to a form's POST-only target, say).

Django's `require_POST` and friends answer 405 with an empty body, which a browser shows as its
own error page. Pages get the site's 405 page instead; the org's endpoints under /services/
(and CometD) keep the answers their clients parse. The Allow header stays (RFC 9110 §15.5.6).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template import loader

_MACHINE_PATHS = ("/services/", "/cometd/", "/id/", "/.well-known/")


class MethodNotAllowedPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code != 405
            or response.content
            or request.path.startswith(_MACHINE_PATHS)
        ):
            return response
        page = loader.get_template("405.html").render({"method": request.method}, request)
        response.content = page.encode()
        response["Content-Type"] = "text/html; charset=utf-8"
        return response

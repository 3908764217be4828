"""Form bodies in a charset other than UTF-8: one clear 400 before anything reads the form.

Django refuses such a body only when something first reads `request.POST` (the CSRF check,
a view), by raising BadRequest from inside that code, and its error handlers read the form
again. Answering here, ahead of every other middleware, keeps it to one 400 and one log line.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from config.text import without_control_characters

logger = logging.getLogger(__name__)

_FORM = "application/x-www-form-urlencoded"
_EXPLANATION = "A form body must be encoded as UTF-8; this one declares charset {}."


def _declared_charset(request: HttpRequest) -> str:
    """The charset a form body declares, when it is not UTF-8 (empty when it is, or none)."""
    if request.content_type != _FORM or request.encoding is None:
        return ""
    if codecs.lookup(request.encoding).name == "utf-8":
        # "utf8", "UTF-8": the same encoding by another name; read it as UTF-8.
        request.encoding = "utf-8"
        return ""
    return request.encoding


def _refusal(request: HttpRequest, charset: str) -> HttpResponse:
    description = _EXPLANATION.format(charset)
    response: HttpResponse
    if request.path.startswith("/services/data/"):
        # As the REST API answers any body it does not take, in Salesforce's error list.
        error = {"message": description, "errorCode": "UNSUPPORTED_MEDIA_TYPE"}
        response = JsonResponse([error], safe=False, status=415)
    elif request.path.startswith(("/services/", "/id/", "/.well-known/")):
        # RFC 6749 §5.2 and Appendix B: parameters are form-encoded in UTF-8.
        body = {"error": "invalid_request", "error_description": description}
        response = JsonResponse(body, status=400)
    else:
        # Rendered without the request: the page must not read the form it is refusing.
        response = HttpResponse(loader.get_template("400.html").render(), status=400)
    response["Cache-Control"] = "no-store"
    return response


class FormCharsetMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if charset := _declared_charset(request):
            logger.warning(
                "Refused a form body declaring charset %r on %s",
                charset,
                without_control_characters(request.path)[:200],
            )
            return _refusal(request, charset)
        return self.get_response(request)

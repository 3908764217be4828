"""One way through the REST API for every resource: the token (api or full scope), the API
version, the day's request count, the handler, and Salesforce's error arrays and headers."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from org.events import changes
from org.resource_server import check_bearer
from org.rest.describe import check_version
from org.rest.errors import ApiError
from org.rest.limits import Usage, spend_request
from org.rest.spaces import Caller, caller_of
from org.scopes import API_SCOPES


@dataclass(frozen=True)
class Answer:
    body: Any
    status: int = 200


NO_CONTENT = Answer(None, 204)


@dataclass(frozen=True)
class ApiRequest:
    http: HttpRequest
    caller: Caller
    version: str
    usage: Usage

    @property
    def method(self) -> str:
        # Clients that cannot send PATCH may POST with _HttpMethod=PATCH (Salesforce).
        override = self.http.GET.get("_HttpMethod", "")
        if self.http.method == "POST" and override.upper() in {"PATCH", "DELETE"}:
            return override.upper()
        return str(self.http.method)


Handler = Callable[[ApiRequest], Answer]


def api_json(answer: Answer) -> HttpResponse:
    response: HttpResponse
    if isinstance(answer.body, HttpResponse):  # an answer in another format (Bulk API CSV)
        response = answer.body
    elif answer.status == 204:
        response = HttpResponse(status=204)
    else:
        response = JsonResponse(answer.body, status=answer.status, safe=False)
    response["Cache-Control"] = "no-store"
    return response


def error_response(error: ApiError) -> HttpResponse:
    return api_json(Answer(error.body(), error.status))


def _session_refused(error: str, www_authenticate: str) -> HttpResponse:
    message = (
        "This session is not valid for use with the REST API"
        if error == "insufficient_scope"
        else "Session expired or invalid"
    )
    response = api_json(Answer([{"message": message, "errorCode": "INVALID_SESSION_ID"}], 401))
    response["WWW-Authenticate"] = www_authenticate
    return response


def _method_refused(method: str, allowed: Collection[str]) -> ApiError:
    return ApiError(
        405,
        "METHOD_NOT_ALLOWED",
        f"HTTP Method '{method[:20]}' not allowed. Allowed are {','.join(sorted(allowed))}",
    )


def call(request: HttpRequest, version: str, handlers: dict[str, Handler]) -> HttpResponse:
    """Answers `request` with the handler for its method, as the REST API answers."""
    check = check_bearer(request, any_of=API_SCOPES)
    if check.token is None:
        return _session_refused(check.error, check.www_authenticate)
    caller = caller_of(check.token)
    try:
        check_version(version)
        usage = spend_request(caller)
    except ApiError as error:
        return error_response(error)
    call_options = request.headers.get("Sforce-Call-Options", "")
    caller = replace(caller, change_origin=changes.origin("rest", version, call_options))
    api_request = ApiRequest(http=request, caller=caller, version=version, usage=usage)
    allowed = {**handlers, "HEAD": handlers["GET"]} if "GET" in handlers else handlers
    # HEAD answers as GET would (the server leaves the body out).
    handler = allowed.get(api_request.method)
    try:
        if handler is None:
            raise _method_refused(api_request.method, allowed)
        response = api_json(handler(api_request))
    except ApiError as error:
        response = error_response(error)
    response["Sforce-Limit-Info"] = usage.header
    if response.status_code == 405:
        response["Allow"] = ", ".join(sorted(allowed))
    return response

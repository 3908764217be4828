"""The CometD endpoint: one async view, so a held connect waits in the event loop."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from org.streaming import protocol, server


def _bayeux(status: int, body: list[dict[str, object]]) -> HttpResponse:
    response = JsonResponse(body, status=status, safe=False)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # Bayeux clients send a token, not a browser session
async def cometd(request: HttpRequest, version: str | None = None) -> HttpResponse:
    if request.method != "POST":
        refused = _bayeux(405, protocol.Refusal(405, protocol.POST_ONLY).body())
        refused["Allow"] = "POST"
        return refused
    refusal = protocol.check_version(version)
    batch = refusal or protocol.read_batch(request)
    if isinstance(batch, protocol.Refusal):
        return _bayeux(batch.status, batch.body())
    answer = await server.answer(request, str(version), batch)
    return _bayeux(answer.status, answer.body)

from __future__ import annotations

import json

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from playground.models import FlowRun


@csrf_exempt
def echo(request):
    headers = dict(request.headers.items())
    return JsonResponse(
        {
            "method": request.method,
            "path": request.get_full_path(),
            "headers": headers,
            "body": request.body.decode(),
            "host": request.get_host(),
            "secure": request.is_secure(),
        }
    )


def redirect(request):
    return HttpResponseRedirect("https://client.test/cb#access_token=tok-123456&state=xyz")


def count_runs(request):
    return HttpResponse(str(FlowRun.objects.count()), content_type="text/plain")


def boom(request):
    raise RuntimeError("kaboom")


def cookie(request):
    response = HttpResponse(json.dumps({"ok": True}), content_type="application/json")
    response.set_cookie("sessionid", "very-secret-session")
    return response


urlpatterns = [
    path("echo/", echo),
    path("redirect/", redirect),
    path("count/", count_runs),
    path("boom/", boom),
    path("cookie/", cookie),
]

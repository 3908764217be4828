from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from playground import runner
from playground.models import FlowRun

DEMO_PASSWORD = "handshake-demo"


@pytest.fixture
def org(db):
    from playground.org.seed import seed_org

    return seed_org()


def _location(response):
    assert response.status_code in {302, 303}, (response.status_code, response.content[:800])
    return response["Location"]


def _local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def start_run(client, slug: str, **data) -> FlowRun:
    response = client.post(reverse("playground:start_flow_run", args=[slug]), data)
    location = _location(response)
    run_id = location.rstrip("/").split("/")[-1]
    return FlowRun.objects.get(pk=run_id)


def run_step(client, run: FlowRun, slug: str, **headers):
    response = client.post(reverse("playground:run_step", args=[run.id, slug]), headers=headers)
    return response


def result(run: FlowRun, slug: str):
    run.refresh_from_db()
    return runner.results(run)[slug]


def sign_in_and_decide(
    client, authorize_url: str, *, username="ada@handshake.example", decision="allow"
) -> str:
    """Drive the org's pages as a browser would; return the redirect that leaves the org."""
    response = client.get(_local(authorize_url))
    for _ in range(10):
        if response.status_code in {302, 303}:
            location: str = response["Location"]
            if not location.startswith(("/login", "/services/oauth2/authorize")):
                return location
            response = client.get(_local(location))
            continue
        html = response.content.decode()
        assert response.status_code == 200, html[:1000]
        if 'name="password"' in html:
            form = {"username": username, "password": DEMO_PASSWORD}
            if start := re.search(r'name="startURL" value="([^"]+)"', html):
                form["startURL"] = start.group(1).replace("&amp;", "&")
            response = client.post(response.wsgi_request.get_full_path(), form)
        else:
            action = re.search(r'<form method="post" action="([^"]+)" class="org-consent', html)
            assert action, html[:2000]
            target = _local(action.group(1).replace("&amp;", "&"))
            response = client.post(target, {"decision": decision})
    raise AssertionError("the org never sent the browser back")


def through_callback(client, run: FlowRun, step: str = "authorize", **kwargs):
    url = result(run, step).browser_url
    location = sign_in_and_decide(client, url, **kwargs)
    return client.get(_local(location)), location

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from django.urls import reverse
from playwright.sync_api import Page

from playground.models import FlowRun
from playground.run_context import flow_of
from playground.run_store import breakages, results

DEMO_PASSWORD = "handshake-demo"


@pytest.fixture
def site(live_server, settings):
    """The live server with the org seeded; its issuer, and so every URL it hands out and
    every assertion's audience, follows the live server's random port."""
    from org.seed import seed_org

    settings.HANDSHAKE_BASE_URL = live_server.url
    seed_org()
    return live_server.url


def watch_page(page: Page, site: str) -> list[str]:
    """Collect console errors and every request to another origin, for a test to assert none."""
    origin = urlsplit(site).netloc
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on(
        "request",
        lambda r: problems.append(r.url) if urlsplit(r.url).netloc not in {origin, ""} else None,
    )
    return problems


@pytest.fixture
def org(db):
    from org.seed import seed_org

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
    return results(run)[slug]


def try_fault(client, run: FlowRun, slug: str, fault: str):
    """Break a step with one of its faults, as the step card's Break it button does."""
    return client.post(reverse("playground:run_step", args=[run.id, slug]), {"fault": fault})


def at_token_step(client, slug: str) -> FlowRun:
    """A run of an assertion flow (JWT or SAML bearer) whose certificate step has passed."""
    run = start_run(client, slug)
    run_step(client, run, "certificate")
    assert result(run, "certificate").outcome == "ok", result(run, "certificate").headline
    return run


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


# A second, independent OpenID provider: panva's oidc-provider, run from interop/provider. ----

PROVIDER_DIR = Path(__file__).resolve().parents[2] / "interop" / "provider"
PROVIDER_CLIENT_ID = "handshake-playground"
PROVIDER_CLIENT_SECRET = "provider-secret-" + "x7Kq9vR2mW4tZ8pL"


@dataclass
class RunningProvider:
    issuer: str
    client_id: str
    client_secret: str
    process: subprocess.Popen[str]


def _stop(process):
    # Stopped by its own process id, nothing broader.
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@pytest.fixture
def oidc_provider():
    """Start oidc-provider for a redirect URI; every one started is stopped by its PID."""
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            "oidc-provider is not installed: run `make setup-dev` (it installs interop/provider)."
        )
    started = []

    def start(redirect_uri, *, client_auth="client_secret_basic"):
        environment = {
            **os.environ,
            "PORT": "0",  # the provider binds a free port itself and prints its issuer
            "CLIENT_ID": PROVIDER_CLIENT_ID,
            "CLIENT_SECRET": PROVIDER_CLIENT_SECRET,
            "REDIRECT_URI": redirect_uri,
            "CLIENT_AUTH": client_auth,
        }
        process = subprocess.Popen(
            ["node", "server.mjs"],
            cwd=PROVIDER_DIR,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(process)
        stdout = process.stdout
        assert stdout is not None
        # Generous: a CI machine running the browser tests beside it can be slow to start Node.
        deadline = time.monotonic() + 60
        # Raw reads from the pipe: a buffered readline() keeps the lines after the first of a
        # chunk where select() cannot see them, so "listening" could sit there unread.
        pipe = stdout.fileno()
        output = ""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([pipe], [], [], 0.5)
            if ready:
                output += os.read(pipe, 65536).decode(errors="replace")
                for line in output.splitlines():
                    if line.startswith("listening "):
                        return RunningProvider(
                            line.split()[1], PROVIDER_CLIENT_ID, PROVIDER_CLIENT_SECRET, process
                        )
            if process.poll() is not None:
                output += os.read(pipe, 65536).decode(errors="replace")
                break
        _stop(process)
        raise AssertionError(
            f"oidc-provider did not start (exit code {process.returncode}):\n" + output
        )

    yield start
    for process in started:
        _stop(process)


def drive_provider(url, *, login="ada", http=None):
    """Go through oidc-provider's own pages (device confirmation, dev login, consent) as a
    browser would, with httpx; return the first URL outside the provider, or its last page."""
    issuer = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    http = http or httpx.Client(follow_redirects=False, timeout=10, trust_env=False)
    response = http.get(url)
    for _ in range(20):
        if response.is_redirect:
            location = urljoin(str(response.url), response.headers["location"])
            if not location.startswith(issuer):
                return location
            response = http.get(location)
            continue
        assert response.status_code == 200, response.text[:500]
        form = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', response.text, re.S)
        if form is None:
            return response.text
        fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(2)))
        if 'name="login"' in form.group(2):
            fields.update(login=login, password="anything")
        response = http.post(urljoin(str(response.url), form.group(1)), data=fields)
    raise AssertionError("the provider never let go")


def tried(run, slug):
    """The Break it attempts recorded on a step, oldest first."""
    run.refresh_from_db()
    flow = flow_of(run)
    assert flow is not None
    return breakages(run, flow)[slug]

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from playground import servers
from playground.models import ExternalServer, FlowRun
from playground.run_context import callback_url
from playground.transports import HttpxTransport
from tests.playground.conftest import _local, drive_provider, result, run_step, tried

pytestmark = pytest.mark.django_db


def add_server(client, provider, **extra):
    data = {
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "client_auth": "client_secret_basic",
        **extra,
    }
    return client.post(reverse("playground:server_list"), data)


@pytest.fixture
def provider(oidc_provider, settings):
    return oidc_provider(callback_url(settings.HANDSHAKE_BASE_URL))


@pytest.fixture
def server(client, provider):
    response = add_server(client, provider)
    assert response.status_code == 303, response.content.decode()[:2000]
    return ExternalServer.objects.get()


def start(client, server, slug):
    response = client.post(reverse("playground:start_server_run", args=[server.id, slug]))
    assert response.status_code == 303, response.content[:500]
    return FlowRun.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def sign_in_at_provider(client, run):
    location = drive_provider(result(run, "authorize").browser_url)
    assert location.startswith(run.redirect_uri), location
    return client.get(_local(location))


def test_adding_a_server_reads_its_discovery_and_seals_the_secret(client, provider, caplog):
    caplog.set_level(logging.DEBUG)

    response = add_server(client, provider)

    server = ExternalServer.objects.get()
    assert response["Location"] == reverse("playground:server_detail", args=[server.id])
    assert server.issuer == provider.issuer
    endpoints = servers.endpoints_of(server)
    assert endpoints.token == provider.issuer + "/token"
    assert endpoints.device_authorization == provider.issuer + "/device/auth"
    assert server.scope == "openid profile offline_access"
    assert provider.client_secret not in server.sealed_secret
    assert servers.secret_of(server) == provider.client_secret
    page = client.get(response["Location"]).content.decode()
    assert "stored encrypted, never shown" in page
    assert provider.client_secret not in page
    assert provider.client_secret not in caplog.text


def test_web_server_flow_with_pkce_runs_against_oidc_provider(client, server, provider):
    run = start(client, server, "web-server-pkce")
    run_step(client, run, "discover")
    run_step(client, run, "authorize")
    query = parse_qs(urlsplit(result(run, "authorize").browser_url).query)
    assert result(run, "authorize").browser_url.startswith(provider.issuer + "/auth?")
    assert query["code_challenge_method"] == ["S256"]
    assert query["scope"] == ["openid profile offline_access"]

    sign_in_at_provider(client, run)

    callback = result(run, "callback")
    assert callback.outcome == "ok", callback.headline
    iss = next(a for a in callback.artefacts if a.kind == "checks").checks[1]
    assert iss.passed, iss.detail  # oidc-provider sends iss (RFC 9207)
    run_step(client, run, "token")
    token = result(run, "token")
    assert token.outcome == "ok", token.headline
    exchange = token.exchanges[0]
    assert exchange.url == provider.issuer + "/token"
    assert dict(exchange.request_headers)["Authorization"].startswith("Basic ")
    assert "code_verifier=" in exchange.request_body
    id_token = next(a for a in token.artefacts if a.kind == "jwt")
    assert id_token.jwt.verdict == "valid", id_token.jwt.reason
    for step in ("userinfo", "refresh", "revoke-refresh-token"):
        run_step(client, run, step)
        assert result(run, step).outcome == "ok", (step, result(run, step).headline)
    assert result(run, "userinfo").exchanges[0].json_body()["sub"] == "ada"
    rotation = next(a for a in result(run, "refresh").artefacts if a.title == "Rotation")
    assert rotation.checks[0].passed


def test_break_it_against_oidc_provider_shows_its_own_standard_errors(client, server):
    run = start(client, server, "web-server-pkce")
    run_step(client, run, "discover")
    run_step(client, run, "authorize")
    sign_in_at_provider(client, run)
    step_url = reverse("playground:run_step", args=[run.id, "token"])

    client.post(step_url, {"fault": "wrong-code-verifier"})
    client.post(step_url, {"fault": "other-redirect-uri"})
    run_step(client, run, "token")
    client.post(step_url, {"fault": "replay-code"})

    tries = tried(run, "token")
    verifier, redirect, replay = (t.result.exchanges[0] for t in tries)
    # RFC 7636 §4.6: a standard server says invalid_grant where Salesforce says invalid_request.
    assert verifier.status == 400
    assert verifier.json_body()["error"] == "invalid_grant"
    assert redirect.status == 400
    assert redirect.json_body()["error"] == "invalid_grant"
    assert result(run, "token").outcome == "ok"
    assert replay.status == 400
    assert replay.json_body()["error"] == "invalid_grant"
    follow_up = tries[2].result.exchanges[1]
    assert follow_up.url.endswith("/me")  # userinfo: the provider revoked the grant too
    assert follow_up.status == 401


def test_client_credentials_run_against_oidc_provider(client, server, provider):
    run = start(client, server, "client-credentials")
    run_step(client, run, "discover")
    run_step(client, run, "token")
    client.post(
        reverse("playground:run_step", args=[run.id, "introspect"]),
        {"fault": "wrong-client-secret"},
    )

    for step in ("introspect", "revoke-access-token"):
        run_step(client, run, step)
        assert result(run, step).outcome == "ok", (step, result(run, step).headline)

    token = result(run, "token").exchanges[0]
    assert "grant_type=client_credentials" in token.request_body
    assert token.json_body()["token_type"] == "Bearer"
    assert result(run, "introspect").exchanges[0].json_body()["active"] is True
    wrong = tried(run, "introspect")[0].result.exchanges[0]
    assert wrong.status == 401
    assert wrong.json_body()["error"] == "invalid_client"


def test_refresh_flow_against_oidc_provider_detects_reuse(client, server):
    run = start(client, server, "refresh-token")
    run_step(client, run, "discover")
    run_step(client, run, "authorize")
    sign_in_at_provider(client, run)

    for step in ("token", "refresh", "reuse-old", "introspect-new"):
        run_step(client, run, step)
        assert result(run, step).outcome == "ok", (step, result(run, step).headline)

    assert result(run, "reuse-old").exchanges[0].json_body()["error"] == "invalid_grant"
    assert result(run, "introspect-new").exchanges[0].json_body() == {"active": False}


def test_device_flow_against_oidc_provider_polls_until_approved(client, server):
    run = start(client, server, "device")
    run_step(client, run, "discover")
    run_step(client, run, "device-authorization")
    codes = result(run, "device-authorization")
    assert codes.outcome == "ok", codes.headline
    run.refresh_from_db()
    assert run.values["interval"] == "5"  # RFC 8628 §3.2: the default when none is given

    run_step(client, run, "device-poll")
    pending = result(run, "device-poll")
    page = client.get(reverse("playground:run_detail", args=[run.id])).content.decode()
    drive_provider(codes.browser_url)
    run_step(client, run, "device-poll")
    too_soon = result(run, "device-poll")
    # No sleeping: let the interval pass by moving the last poll into the past.
    run.values["device_last_poll"] = str(time.time() - 60)
    run.save(update_fields=["values"])
    run_step(client, run, "device-poll")

    assert pending.outcome == "pending"
    assert pending.exchanges[0].json_body()["error"] == "authorization_pending"
    assert "Poll now" in page
    assert 'hx-trigger="submit, load delay:5s"' in page
    # Asked again within the interval: answered at once, nothing sent, and when it may go.
    assert too_soon.outcome == "pending"
    assert too_soon.headline.startswith("Not sent: the device keeps to its 5-second interval")
    assert too_soon.poll_after in {4, 5}
    assert len(too_soon.exchanges) == 1
    assert run.values["user_code"] in page
    polled = result(run, "device-poll")
    assert polled.outcome == "ok", polled.headline
    assert len(polled.exchanges) >= 2
    assert polled.exchanges[0].json_body()["error"] == "authorization_pending"
    poll_times = [entry["result"]["at"] for entry in run.steps if entry["step"] == "device-poll"]
    assert len(poll_times) == 1  # one entry that lists every poll
    run_step(client, run, "userinfo")
    assert result(run, "userinfo").exchanges[0].json_body()["sub"] == "ada"


def test_poll_too_fast_is_reported_honestly_when_the_server_does_not_enforce_it(client, server):
    run = start(client, server, "device")
    run_step(client, run, "discover")
    run_step(client, run, "device-authorization")

    client.post(
        reverse("playground:run_step", args=[run.id, "device-poll"]), {"fault": "poll-too-fast"}
    )

    fast = tried(run, "device-poll")[0]
    assert [e.json_body()["error"] for e in fast.result.exchanges] == [
        "authorization_pending",
        "authorization_pending",
    ]
    assert not fast.refused
    assert "does not enforce" in fast.result.headline


def test_a_run_and_a_server_belong_to_the_browser_that_added_them(client, server):
    run = start(client, server, "client-credentials")
    stranger = Client()

    assert stranger.get(reverse("playground:server_detail", args=[server.id])).status_code == 404
    assert (
        stranger.post(
            reverse("playground:start_server_run", args=[server.id, "client-credentials"])
        ).status_code
        == 404
    )
    assert stranger.get(reverse("playground:run_detail", args=[run.id])).status_code == 404
    assert stranger.post(reverse("playground:forget_server", args=[server.id])).status_code == 404


def test_forgetting_a_server_removes_its_secret_and_runs(client, server):
    start(client, server, "client-credentials")

    client.post(reverse("playground:forget_server", args=[server.id]))

    assert not ExternalServer.objects.exists()
    assert not FlowRun.objects.exists()


def test_the_run_page_never_shows_an_external_secret_outside_the_exchanges(
    client, server, provider
):
    run = start(client, server, "client-credentials")

    page = client.get(reverse("playground:run_detail", args=[run.id])).content.decode()

    assert provider.client_secret not in page
    assert "it is a real credential, so it is not shown" in page


# Servers that do not conform ---------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    answers: ClassVar[dict[str, tuple[int, dict[str, str], bytes, float]]] = {}

    def do_GET(self):
        status, headers, body, delay = self.answers.get(self.path, (404, {}, b"", 0))
        time.sleep(delay)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def odd_server():
    """A tiny loopback HTTP server whose discovery answers each test sets."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    answers = _Handler.answers
    answers.clear()
    yield base, answers
    httpd.shutdown()
    httpd.server_close()


def _discover(issuer, timeout=5.0):
    transport = HttpxTransport(
        timeout=timeout, max_body=servers.MAX_DISCOVERY_BYTES, allow_private=True
    )
    return servers.discover(issuer, transport=transport, allow_private=True)


def _json(document):
    return (200, {"Content-Type": "application/json"}, json.dumps(document).encode(), 0)


def _document(base, **changes):
    document = {
        "issuer": base,
        "authorization_endpoint": base + "/auth",
        "token_endpoint": base + "/token",
        "jwks_uri": base + "/jwks",
    }
    document.update(changes)
    return {k: v for k, v in document.items() if v is not None}


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (lambda b: (200, {"Content-Type": "text/html"}, b"<html>hi</html>", 0), "not a JSON"),
        (lambda b: (200, {"Content-Type": "application/json"}, b"[1, 2]", 0), "not a JSON"),
        (lambda b: _json(_document(b, issuer="https://someone-else.example")), "must be identical"),
        (lambda b: _json(_document(b, token_endpoint=None)), "lacks token_endpoint"),
        (lambda b: _json(_document(b, jwks_uri=None)), "lacks jwks_uri"),
        (lambda b: _json(_document(b, userinfo_endpoint="javascript:alert(1)")), "not an absolute"),
        (lambda b: (302, {"Location": "https://elsewhere.example/"}, b"", 0), "no redirects"),
        (lambda b: (500, {}, b"oops", 0), "answered 500"),
        (
            lambda b: (200, {"Content-Type": "application/json"}, b" " * 300_000 + b"{}", 0),
            "larger than 256 KiB",
        ),
    ],
)
def test_non_conforming_discovery_documents_get_a_clear_reason(odd_server, answer, says):
    base, answers = odd_server
    answers["/.well-known/openid-configuration"] = answer(base)

    found = _discover(base)

    assert isinstance(found, servers.DiscoveryProblem)
    assert says in found.message


def test_a_slow_server_times_out(odd_server):
    base, answers = odd_server
    answers["/.well-known/openid-configuration"] = (*_json(_document(base))[:3], 1.5)

    started = time.monotonic()
    found = _discover(base, timeout=0.3)

    assert isinstance(found, servers.DiscoveryProblem)
    assert "Timed out" in found.message
    assert time.monotonic() - started < 1.5


def test_an_unreachable_server_is_explained():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    found = _discover(f"http://127.0.0.1:{port}")

    assert isinstance(found, servers.DiscoveryProblem)
    assert "could not be reached" in found.message


def test_a_conforming_document_is_accepted_with_its_optional_endpoints(odd_server):
    base, answers = odd_server
    answers["/.well-known/openid-configuration"] = _json(
        _document(base, revocation_endpoint=base + "/revoke", scopes_supported=["openid"])
    )

    found = _discover(base + "/")

    assert isinstance(found, servers.Discovery)
    assert found.endpoints.revocation == base + "/revoke"
    assert found.endpoints.userinfo == ""
    assert found.default_scope() == "openid"


def test_the_server_page_shows_the_callback_to_register_and_a_discovery_failure(
    client, odd_server, settings
):
    base, answers = odd_server
    answers["/.well-known/openid-configuration"] = _json(_document(base, issuer="https://x.test"))

    page = client.get(reverse("playground:server_list")).content.decode()
    failed = client.post(
        reverse("playground:server_list"),
        {"issuer": base, "client_id": "abc", "client_auth": "client_secret_basic"},
    )

    assert callback_url(settings.HANDSHAKE_BASE_URL) in page
    assert 'type="password"' in page
    assert failed.status_code == 400
    assert "must be identical" in failed.content.decode()
    assert "/.well-known/openid-configuration" in failed.content.decode()


def test_the_decoded_basic_credentials_of_an_external_server_keep_its_secret_hidden(
    client, server, provider
):
    run = start(client, server, "client-credentials")
    run_step(client, run, "discover")
    run_step(client, run, "token")

    page = client.get(reverse("playground:run_detail", args=[run.id])).content.decode()

    assert "The Basic credentials, decoded" in page
    assert "not shown: an external server's secret is a real credential" in page
    assert provider.client_secret not in page

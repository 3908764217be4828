"""Catalogue group I, the playground's side: odd provider answers (I3), trickles and bombs
(I4), odd issuers and unsafe links (I5), control characters in the curl export (I9), and a
NameID no XML can hold."""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from playground import servers
from playground.exchange import OutgoingRequest, record
from playground.runner import perform_step
from playground.steps.device import device_poll_step
from playground.transports import HttpxTransport
from playground.vocabulary import StepContext
from tests.playground.conftest import at_token_step, result, start_run

pytestmark = pytest.mark.django_db

DEVICE_CODES = '"device_code": "d-1", "user_code": "ABCD-EFGH"'


class Canned:
    """A provider that answers every request with the same raw JSON text, and notes each one."""

    def __init__(self, text: str, status: int = 200) -> None:
        self.text, self.status = text, status
        self.sent: list[OutgoingRequest] = []

    def send(self, request: OutgoingRequest):
        self.sent.append(request)
        return record(
            request,
            sent_headers=request.headers,
            status=self.status,
            response_headers=[("Content-Type", "application/json")],
            response_body=self.text.encode(),
            elapsed_ms=1.0,
        )


def _device_answer(client, text: str, status: int = 200):
    run = start_run(client, "device")
    perform_step(run, "device-authorization", transport=Canned(text, status))
    return run, result(run, "device-authorization")


# I3: numbers no device can count --------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("interval", "1000000000000"),
        ("interval", "1" + "0" * 400),
        ("interval", "NaN"),
        ("expires_in", "1e999"),
        ("expires_in", "NaN"),
        ("expires_in", "-Infinity"),
        ("expires_in", "-600"),
    ],
)
def test_i3_a_provider_interval_or_lifetime_no_device_could_wait_is_refused(
    client, org, field, value
):
    text = (
        f'{{{DEVICE_CODES}, "verification_uri": "https://idp.example/device", "{field}": {value}}}'
    )

    run, answer = _device_answer(client, text)
    page = client.get(reverse("playground:run_detail", args=[run.id]))

    assert answer.outcome == "error"
    assert f"gives {field} as" in answer.headline
    assert page.status_code == 200
    assert f"gives {field} as" in page.content.decode()


def _poll_context(transport, *, last_poll: float, interval: int) -> StepContext:
    return StepContext(
        client_id="c-1",
        client_secret="",
        base_url="https://idp.example",
        redirect_uri="https://app.example/cb",
        values={
            "device_code": "d-1",
            "interval": str(interval),
            "device_last_poll": str(last_poll),
        },
        transport=transport,
    )


def test_i3_a_poll_asked_for_inside_the_interval_is_answered_at_once_and_not_sent():
    step = device_poll_step(why="-")  # keeps the interval, as against external providers
    provider = Canned('{"error": "authorization_pending"}', 400)
    now = time.time()

    early = step.build(_poll_context(provider, last_poll=now, interval=3600))
    due = step.build(_poll_context(provider, last_poll=now - 3601, interval=3600))

    assert not isinstance(early, OutgoingRequest)
    assert early.outcome == "pending"
    assert early.headline.startswith("Not sent: the device keeps to its 3600-second interval")
    assert 3590 <= early.poll_after <= 3600
    assert early.exchanges == ()
    assert isinstance(due, OutgoingRequest)
    assert provider.sent == []


def _unsigned(claims_json: str) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return f"{b64(json.dumps({'alg': 'none'}).encode())}.{b64(claims_json.encode())}."


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat", "auth_time"])
def test_i3_a_time_claim_of_400_digits_is_described_not_a_500(client, claim):
    token = _unsigned(f'{{"sub": "x", "{claim}": 1{"0" * 400}}}')

    response = client.post("/playground/inspect/", {"token": token, "key_source": "none"})

    assert response.status_code == 200
    assert "not a time: out of range" in response.content.decode()


def test_i3_an_id_token_from_a_provider_with_a_400_digit_exp_is_shown_not_a_500(client, org):
    run, _ = _device_answer(
        client, f'{{{DEVICE_CODES}, "verification_uri": "https://idp.example/device"}}'
    )
    id_token = _unsigned(f'{{"sub": "ada", "exp": 1{"0" * 400}, "iat": 1{"0" * 400}}}')
    tokens = json.dumps({"access_token": "at-1", "token_type": "Bearer", "id_token": id_token})

    perform_step(run, "device-poll", transport=Canned(tokens))
    page = client.get(reverse("playground:run_detail", args=[run.id]))

    assert result(run, "device-poll").outcome == "ok"
    assert page.status_code == 200
    assert "not a time: out of range" in page.content.decode()


# I4: one deadline per exchange, and a cap while decompressing ----------------------------


@pytest.fixture
def loopback():
    """A loopback HTTP server; each test gives it the handler body (a function of the handler)."""
    behaviours: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            # OSError: the client hung up, as it should once its deadline passed.
            with contextlib.suppress(OSError):
                behaviours["answer"](self)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", behaviours
    httpd.shutdown()
    httpd.server_close()


def _trickle(data: bytes, handler: BaseHTTPRequestHandler) -> None:
    for byte in data:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.1)


def _trickled_body(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "60")
    handler.end_headers()
    _trickle(b" " * 58 + b"{}", handler)


def _trickled_headers(handler: BaseHTTPRequestHandler) -> None:
    _trickle(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + b"X: y\r\n" * 8, handler)


@pytest.mark.parametrize("answer", [_trickled_body, _trickled_headers])
def test_i4_a_server_trickling_a_byte_at_a_time_is_cut_off_at_the_deadline(loopback, answer):
    base, behaviours = loopback
    behaviours["answer"] = answer
    # Each byte comes well inside the per-read time; the whole answer takes six seconds.
    transport = HttpxTransport(timeout=1.0, allow_private=True)

    exchange = transport.send(OutgoingRequest.get(base + "/.well-known/openid-configuration"))

    assert exchange.status == 0
    assert exchange.error.startswith("Timed out")


def test_i4_a_name_server_that_never_answers_is_cut_off_at_the_deadline(monkeypatch):
    answered = threading.Event()

    def stuck(*args, **kwargs):
        answered.wait(30)  # a resolver retrying a silent name server
        raise OSError("gave up")

    monkeypatch.setattr(socket, "getaddrinfo", stuck)
    try:
        exchange = HttpxTransport(timeout=0.5).send(OutgoingRequest.get("https://slow.example/"))
    finally:
        answered.set()

    assert exchange.status == 0
    assert exchange.error == "Not sent: slow.example did not resolve within the time limit."


def _gzip_bomb(*, megabytes: int) -> bytes:
    """About 1 KB of gzip per megabyte of zeros it inflates to, made a megabyte at a time."""
    squeezer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    return b"".join(squeezer.compress(zeros) for _ in range(megabytes)) + squeezer.flush()


def _serving(bomb: bytes) -> Callable[[BaseHTTPRequestHandler], None]:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(bomb)))
        handler.end_headers()
        handler.wfile.write(bomb)

    return answer


def test_i4_a_gzip_bomb_is_cut_at_the_cap_while_decompressing(loopback):
    base, behaviours = loopback
    behaviours["answer"] = _serving(_gzip_bomb(megabytes=200))
    transport = HttpxTransport(max_body=servers.MAX_DISCOVERY_BYTES, allow_private=True)

    tracemalloc.start()
    try:
        exchange = transport.send(OutgoingRequest.get(base + "/"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert exchange.status == 200
    assert exchange.truncated
    # A budget in bytes: a few copies of the 256 KiB cap, never one network chunk inflated.
    assert peak < 8 * 1024 * 1024


def test_i4_a_deflated_answer_is_still_read(loopback):
    base, behaviours = loopback

    def deflated(handler):
        body = zlib.compress(b'{"ok": true}')
        handler.send_response(200)
        handler.send_header("Content-Encoding", "deflate")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    behaviours["answer"] = deflated

    exchange = HttpxTransport(allow_private=True).send(OutgoingRequest.get(base + "/"))

    assert exchange.json_body() == {"ok": True}
    assert not exchange.truncated


# I5: issuers spelled oddly, and links that are not https ---------------------------------


@pytest.mark.parametrize(
    ("issuer", "says"),
    [
        ("https://0177.0.0.1", "four decimal numbers"),
        ("https://0x7f.0.0.1", "four decimal numbers"),
        ("https://2130706433", "four decimal numbers"),
        ("https://①②⑦.0.0.1", "plain ASCII"),
        ("https://ｌｏｃａｌｈｏｓｔ", "plain ASCII"),
        ("https://login.example\r\n.com", "control characters"),
        ("https://login.example/\x00", "control characters"),
        ("https://login.example:99999", "not a valid URL"),
    ],
)
def test_i5_oddly_spelled_issuers_are_refused_with_a_reason_before_anything_is_sent(issuer, says):
    assert says in servers.issuer_problem(issuer, allow_private=True)


@pytest.mark.parametrize("issuer", ["https://ｌｏｇｉｎ.example", "https://login.example\r\nX: y"])
def test_i5_the_server_form_answers_an_odd_issuer_with_a_form_error(client, issuer):
    response = client.post(
        reverse("playground:server_list"),
        {"issuer": issuer, "client_id": "x", "client_auth": "client_secret_basic"},
    )

    assert response.status_code == 400
    assert "issuer" in response.content.decode().lower()


@pytest.mark.parametrize("url", ["https://exa\x00mple.example/", "https://a\u3000b.example/"])
def test_i5_a_url_httpx_cannot_send_is_an_exchange_with_no_response(url):
    exchange = HttpxTransport().send(OutgoingRequest.get(url))

    assert exchange.status == 0
    assert exchange.error.startswith("Not sent")


@pytest.mark.parametrize(
    "complete",
    [
        "javascript:alert(document.domain)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "http://idp.example/device?code=ABCD",
        "http://127.0.0.1:9/device",
    ],
)
def test_i5_only_https_verification_links_are_rendered_as_links(client, org, complete):
    text = (
        f'{{{DEVICE_CODES}, "verification_uri": "https://idp.example/device", '
        f'"verification_uri_complete": {json.dumps(complete)}}}'
    )

    run, answer = _device_answer(client, text)
    page = client.get(reverse("playground:run_detail", args=[run.id])).content.decode()

    assert answer.outcome == "ok"
    assert answer.browser_url == "https://idp.example/device"
    assert f'href="{complete}' not in page
    assert 'href="https://idp.example/device"' in page


def test_i5_with_no_https_page_at_all_there_is_no_link(client, org):
    text = f'{{{DEVICE_CODES}, "verification_uri": "javascript:alert(1)"}}'

    run, answer = _device_answer(client, text)
    page = client.get(reverse("playground:run_detail", args=[run.id])).content.decode()

    assert answer.browser_url == ""
    assert 'href="javascript:' not in page
    assert "shown only as text, never as a link" in page


# I9: the curl export's comments hold no control character ---------------------------------


def test_i9_control_characters_from_a_server_never_leave_a_curl_comment(client, org):
    said = "no\rtouch /tmp/owned-cr\nid\u2028x\x0bdone\x85end\x1b[2J"
    text = json.dumps({"error": "invalid_request", "error_description": said})

    run, answer = _device_answer(client, text, status=400)
    script = client.get(
        reverse("playground:export_run", args=[run.id]), {"format": "curl"}
    ).content.decode()

    assert answer.outcome == "error"
    assert "owned-cr" in script
    for character in ("\r", "\x0b", "\x1b", "\x85", "\u2028"):
        assert character not in script
    lines = [line for line in script.split("\n") if "owned-cr" in line or "id done" in line]
    assert lines
    assert all(line.startswith("# ") for line in lines)


# A NameID no XML document can hold --------------------------------------------------------


@pytest.mark.parametrize("name_id", ["\ufffe", "ada\uffff@handshake.example", "\ufdd0"])
def test_a_nameid_no_xml_can_hold_is_a_form_error(client, org, name_id):
    run = at_token_step(client, "saml-bearer")

    response = client.post(
        reverse("playground:run_step", args=[run.id, "token"]), {"in-name_id": name_id}
    )

    assert response.status_code == 400
    assert "noncharacters" in response.content.decode()

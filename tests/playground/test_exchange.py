from __future__ import annotations

import json

import httpx
import pytest
from django.core.signals import request_finished
from django.db import connection

from playground import run_store
from playground.exchange import HttpExchange, OutgoingRequest
from playground.models import FlowRun
from playground.transports import HttpxTransport, InProcessTransport

pytestmark = pytest.mark.urls("tests.playground.echo_urls")
BASE = "http://127.0.0.1:8000"


def test_in_process_get_records_the_real_request_and_response():
    exchange = InProcessTransport().send(
        OutgoingRequest.get(f"{BASE}/echo/?a=1", bearer="tok-abcdef")
    )

    echoed = exchange.json_body()
    assert exchange.status == 200
    assert exchange.method == "GET"
    assert exchange.target == "/echo/?a=1"
    assert ("Host", "127.0.0.1:8000") in exchange.request_headers
    assert echoed["headers"]["Authorization"] == "Bearer tok-abcdef"
    assert echoed["host"] == "127.0.0.1:8000"
    assert exchange.header("Content-Type") == "application/json"
    assert "tok-abcdef" in exchange.secret_values
    assert exchange.elapsed_ms > 0


def test_in_process_post_sends_the_form_and_basic_credentials():
    request = OutgoingRequest.form(
        "https://localhost/echo/",
        {"grant_type": "client_credentials", "client_secret": "s3cret!value"},
        basic_auth=("3MVG:id", "s3cret!value"),
    )

    exchange = InProcessTransport().send(request)

    echoed = exchange.json_body()
    assert echoed["body"] == "grant_type=client_credentials&client_secret=s3cret%21value"
    assert echoed["secure"] is True
    assert echoed["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    # RFC 6749 §2.3.1: id and secret are form-encoded before Base64.
    assert echoed["headers"]["Authorization"] == "Basic M01WRyUzQWlkOnMzY3JldCUyMXZhbHVl"
    marked = [s.text for s in exchange.request_segments() if s.secret]
    assert "s3cret%21value" in marked
    assert "M01WRyUzQWlkOnMzY3JldCUyMXZhbHVl" in marked


def test_a_redirect_is_recorded_with_its_location_and_the_fragment_token_is_a_secret():
    exchange = InProcessTransport().send(OutgoingRequest.get(f"{BASE}/redirect/"))

    assert exchange.status == 302
    assert exchange.location == "https://client.test/cb#access_token=tok-123456&state=xyz"
    assert "tok-123456" in exchange.secret_values
    assert "Location: https://client.test/cb#access_token=tok-123456" in exchange.response_text()


def test_a_server_error_is_an_exchange_not_an_exception():
    exchange = InProcessTransport().send(OutgoingRequest.get(f"{BASE}/boom/"))

    assert exchange.status == 500


def test_set_cookie_values_are_marked_secret():
    exchange = InProcessTransport().send(OutgoingRequest.get(f"{BASE}/cookie/"))

    assert "very-secret-session" in exchange.secret_values


@pytest.mark.django_db
def test_the_inner_request_shares_the_outer_connection_and_leaves_it_open():
    FlowRun.objects.create(
        owner="o", flow="web-server", base_url=BASE, redirect_uri="x", client_id="c"
    )
    finished = []

    def note(**kwargs):
        finished.append(kwargs)

    request_finished.connect(note, dispatch_uid="test-inner-request")
    try:
        exchange = InProcessTransport().send(OutgoingRequest.get(f"{BASE}/count/"))
    finally:
        request_finished.disconnect(dispatch_uid="test-inner-request")

    assert exchange.response_body == "1"  # it saw the outer transaction's row
    assert finished == []  # so close_old_connections never ran
    assert connection.connection is not None
    assert FlowRun.objects.count() == 1


def test_exchanges_survive_a_round_trip_through_json():
    exchange = InProcessTransport().send(OutgoingRequest.get(f"{BASE}/echo/", bearer="tok-abcdef"))

    again = run_store.load(HttpExchange, json.loads(json.dumps(run_store.dump(exchange))))

    assert again == exchange


def test_httpx_transport_records_what_it_sent_and_received():
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400, json={"error": "invalid_grant"}, headers={"Cache-Control": "no-store"}
        )

    client = httpx.Client(transport=httpx.MockTransport(answer))
    request = OutgoingRequest.form("https://org.test/services/oauth2/token", {"code": "abc-code-1"})

    exchange = HttpxTransport(client=client).send(request)

    assert exchange.status == 400
    assert exchange.json_body() == {"error": "invalid_grant"}
    assert ("Host", "org.test") in exchange.request_headers
    assert exchange.header("cache-control") == "no-store"
    assert "abc-code-1" in exchange.secret_values


def test_httpx_transport_turns_a_network_failure_into_data():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(refuse))

    exchange = HttpxTransport(client=client).send(OutgoingRequest.get("https://org.test/"))

    assert exchange.status == 0
    assert "connection refused" in exchange.error
    assert exchange.response_text().startswith("(no response")


def test_httpx_transport_caps_what_it_reads():
    client = httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=b"x" * 5000))
    )

    exchange = HttpxTransport(client=client, max_body=1000).send(
        OutgoingRequest.get("https://o.test/")
    )

    assert len(exchange.response_body) == 1000
    assert exchange.truncated


@pytest.mark.django_db(transaction=True)
def test_httpx_over_the_network_and_in_process_see_the_same_answer(live_server):
    url = f"{live_server.url}/echo/?x=1"

    over_network = HttpxTransport(timeout=5, allow_private=True).send(
        OutgoingRequest.get(url, bearer="tok-abcdef")
    )
    in_process = InProcessTransport().send(OutgoingRequest.get(url, bearer="tok-abcdef"))

    assert over_network.status == in_process.status == 200
    network_echo, process_echo = over_network.json_body(), in_process.json_body()
    assert network_echo["path"] == process_echo["path"] == "/echo/?x=1"
    assert network_echo["host"] == process_echo["host"]
    assert network_echo["headers"]["Authorization"] == process_echo["headers"]["Authorization"]

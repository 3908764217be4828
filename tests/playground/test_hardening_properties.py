"""Invariants of the hardening pieces, over generated input (catalogue group I)."""

from __future__ import annotations

import gzip
import ipaddress
import json
import zlib

import httpx
from hypothesis import given
from hypothesis import strategies as st

from playground.address_guard import refused_kind
from playground.capped_bodies import read_capped
from playground.exchange import OutgoingRequest, record
from playground.steps.device import device_authorization_step
from playground.vocabulary import StepContext

IPV4 = st.integers(min_value=0, max_value=2**32 - 1).map(ipaddress.IPv4Address)
CARRIERS = ("::{}", "64:ff9b::{}", "::ffff:0:{}", "::ffff:{}")


@given(IPV4, st.sampled_from(CARRIERS))
def test_i6_an_ipv6_form_is_judged_exactly_as_the_ipv4_address_it_carries(address, carrier):
    carried = ipaddress.IPv6Address(carrier.format(address))
    if carrier == "::{}" and int(address) <= 1:
        return  # :: and ::1 are IPv6's own unspecified and loopback addresses
    assert refused_kind(carried) == refused_kind(address)


def _response(body: bytes, encoding: str) -> httpx.Response:
    headers = {"Content-Encoding": encoding} if encoding else {}
    return httpx.Response(200, headers=headers, stream=httpx.ByteStream(body))


@given(
    st.binary(max_size=5000),
    st.integers(min_value=0, max_value=6000),
    st.sampled_from(["", "gzip", "deflate", "raw-deflate"]),
)
def test_i4_a_capped_read_is_exactly_the_first_bytes_of_the_decoded_body(body, limit, coding):
    if coding == "gzip":
        sent, header = gzip.compress(body), "gzip"
    elif coding == "deflate":
        sent, header = zlib.compress(body), "deflate"
    elif coding == "raw-deflate":
        squeezer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        sent, header = squeezer.compress(body) + squeezer.flush(), "deflate"
    else:
        sent, header = body, ""

    read = read_capped(_response(sent, header), limit)

    assert read.content == body[:limit]
    assert read.cut == (len(body) > limit)


NUMBERS = (
    st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["NaN", "1e999", "-Infinity", "1" + "0" * 400])
)


def _answer(interval, expires_in) -> bytes:
    def text(value):
        return value if isinstance(value, str) else json.dumps(value)

    return (
        '{"device_code": "d", "user_code": "U", "verification_uri": "https://idp.example/d", '
        f'"interval": {text(interval)}, "expires_in": {text(expires_in)}}}'
    ).encode()


@given(NUMBERS, NUMBERS)
def test_i3_any_number_for_interval_or_expires_in_is_a_result_never_an_exception(
    interval, expires_in
):
    step = device_authorization_step(scope="openid", why="-")
    ctx = StepContext(
        client_id="c",
        client_secret="",
        base_url="https://idp.example",
        redirect_uri="https://app.example/cb",
        values={},
        transport=None,  # type: ignore[arg-type]
    )
    request = OutgoingRequest.get("https://idp.example/device")
    exchange = record(
        request,
        sent_headers=(),
        status=200,
        response_headers=[("Content-Type", "application/json")],
        response_body=_answer(interval, expires_in),
        elapsed_ms=1,
    )

    assert step.read is not None
    answer = step.read(ctx, exchange)

    assert answer.outcome in {"ok", "error"}
    if answer.outcome == "ok":
        remembered = dict(answer.remember)
        assert 1 <= int(remembered["interval"]) <= 3600

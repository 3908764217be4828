"""The device authorization grant (RFC 8628), in its standard shape or Salesforce's."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from typing import TypeGuard
from urllib.parse import urlsplit

from config.text import has_control_characters
from playground.artefacts import (
    Callout,
    parameters,
)
from playground.exchange import HttpExchange, OutgoingRequest
from playground.steps.answers import (
    TOKEN_FIELDS,
    failed,
    nothing_to_send,
    shorten,
)
from playground.steps.token import token_artefacts
from playground.vocabulary import Arrow, Fault, Step, StepContext, StepResult

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# Salesforce's names for the same poll: grant_type=device, the device code sent as `code`.
SALESFORCE_DEVICE_GRANT = "device"
# RFC 8628 §3.2: the interval when the server names none.
DEFAULT_POLL_INTERVAL = 5
# The longest interval and code lifetime the playground's device accepts: a server asking for
# more is not one a person can follow on a page, and no clock should count past it.
MAX_POLL_INTERVAL = 3600
MAX_EXPIRES_IN = 86400
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def device_authorization_step(
    *,
    scope: str,
    why: str,
    faults: tuple[Fault, ...] = (),
    salesforce_shape: bool = False,
    differences: tuple[str, ...] = (),
) -> Step:
    """RFC 8628 §3.1 at the device authorization endpoint or, in Salesforce's shape, a POST
    to the token endpoint with response_type=device_code (same answer)."""

    def build(ctx: StepContext) -> OutgoingRequest:
        wanted = ctx.scope or scope
        if salesforce_shape:
            return ctx.client_form(
                ctx.urls.token, {"response_type": "device_code", "scope": wanted}
            )
        return ctx.client_form(ctx.urls.device_authorization, {"scope": wanted})

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        if not exchange.ok:
            return failed(exchange, doing="the device authorization request")
        body = exchange.json_body()
        missing = [
            name for name in ("device_code", "user_code", "verification_uri") if not body.get(name)
        ]
        if missing:
            return StepResult(
                "error",
                f"The answer lacks {', '.join(missing)}, which RFC 8628 §3.2 requires.",
                exchanges=(exchange,),
            )
        if problem := _unusable_seconds(body, exchange):
            return problem
        interval = body.get("interval")
        # Whole seconds: a fraction rounds up, so the device never asks early.
        interval = math.ceil(interval) if _is_number(interval) and interval > 0 else None
        expires_in = body.get("expires_in")
        expires_at = time.time() + (expires_in if _is_number(expires_in) else 600)
        offered = (str(body.get("verification_uri_complete") or ""), str(body["verification_uri"]))
        link = next((uri for uri in offered if _linkable(uri, ctx.base_url)), "")
        remember = [
            ("device_code", str(body["device_code"])),
            ("user_code", str(body["user_code"])),
            ("verification_uri", str(body["verification_uri"])),
            ("interval", str(interval or DEFAULT_POLL_INTERVAL)),
            ("device_expires_at", str(int(expires_at))),
        ]
        shown = {name: shorten(str(value)) for name, value in body.items()}
        meanings = {
            "device_code": "The device's own secret for polling. It never leaves the device.",
            "user_code": "The short code the person types on the verification page.",
            "verification_uri": "Where the person goes, on any device, to approve.",
            "verification_uri_complete": "The same page with the user code already filled in "
            "(good for a QR code).",
            "interval": "How many seconds to wait between polls.",
            "expires_in": "Seconds until both codes stop working.",
        }
        tip = Callout(
            "info",
            f"Open {body['verification_uri']} in another tab or on your phone, sign in, and "
            f"enter {body['user_code']}. Then come back and poll."
            if link
            else "The server's verification page is not an https address, so it is shown "
            "only as text, never as a link: a javascript: or data: address would run in "
            "this page.",
        )
        return StepResult(
            "ok",
            f"The server issued user code {body['user_code']}.",
            exchanges=(exchange,),
            artefacts=(
                parameters(
                    "The answer, field by field",
                    shown,
                    meanings=meanings,
                    secrets=frozenset({"device_code"}),
                ),
                tip,
            ),
            remember=tuple(remember),
            browser_url=link,
        )

    where = (
        "POST /services/oauth2/token (response_type=device_code)"
        if salesforce_shape
        else "POST device authorization endpoint"
    )
    return Step(
        slug="device-authorization",
        title="Ask for a device code and a user code",
        kind="back-channel",
        spec="RFC 8628 §3.1-3.2",
        arrows=(
            Arrow("client", "authorization", where),
            Arrow("authorization", "client", "200 device_code, user_code"),
        ),
        summary="The device, which has no good browser, asks the server for two codes: a "
        "secret one to poll with, and a short one for a person to type elsewhere.",
        why=why,
        build=build,
        read=read,
        differences=differences,
        button="Ask for the codes",
        faults=faults,
        # The org answers at fixed paths; an external server must have published the endpoint.
        needs_endpoint="" if salesforce_shape else "device_authorization",
    )


def _linkable(uri: str, issuer: str) -> bool:
    """Whether the page may offer `uri` as a link: https, or plain http on the issuer's own
    loopback origin (a server on this machine, allowed only where private targets are)."""
    try:
        parts, home = urlsplit(uri), urlsplit(issuer)
    except ValueError:
        return False
    if has_control_characters(uri) or not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    return (
        parts.scheme == "http"
        and parts.hostname in _LOOPBACK_HOSTS
        and (parts.scheme, parts.netloc) == (home.scheme, home.netloc)
    )


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _unusable_seconds(body: dict[str, object], exchange: HttpExchange) -> StepResult | None:
    """An error result when `interval` or `expires_in` is a number no device could wait out
    (NaN, infinite, negative, or beyond what the playground counts); None when both will do."""
    for name, most in (("interval", MAX_POLL_INTERVAL), ("expires_in", MAX_EXPIRES_IN)):
        value = body.get(name)
        # Compared as they are: NaN fails every comparison, and a 400-digit int stays an int.
        if _is_number(value) and not (0 < value <= most):
            return StepResult(
                "error",
                f"The answer gives {name} as {shorten(str(value))}, not a number of seconds "
                f"between 1 and {most:,} (RFC 8628 §3.2), so the device cannot count it down.",
                exchanges=(exchange,),
            )
    return None


def _interval(ctx: StepContext) -> int:
    return int(ctx.values.get("interval") or DEFAULT_POLL_INTERVAL)


def _last_poll(ctx: StepContext) -> float:
    return float(ctx.values.get("device_last_poll") or 0)


def _too_soon(ctx: StepContext) -> StepResult | None:
    """A pending result, sending nothing, while the interval since the last poll runs."""
    # RFC 8628 §3.5: the device waits at least `interval` seconds between polls.
    allowed = _last_poll(ctx) + _interval(ctx)
    left = math.ceil(allowed - time.time())
    if left <= 0:
        return None
    at = datetime.fromtimestamp(allowed, UTC)
    return StepResult(
        "pending",
        f"Not sent: the device keeps to its {_interval(ctx)}-second interval, so the next "
        f"poll may go at {at:%H:%M:%S} UTC, in {left} seconds.",
        poll_after=left,
    )


def device_poll_step(
    *,
    why: str,
    faults: tuple[Fault, ...] = (),
    salesforce_shape: bool = False,
    wait: bool = True,
    differences: tuple[str, ...] = (),
) -> Step:
    """RFC 8628 §3.4-3.5: one poll per run of the step, repeated until the person decides.

    With `wait`, a poll asked for too soon is not sent: the step says when the interval ends
    and the page asks again then (nothing sleeps in a request). Without it the poll goes at
    once, so a visitor who asks early sees the server's slow_down.
    """
    grant, parameter = (
        (SALESFORCE_DEVICE_GRANT, "code") if salesforce_shape else (DEVICE_GRANT, "device_code")
    )

    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if problem := nothing_to_send(ctx, "device_code"):
            return problem
        if wait and (early := _too_soon(ctx)):
            return early
        data = {"grant_type": grant, parameter: ctx.values["device_code"]}
        return ctx.client_form(ctx.urls.token, data)

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        interval = _interval(ctx)
        on_time = time.time() - _last_poll(ctx) >= interval
        remember = [("device_last_poll", str(time.time()))]
        body = exchange.json_body()
        error = body.get("error")
        if exchange.ok:
            extra, artefacts = token_artefacts(ctx, exchange, nonce="")
            remember += [(name, str(body[name])) for name in TOKEN_FIELDS if body.get(name)]
            return StepResult(
                "ok",
                "Approved: the poll came back with tokens.",
                exchanges=(exchange, *extra),
                artefacts=tuple(artefacts),
                remember=tuple(remember),
            )
        if error == "authorization_pending":
            return StepResult(
                "pending",
                f"Not yet (authorization_pending): nobody has approved the code. Asking again "
                f"in {interval} seconds.",
                exchanges=(exchange,),
                remember=tuple(remember),
                poll_after=interval,
            )
        if error == "slow_down":
            # RFC 8628 §3.5: on slow_down, add 5 seconds to the interval for every later poll.
            # Told to slow down although this device kept to its interval, it must have missed
            # an earlier slow_down (a poll from elsewhere): it adds 5 more to catch up.
            slower = interval + (10 if on_time else 5)
            return StepResult(
                "pending",
                f"slow_down: the server asked the device to poll less often; waiting {slower} "
                "seconds from now on.",
                exchanges=(exchange,),
                remember=(*remember, ("interval", str(slower))),
                poll_after=slower,
            )
        if error == "access_denied":
            return StepResult(
                "error",
                "access_denied: the person chose Deny. The device stops polling; the device "
                "code is dead.",
                exchanges=(exchange,),
            )
        if error == "expired_token":
            return StepResult(
                "error",
                "expired_token: nobody approved in time. The device stops polling and must "
                "start again with new codes.",
                exchanges=(exchange,),
            )
        return failed(exchange, doing="the device token request")

    return Step(
        slug="device-poll",
        title="Poll the token endpoint until the person decides",
        kind="poll",
        spec="RFC 8628 §3.4-3.5",
        arrows=(
            Arrow("client", "authorization", f"POST token (grant_type={grant.rsplit(':')[-1]})"),
            Arrow("authorization", "client", "400 authorization_pending … 200 tokens"),
        ),
        summary="While the person approves on another screen, the device asks the token "
        "endpoint every few seconds whether the user code has been approved yet.",
        why=why,
        build=build,
        read=read,
        differences=differences,
        button="Poll now",
        faults=faults,
    )

"""The device authorization grant (RFC 8628), in its standard shape or Salesforce's."""

from __future__ import annotations

import time

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
# The longest a poll request waits for its interval to pass before asking.
MAX_POLL_WAIT = 15


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
        interval = body.get("interval")
        interval = interval if isinstance(interval, int) and interval > 0 else None
        expires_in = body.get("expires_in")
        expires_at = time.time() + (expires_in if isinstance(expires_in, int | float) else 600)
        link = str(body.get("verification_uri_complete") or body["verification_uri"])
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
            f"enter {body['user_code']}. Then come back and poll.",
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


def _interval(ctx: StepContext) -> int:
    return int(ctx.values.get("interval") or DEFAULT_POLL_INTERVAL)


def _last_poll(ctx: StepContext) -> float:
    return float(ctx.values.get("device_last_poll") or 0)


def device_poll_step(
    *,
    why: str,
    faults: tuple[Fault, ...] = (),
    salesforce_shape: bool = False,
    wait: bool = True,
    differences: tuple[str, ...] = (),
) -> Step:
    """RFC 8628 §3.4-3.5: one poll per run of the step, repeated until the person decides.

    With `wait`, a poll made too soon first sleeps out the interval; without it the poll goes
    at once, so a visitor who asks early sees the server's slow_down.
    """
    grant, parameter = (
        (SALESFORCE_DEVICE_GRANT, "code") if salesforce_shape else (DEVICE_GRANT, "device_code")
    )

    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if problem := nothing_to_send(ctx, "device_code"):
            return problem
        data = {"grant_type": grant, parameter: ctx.values["device_code"]}
        return ctx.client_form(ctx.urls.token, data)

    def wait_before(ctx: StepContext) -> float:
        # RFC 8628 §3.5: wait at least `interval` seconds between polls.
        return min(max(_last_poll(ctx) + _interval(ctx) - time.time(), 0), MAX_POLL_WAIT)

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
        wait_before=wait_before if wait else None,
        differences=differences,
        button="Poll now",
        faults=faults,
    )

"""What every step shares: the token fields it keeps, the org's keys, refusals as results."""

from __future__ import annotations

from playground.exchange import HttpExchange, OutgoingRequest, Transport
from playground.flows.base import ORG_PATHS, StepContext, StepResult
from playground.inspector import (
    JwksKey,
)

JWKS = ORG_PATHS["jwks"]
TOKEN_SECRETS = frozenset({"access_token", "refresh_token", "id_token", "code"})
# Values kept from a token response, under the names later steps read.
TOKEN_FIELDS = ("access_token", "refresh_token", "id_token", "instance_url", "id", "issued_at")


def fetch_jwks(transport: Transport, url: str) -> tuple[JwksKey, HttpExchange]:
    """The org's published signing keys (RFC 7517 §5), fetched like any client would."""
    exchange = transport.send(OutgoingRequest.get(url))
    return JwksKey(exchange.json_body(), origin="the org's JWKS"), exchange


def shorten(value: str) -> str:
    return value if len(value) <= 64 else f"{value[:40]}… ({len(value)} characters)"


def failed(exchange: HttpExchange, *, doing: str) -> StepResult:
    # Failure is data: the error response is shown like any other exchange.
    return StepResult(
        "error", f"The org refused {doing}: {exchange.problem}", exchanges=(exchange,)
    )


def nothing_to_send(ctx: StepContext, *names: str) -> StepResult | None:
    missing = [name for name in names if not ctx.values.get(name)]
    if not missing:
        return None
    return StepResult(
        "error",
        f"Nothing to send: an earlier step did not produce {' or '.join(missing)}. "
        "Start a new run to try again.",
    )


def not_sent(ctx: StepContext, *names: str) -> StepResult:
    """Why a step's `prepare` gave no request: the earlier value it lacks."""
    return nothing_to_send(ctx, *names) or StepResult("error", "Nothing to send.")

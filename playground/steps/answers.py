"""What every step shares: the token fields it keeps, the org's keys, refusals as results."""

from __future__ import annotations

from config.org_paths import ORG_PATHS
from playground.exchange import HttpExchange, OutgoingRequest, Transport
from playground.inspector import JwksKey
from playground.vocabulary import StepContext, StepResult

JWKS = ORG_PATHS["jwks"]
TOKEN_SECRETS = frozenset({"access_token", "refresh_token", "id_token", "code"})
# Values kept from a token response, under the names later steps read.
TOKEN_FIELDS = ("access_token", "refresh_token", "id_token", "instance_url", "id", "issued_at")


def org_keys(exchange: HttpExchange) -> JwksKey:
    """The signing keys the org published (RFC 7517 §5), from the exchange that fetched them."""
    return JwksKey(exchange.json_body(), origin="the org's JWKS")


def fetch_jwks(transport: Transport, url: str) -> tuple[JwksKey, HttpExchange]:
    """The org's published signing keys, fetched like any client would."""
    exchange = transport.send(OutgoingRequest.get(url))
    return org_keys(exchange), exchange


def shorten(value: str) -> str:
    return value if len(value) <= 64 else f"{value[:40]}… ({len(value)} characters)"


def failed(exchange: HttpExchange, *, doing: str) -> StepResult:
    # Failure is data: the error response is shown like any other exchange.
    return StepResult(
        "error", f"The org refused {doing}: {exchange.problem}", exchanges=(exchange,)
    )


def refusal_expected(exchange: HttpExchange, *, if_accepted: str) -> StepResult:
    """A step that shows a rule: the server's refusal is the lesson, its acceptance a failure."""
    if exchange.ok:
        return StepResult("error", if_accepted, exchanges=(exchange,))
    return StepResult("ok", f"Refused, as it should be: {exchange.problem}", exchanges=(exchange,))


def nothing_to_send(ctx: StepContext, *names: str) -> StepResult | None:
    """The step's result when an earlier step did not give it the values it sends; else None."""
    missing = [name for name in names if not ctx.values.get(name)]
    if not missing:
        return None
    return StepResult(
        "error",
        f"Nothing to send: an earlier step did not produce {' or '.join(missing)}. "
        "Start a new run to try again.",
    )

"""Steps at the resource server and the org's other endpoints, discovery included."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from urllib.parse import quote

from config.org_paths import API_VERSION, ORG_PATHS
from playground.artefacts import (
    RESPONSE_MEANINGS,
    Checks,
    Parameters,
    parameters,
)
from playground.exchange import HttpExchange, OutgoingRequest
from playground.inspector import (
    CLAIM_MEANINGS,
    TIME_CLAIMS,
    Check,
    describe_time,
)
from playground.steps.answers import (
    TOKEN_SECRETS,
    failed,
    nothing_to_send,
    refusal_expected,
    shorten,
)
from playground.vocabulary import Arrow, Fault, Outcome, Step, StepContext, StepResult

# Where the REST API of the version this playground speaks lives, below the instance URL.
DATA_PATH = f"/services/data/v{API_VERSION}"
API_QUERY = "SELECT Id, Name, Industry FROM Account LIMIT 5"


def query_request(ctx: StepContext, soql: str) -> OutgoingRequest:
    """A SOQL query with the run's access token, at the instance_url its token response named.

    Salesforce serves the API at the instance, not at the login host; a client must use it.
    """
    base = ctx.values.get("instance_url") or ctx.base_url
    url = f"{base}{DATA_PATH}/query?q={quote(soql)}"
    return OutgoingRequest.get(url, bearer=ctx.values["access_token"])


def _explained(title: str, body: Mapping[str, object], *, now: float | None = None) -> Parameters:
    """A JSON answer field by field, with claim meanings and readable times."""
    when = time.time() if now is None else now
    values: dict[str, str] = {}
    for name, value in body.items():
        text = value if isinstance(value, str) else json.dumps(value)
        if name in TIME_CLAIMS and isinstance(value, int | float):
            text = f"{value} ({describe_time(value, when)})"
        values[name] = shorten(text) if len(text) > 120 else text
    meanings = {**CLAIM_MEANINGS, **RESPONSE_MEANINGS}
    return parameters(title, values, meanings=meanings, secrets=TOKEN_SECRETS)


def api_step(
    *,
    slug: str = "call-api",
    title: str = "Call the REST API with the access token",
    expect_refusal: bool = False,
    why: str,
    summary: str = "The app sends a SOQL query to the org's REST API, with the access token "
    "in the Authorization header.",
    faults: tuple[Fault, ...] = (),
) -> Step:
    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        return nothing_to_send(ctx, "access_token") or query_request(ctx, API_QUERY)

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        if expect_refusal:
            accepted = "The API still accepted the token. A revoked token must stop working."
            return refusal_expected(exchange, if_accepted=accepted)
        if not exchange.ok:
            return failed(exchange, doing="the API call")
        body = exchange.json_body()
        records = body.get("records", [])
        count = len(records) if isinstance(records, list) else 0
        return StepResult("ok", f"The API returned {count} Account records.", exchanges=(exchange,))

    return Step(
        slug=slug,
        title=title,
        kind="back-channel",
        spec="RFC 6750 §2.1",
        arrows=(
            Arrow("client", "resource", f"GET {DATA_PATH}/query"),
            Arrow(
                "resource", "client", "401 INVALID_SESSION_ID" if expect_refusal else "200 records"
            ),
        ),
        summary=summary,
        why=why,
        build=build,
        read=read,
        differences=("api-401",) if expect_refusal else ("api-instance-url",),
        faults=faults,
    )


def userinfo_step(*, why: str, faults: tuple[Fault, ...] = ()) -> Step:
    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if problem := nothing_to_send(ctx, "access_token"):
            return problem
        return OutgoingRequest.get(ctx.urls.userinfo, bearer=ctx.values["access_token"])

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        if not exchange.ok:
            return failed(exchange, doing="the userinfo request")
        body = exchange.json_body()
        who = body.get("preferred_username") or body.get("name") or "the user"
        return StepResult(
            "ok",
            f"The org says the token belongs to {who}.",
            exchanges=(exchange,),
            artefacts=(_explained("The claims, explained", body),),
        )

    return Step(
        slug="userinfo",
        title="Ask the userinfo endpoint who signed in",
        kind="back-channel",
        spec="OIDC Core §5.3",
        arrows=(
            Arrow("client", "authorization", "GET /services/oauth2/userinfo"),
            Arrow("authorization", "client", "200 claims"),
        ),
        summary="With the access token, the app asks the org for the signed-in person's "
        "profile claims.",
        why=why,
        build=build,
        read=read,
        differences=("userinfo-claims",),
        faults=faults,
        needs_endpoint="userinfo",
    )


def identity_step(*, why: str) -> Step:
    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if problem := nothing_to_send(ctx, "access_token", "id"):
            return problem
        return OutgoingRequest.get(ctx.values["id"], bearer=ctx.values["access_token"])

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        if not exchange.ok:
            return failed(exchange, doing="the identity request")
        body = exchange.json_body()
        who = body.get("username") or body.get("display_name") or "the user"
        shown = {k: v for k, v in body.items() if k in RESPONSE_MEANINGS or k in CLAIM_MEANINGS}
        return StepResult(
            "ok",
            f"The identity URL describes {who}.",
            exchanges=(exchange,),
            artefacts=(_explained("The main fields, explained", shown),),
        )

    return Step(
        slug="identity",
        title="Read the identity URL",
        kind="back-channel",
        spec="Salesforce identity URL",
        arrows=(
            Arrow("client", "authorization", "GET /id/<org>/<user>"),
            Arrow("authorization", "client", "200 identity"),
        ),
        summary="The token response's id field is a URL. The app fetches it with the token to "
        "learn who the user is and where the org's APIs are.",
        why=why,
        build=build,
        read=read,
        differences=("identity-url",),
    )


def introspect_step(
    *,
    token: str = "access_token",
    slug: str = "introspect",
    title: str = "Ask the org about the token (introspection)",
    expect_inactive: bool = False,
    why: str,
    faults: tuple[Fault, ...] = (),
) -> Step:
    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if problem := nothing_to_send(ctx, token):
            return problem
        data = {"token": ctx.values[token], "token_type_hint": token}
        return ctx.client_form(ctx.urls.introspection, data)

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        if not exchange.ok:
            return failed(exchange, doing="the introspection request")
        body = exchange.json_body()
        active = body.get("active") is True
        shown = (_explained("The answer, explained", body),)
        if expect_inactive:
            if active:
                return StepResult(
                    "error",
                    "The org still calls it active. It should not.",
                    exchanges=(exchange,),
                    artefacts=shown,
                )
            return StepResult(
                "ok",
                "active: false. The token is dead, as it should be.",
                exchanges=(exchange,),
                artefacts=shown,
            )
        headline = "active: true. The token is live." if active else "active: false."
        outcome: Outcome = "ok" if active else "error"
        return StepResult(outcome, headline, exchanges=(exchange,), artefacts=shown)

    return Step(
        slug=slug,
        title=title,
        kind="back-channel",
        spec="RFC 7662 §2",
        arrows=(
            Arrow("client", "authorization", "POST /services/oauth2/introspect"),
            Arrow("authorization", "client", "200 active: …"),
        ),
        summary=f"The app sends the {token.replace('_', ' ')} to the introspection endpoint, "
        "with its own credentials, and asks whether it is live and what it allows.",
        why=why,
        build=build,
        read=read,
        differences=("introspection-shape",),
        faults=faults,
        needs_endpoint="introspection",
    )


def revoke_step(*, token: str = "access_token", why: str, faults: tuple[Fault, ...] = ()) -> Step:
    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if problem := nothing_to_send(ctx, token):
            return problem
        return ctx.client_form(ctx.urls.revocation, {"token": ctx.values[token]})

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        if not exchange.ok:
            return failed(exchange, doing="the revocation")
        return StepResult(
            "ok", f"The org answered {exchange.status}: revoked.", exchanges=(exchange,)
        )

    return Step(
        slug=f"revoke-{token.replace('_', '-')}",
        title=f"Revoke the {token.replace('_', ' ')}",
        kind="back-channel",
        spec="RFC 7009 §2",
        arrows=(
            Arrow("client", "authorization", "POST /services/oauth2/revoke"),
            Arrow("authorization", "client", "200"),
        ),
        summary=f"The app tells the org it is done with the {token.replace('_', ' ')}, as on "
        "sign-out or uninstall.",
        why=why,
        build=build,
        read=read,
        differences=("revocation",)
        + (("revoke-refresh-token",) if token == "refresh_token" else ()),
        faults=faults,
        needs_endpoint="revocation",
    )


def discovery_step(*, why: str) -> Step:
    def build(ctx: StepContext) -> OutgoingRequest:
        return OutgoingRequest.get(ctx.urls.discovery or ctx.base_url + ORG_PATHS["discovery"])

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        if not exchange.ok:
            return failed(exchange, doing="the discovery request")
        body = exchange.json_body()
        shown: dict[str, str] = {
            name: shorten(str(body[name]))
            for name in (
                "issuer",
                "authorization_endpoint",
                "token_endpoint",
                "jwks_uri",
                "userinfo_endpoint",
                "code_challenge_methods_supported",
                "authorization_response_iss_parameter_supported",
                "device_authorization_endpoint",
            )
            if name in body
        }
        issuer = body.get("issuer")
        methods = body.get("code_challenge_methods_supported") or []
        checks = (
            Check("issuer", True, f"{issuer} is exactly the issuer this run expects.")
            if issuer == ctx.base_url
            else Check("issuer", False, f"{issuer!r} is not {ctx.base_url}: do not use it."),
            Check("PKCE", "S256" in methods, f"code_challenge_methods_supported: {methods}."),
        )
        remember = [("jwks_uri", str(body["jwks_uri"]))] if body.get("jwks_uri") else []
        outcome: Outcome = "ok" if checks[0].passed else "error"
        return StepResult(
            outcome,
            "The org described itself: endpoints, keys and what it supports.",
            exchanges=(exchange,),
            artefacts=(
                parameters("What the client learns", shown),
                Checks("The client's checks", checks),
            ),
            remember=tuple(remember),
        )

    return Step(
        slug="discover",
        title="Read the org's discovery document",
        kind="back-channel",
        spec="OIDC Discovery §4; RFC 8414 §3",
        arrows=(
            Arrow("client", "authorization", "GET /.well-known/openid-configuration"),
            Arrow("authorization", "client", "200 metadata"),
        ),
        summary="Before anything else, the app fetches the org's metadata: where its "
        "endpoints are, where its signing keys are, and which features it supports.",
        why=why,
        build=build,
        read=read,
        differences=("discovery-metadata",),
    )

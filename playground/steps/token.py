"""Steps at the token endpoint: a token request, refresh with rotation, and the response shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from playground.artefacts import (
    Artefact,
    Checks,
    JwtPanel,
    parameters,
    signature_proof,
)
from playground.exchange import HttpExchange, OutgoingRequest
from playground.inspector import (
    Check,
    Expected,
    inspect_jwt,
)
from playground.steps.answers import (
    TOKEN_FIELDS,
    TOKEN_SECRETS,
    failed,
    fetch_jwks,
    nothing_to_send,
    refusal_expected,
    shorten,
)
from playground.vocabulary import Arrow, Fault, Step, StepContext, StepResult


def token_artefacts(
    ctx: StepContext, exchange: HttpExchange, *, nonce: str = ""
) -> tuple[list[HttpExchange], list[Artefact]]:
    body = exchange.json_body()
    fields = {name: shorten(str(value)) for name, value in body.items()}
    artefacts: list[Artefact] = [
        parameters(
            "The token response, field by field",
            fields,
            secrets=TOKEN_SECRETS,
            whole={name: str(value) for name, value in body.items()},
        )
    ]
    extra: list[HttpExchange] = []
    if body.get("signature"):
        artefacts.append(
            signature_proof(
                identity_url=str(body.get("id", "")),
                issued_at=str(body.get("issued_at", "")),
                received=str(body["signature"]),
                client_secret=ctx.client_secret,
            )
        )
    jwts = [
        (name, str(body[name]))
        for name in ("id_token", "access_token")
        if isinstance(body.get(name), str) and str(body[name]).count(".") == 2
    ]
    if jwts:
        key_set, keys = fetch_jwks(ctx.transport, ctx.values.get("jwks_uri") or ctx.urls.jwks)
        extra.append(keys)
        for name, token in jwts:
            expected = Expected(issuer=ctx.base_url)
            if name == "id_token":
                # OIDC Core §3.1.3.7: iss, aud = client_id, exp, nonce; §3.1.3.8 at_hash.
                expected = Expected(
                    issuer=ctx.base_url,
                    audience=ctx.client_id,
                    nonce=nonce,
                    access_token=str(body.get("access_token", "")),
                )
            verdict = inspect_jwt(token, key=key_set, expected=expected)
            title = "The ID token" if name == "id_token" else "The access token (a JWT)"
            artefacts.append(JwtPanel(title, verdict))
    return extra, artefacts


def read_tokens(ctx: StepContext, exchange: HttpExchange) -> StepResult:
    """A token response: what came back, checked and explained, and the values later steps use."""
    if not exchange.ok:
        return failed(exchange, doing="the token request")
    extra, artefacts = token_artefacts(ctx, exchange, nonce=ctx.values.get("nonce", ""))
    body = exchange.json_body()
    remember = [(name, str(body[name])) for name in TOKEN_FIELDS if body.get(name)]
    if ctx.values.get("refresh_token") and body.get("refresh_token"):
        remember.append(("previous_refresh_token", ctx.values["refresh_token"]))
    got = [name for name in ("access_token", "refresh_token", "id_token") if body.get(name)]
    return StepResult(
        "ok",
        f"The org answered {exchange.status} with {', '.join(got) or 'no tokens'}.",
        exchanges=(exchange, *extra),
        artefacts=tuple(artefacts),
        remember=tuple(remember),
    )


def token_request_step(
    *,
    slug: str,
    title: str,
    spec: str,
    summary: str,
    why: str,
    form: Mapping[str, str] | None = None,
    needs: tuple[str, ...] = (),
    fields: tuple[tuple[str, str], ...] = (),
    send_secret: bool = True,
    basic_auth: bool = False,
    differences: tuple[str, ...] = ("expires-in", "extra-token-fields"),
    expect_refusal: str = "",
    faults: tuple[Fault, ...] = (),
) -> Step:
    """A POST to the token endpoint. `fields` maps form names to earlier values' names.

    With `expect_refusal`, the step demonstrates a rule: a 4xx is the lesson, a 200 a failure.
    """

    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if problem := nothing_to_send(ctx, *needs):
            return problem
        data = dict(form or {})
        data.update({name: ctx.values[key] for name, key in fields})
        return ctx.client_form(ctx.urls.token, data, basic=basic_auth, send_secret=send_secret)

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        if expect_refusal:
            accepted = "The org accepted it. It should not have: " + expect_refusal
            return refusal_expected(exchange, if_accepted=accepted)
        return read_tokens(ctx, exchange)

    return Step(
        slug=slug,
        title=title,
        kind="back-channel",
        spec=spec,
        arrows=(
            Arrow("client", "authorization", "POST /services/oauth2/token"),
            Arrow("authorization", "client", "400 error" if expect_refusal else "200 tokens"),
        ),
        summary=summary,
        why=why,
        build=build,
        read=read,
        differences=differences,
        faults=faults,
    )


def rotation_step(*, why: str, faults: tuple[Fault, ...] = ()) -> Step:
    """Refresh, then compare the refresh token that came back with the one that was sent."""
    inner = token_request_step(
        slug="refresh",
        title="Trade the refresh token for new tokens",
        spec="RFC 6749 §6; RFC 9700 §4.14.2",
        summary="The app sends its refresh token to the token endpoint and gets a fresh "
        "access token, with no person involved. This app has rotation on, so a new refresh "
        "token should come back too.",
        why=why,
        form={"grant_type": "refresh_token"},
        fields=(("refresh_token", "refresh_token"),),
        needs=("refresh_token",),
        differences=("refresh-without-rotation", "expires-in"),
    )

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        result = read_tokens(ctx, exchange)
        kept = dict(result.remember)
        old, new = ctx.values.get("refresh_token", ""), kept.get("refresh_token", "")
        if result.outcome != "ok":
            return result
        if new and new != old:
            detail = f"Sent {old[:10]}…, got back {new[:10]}…: a new one. The old one is spent."
            check = Check("Rotation", True, detail)
        elif new:
            check = Check("Rotation", False, "The same refresh token came back: no rotation.")
        else:
            check = Check("Rotation", False, "No refresh token came back: rotation is off.")
        return StepResult(
            result.outcome,
            result.headline,
            result.exchanges,
            (*result.artefacts, Checks("Rotation", (check,))),
            result.remember,
        )

    return replace(inner, read=read, faults=faults)

"""The authorization request and the redirect that answers it (RFC 6749 §4.1-4.2)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from urllib.parse import quote, urlencode

from playground.artefacts import (
    Artefact,
    Callout,
    Checks,
    PkceProof,
    parameters,
    pkce_proof,
    signature_proof,
)
from playground.exchange import HttpExchange
from playground.inspector import (
    Check,
)
from playground.steps.answers import (
    TOKEN_FIELDS,
    TOKEN_SECRETS,
)
from playground.vocabulary import Arrow, Fault, Step, StepContext, StepResult


def authorize_step(
    *,
    response_type: str,
    scope: str,
    pkce: bool = False,
    nonce: bool = False,
    why: str,
    differences: tuple[str, ...] = (),
    faults: tuple[Fault, ...] = (),
) -> Step:
    def request_values(ctx: StepContext) -> tuple[dict[str, str], PkceProof | None]:
        # RFC 6749 §10.12 / RFC 9700 §4.7: state is unguessable and bound to this run.
        wanted = ctx.scope or scope
        values = {
            "response_type": response_type,
            "client_id": ctx.client_id,
            "redirect_uri": ctx.redirect_uri,
            "scope": wanted,
            "state": secrets.token_urlsafe(24),
        }
        if nonce and "openid" in wanted.split():
            values["nonce"] = secrets.token_urlsafe(24)
        proof = None
        if pkce:
            # RFC 7636 §4.1: 43-128 characters from the unreserved set; 64 random bytes give 86.
            proof = pkce_proof(secrets.token_urlsafe(64))
            values["code_challenge"] = proof.challenge
            values["code_challenge_method"] = "S256"
        return values, proof

    def link(ctx: StepContext, values: Mapping[str, str]) -> str:
        return f"{ctx.urls.authorization}?{urlencode(values, quote_via=quote)}"

    def build(ctx: StepContext) -> StepResult:
        # Nothing to send: the person's browser goes to `browser_url` (Break it sends it).
        values, proof = request_values(ctx)
        remember = [("state", values["state"]), ("redirect_uri", ctx.redirect_uri)]
        artefacts: list[Artefact] = []
        if "nonce" in values:
            remember.append(("nonce", values["nonce"]))
        if proof is not None:
            remember.append(("code_verifier", proof.verifier))
            artefacts.append(proof)
        url = link(ctx, values)
        artefacts.insert(0, parameters("The authorization request, parameter by parameter", values))
        return StepResult(
            "ok",
            "The request is ready. The next step takes your browser to the org to sign in.",
            artefacts=tuple(artefacts),
            remember=tuple(remember),
            browser_url=url,
        )

    return Step(
        slug="authorize",
        title="Send the browser to the authorization endpoint",
        kind="browser",
        spec="RFC 6749 §4.1.1" if response_type == "code" else "RFC 6749 §4.2.1",
        arrows=(
            Arrow("client", "browser", "302 to /authorize"),
            Arrow("browser", "authorization", "GET /services/oauth2/authorize"),
            Arrow("authorization", "browser", "sign-in and consent pages"),
        ),
        summary="The app builds a link to the org's authorization endpoint and sends the "
        "browser there. Nothing secret travels in it: the person signs in at the org, never "
        "in the app.",
        why=why,
        build=build,
        differences=differences,
        button="Prepare the request",
        faults=faults,
    )


def _callback_checks(ctx: StepContext) -> tuple[Check, ...]:
    got_state = ctx.received.get("state", "")
    sent_state = ctx.values.get("state", "")
    state_ok = bool(sent_state) and hmac.compare_digest(got_state, sent_state)
    checks = [
        Check("state", True, "Matches the value this run sent: the redirect answers our request.")
        if state_ok
        else Check("state", False, "Does not match the value this run sent: refuse it (CSRF).")
    ]
    iss = ctx.received.get("iss")
    if iss is None:
        checks.append(
            Check("iss", False, "Not sent. RFC 9207 asks for it so a client can spot mix-ups.")
        )
    elif iss == ctx.base_url:
        checks.append(Check("iss", True, f"{iss} is the org this run started with."))
    else:
        checks.append(Check("iss", False, f"{iss} is not {ctx.base_url}: a mix-up; refuse it."))
    return tuple(checks)


def refused_authorization(
    received: Mapping[str, str],
    exchanges: tuple[HttpExchange, ...],
    artefacts: tuple[Artefact, ...],
    *,
    fragment: bool = False,
) -> StepResult:
    """The redirect came back with an error instead of a code (or, in `fragment`, tokens).

    A refusal is its own outcome (RFC 6749 §4.1.2.1, §4.2.2.1): its own arrows and its own
    explanation, never the success path's "302 with code".
    """
    error = received["error"]
    carried, mark = ("tokens", "#") if fragment else ("code", "?")
    if error == "access_denied":
        headline = f"You chose Deny: the org sent back access_denied and no {carried}."
        why = (
            "Deny on the consent page is the person's answer, and the org passes it on: it "
            f"sends the browser back to the callback with error=access_denied instead of "
            f"{carried}, and the same state, so the app knows which request was turned down. "
            "Nothing was issued and there is nothing to redeem. A well-behaved app says so "
            "plainly and offers to ask again; it does not retry on its own."
        )
    else:
        headline = f"The org sent back an error: {error}"
        why = (
            f"The org refused this authorization request and said why in the redirect "
            f"(error={error}); no {carried} was issued. The error names the problem for "
            "the app's developer; the person needs a plain message and a way to start over."
        )
    if received.get("error_description"):
        headline += f" ({received['error_description']})"
    arrows = (
        Arrow("authorization", "browser", f"302 to the callback with error={error}"),
        Arrow("browser", "client", f"GET /playground/callback/{mark}error={error}"),
        Arrow("client", "browser", f"no {carried}: tell the person, offer to try again"),
    )
    return StepResult("error", headline, exchanges, artefacts, arrows=arrows, why=why)


def code_callback_step(
    *, why: str, differences: tuple[str, ...] = (), faults: tuple[Fault, ...] = ()
) -> Step:
    def read_redirect(ctx: StepContext) -> StepResult:
        exchanges = (ctx.received_exchange,) if ctx.received_exchange else ()
        checks = _callback_checks(ctx)
        table = parameters(
            "What came back in the redirect", ctx.received, secrets=frozenset({"code"})
        )
        artefacts: tuple[Artefact, ...] = (table, Checks("The client's checks", checks))
        if "error" in ctx.received:
            return refused_authorization(ctx.received, exchanges, artefacts)
        if not all(check.passed for check in checks if check.label == "state"):
            return StepResult("error", "The state did not match: refused.", exchanges, artefacts)
        if any(c.label == "iss" and not c.passed and "mix-up" in c.detail for c in checks):
            return StepResult("error", "The issuer did not match: refused.", exchanges, artefacts)
        code = ctx.received.get("code", "")
        if not code:
            return StepResult("error", "The redirect carried no code.", exchanges, artefacts)
        return StepResult(
            "ok",
            "The browser is back with an authorization code.",
            exchanges,
            artefacts,
            remember=(("code", code),),
        )

    return Step(
        slug="callback",
        title="Receive the redirect at the callback",
        kind="callback",
        spec="RFC 6749 §4.1.2; RFC 9207 §2",
        arrows=(
            Arrow("authorization", "browser", "302 to the callback with code"),
            Arrow("browser", "client", "GET /playground/callback/?code=…"),
        ),
        summary="After sign-in and consent the org redirects the browser to the app's "
        "callback URL with a one-time code. The app checks state and iss before trusting it.",
        why=why,
        build=read_redirect,
        differences=differences,
        faults=faults,
    )


def fragment_callback_step(*, why: str, differences: tuple[str, ...] = ()) -> Step:
    def read_fragment(ctx: StepContext) -> StepResult:
        received = ctx.received
        checks = _callback_checks(ctx)
        warning = Callout(
            "bad",
            "These tokens were in the address bar. Browser history, bookmarks, screenshots, "
            "extensions and anything the page loads could see them. The page's script erased "
            "them from the address bar at once, but that cannot undo what happened before.",
        )
        table = parameters("What arrived in the fragment", received, secrets=TOKEN_SECRETS)
        artefacts: list[Artefact] = [table, warning, Checks("The client's checks", checks)]
        if "error" in received:
            return refused_authorization(received, (), tuple(artefacts), fragment=True)
        if not checks[0].passed:
            return StepResult(
                "error", "The state did not match: refused.", artefacts=tuple(artefacts)
            )
        if received.get("signature"):
            artefacts.append(
                signature_proof(
                    identity_url=received.get("id", ""),
                    issued_at=received.get("issued_at", ""),
                    received=received["signature"],
                    client_secret=ctx.client_secret,
                )
            )
        remember = tuple((name, received[name]) for name in TOKEN_FIELDS if received.get(name))
        if not received.get("access_token"):
            return StepResult(
                "error", "The fragment carried no access token.", artefacts=tuple(artefacts)
            )
        return StepResult(
            "ok",
            "The access token arrived in the URL fragment, straight from the org.",
            artefacts=tuple(artefacts),
            remember=remember,
        )

    return Step(
        slug="fragment",
        title="Read the tokens from the URL fragment",
        kind="callback",
        spec="RFC 6749 §4.2.2",
        arrows=(
            Arrow("authorization", "browser", "302 to the callback #access_token=…"),
            Arrow("browser", "client", "script reads location.hash"),
        ),
        summary="The org redirects the browser to the callback with the tokens after the #. "
        "Browsers never send that part to a server, so a script on the page reads it.",
        why=why,
        build=read_fragment,
        differences=differences,
    )

"""Steps that talk to the org's endpoints, shared by the flows that use them.

Each `*_step` function returns a Step whose `run` speaks to the org only through the
context's Transport, records every exchange, and keeps what later steps need.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import quote, urlencode

from playground.exchange import HttpExchange, OutgoingRequest, Transport
from playground.flows.artefacts import (
    RESPONSE_MEANINGS,
    Artefact,
    Callout,
    Checks,
    JwtPanel,
    Parameters,
    PkceProof,
    parameters,
    pkce_proof,
    signature_proof,
)
from playground.flows.base import Arrow, Fault, Outcome, Step, StepContext, StepResult
from playground.inspector import (
    CLAIM_MEANINGS,
    TIME_CLAIMS,
    Check,
    Expected,
    JwksKey,
    describe_time,
    inspect_jwt,
)

AUTHORIZE = "/services/oauth2/authorize"
TOKEN = "/services/oauth2/token"
REVOKE = "/services/oauth2/revoke"
INTROSPECT = "/services/oauth2/introspect"
USERINFO = "/services/oauth2/userinfo"
JWKS = "/id/keys"
DISCOVERY = "/.well-known/openid-configuration"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# Salesforce's names for the same poll: grant_type=device, the device code sent as `code`.
SALESFORCE_DEVICE_GRANT = "device"
API_VERSION = "v62.0"
# RFC 8628 §3.2: the interval when the server names none.
DEFAULT_POLL_INTERVAL = 5
# The longest a poll request waits for its interval to pass before asking.
MAX_POLL_WAIT = 15
API_QUERY = "SELECT Id, Name, Industry FROM Account LIMIT 5"

TOKEN_SECRETS = frozenset({"access_token", "refresh_token", "id_token", "code"})
# Values kept from a token response, under the names later steps read.
TOKEN_FIELDS = ("access_token", "refresh_token", "id_token", "instance_url", "id", "issued_at")

NO_EXPIRES_IN = (
    "Salesforce leaves expires_in out of token responses (RFC 6749 §5.1 recommends it); the "
    "lifetime comes from the app's session policy, and introspection tells you exp. This org "
    "adds expires_in only where a standard client needs it."
)
EXTRA_FIELDS = (
    "Beyond RFC 6749 §5.1, Salesforce adds instance_url (where to call the API), id (the "
    "identity URL), issued_at (milliseconds, as a string) and signature (an HMAC that the "
    "client can check with its secret)."
)


def fetch_jwks(transport: Transport, url: str) -> tuple[JwksKey, HttpExchange]:
    """The org's published signing keys (RFC 7517 §5), fetched like any client would."""
    exchange = transport.send(OutgoingRequest.get(url))
    return JwksKey(exchange.json_body(), origin="the org's JWKS"), exchange


def shorten(value: str) -> str:
    return value if len(value) <= 64 else f"{value[:40]}… ({len(value)} characters)"


def _problem(exchange: HttpExchange) -> str:
    return exchange.problem


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


def failed(exchange: HttpExchange, *, doing: str) -> StepResult:
    # Failure is data: the error response is shown like any other exchange.
    return StepResult(
        "error", f"The org refused {doing}: {_problem(exchange)}", exchanges=(exchange,)
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


# The authorization request ------------------------------------------------------------------


def authorize_step(
    *,
    response_type: str,
    scope: str,
    pkce: bool = False,
    nonce: bool = False,
    why: str,
    salesforce: tuple[str, ...] = (),
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

    def prepare(ctx: StepContext) -> OutgoingRequest:
        # What the browser would send; Break it sends it from here instead.
        request = OutgoingRequest.get(link(ctx, request_values(ctx)[0]))
        return request.with_header("Accept", "text/html")

    def run(ctx: StepContext) -> StepResult:
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
        run=run,
        salesforce=salesforce,
        button="Prepare the request",
        prepare=prepare,
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


def code_callback_step(
    *, why: str, salesforce: tuple[str, ...] = (), faults: tuple[Fault, ...] = ()
) -> Step:
    def run(ctx: StepContext) -> StepResult:
        exchanges = (ctx.received_exchange,) if ctx.received_exchange else ()
        checks = _callback_checks(ctx)
        table = parameters(
            "What came back in the redirect", ctx.received, secrets=frozenset({"code"})
        )
        artefacts: tuple[Artefact, ...] = (table, Checks("The client's checks", checks))
        if "error" in ctx.received:
            headline = f"The org sent back an error: {ctx.received['error']}"
            if ctx.received.get("error_description"):
                headline += f" ({ctx.received['error_description']})"
            return StepResult("error", headline, exchanges, artefacts)
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
        run=run,
        salesforce=salesforce,
        faults=faults,
    )


def fragment_callback_step(*, why: str, salesforce: tuple[str, ...] = ()) -> Step:
    def run(ctx: StepContext) -> StepResult:
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
            headline = f"The org sent back an error: {received['error']}"
            return StepResult("error", headline, artefacts=tuple(artefacts))
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
        run=run,
        salesforce=salesforce,
    )


# The token endpoint -------------------------------------------------------------------------


def _token_artefacts(
    ctx: StepContext, exchange: HttpExchange, *, nonce: str = ""
) -> tuple[list[HttpExchange], list[Artefact]]:
    body = exchange.json_body()
    fields = {name: shorten(str(value)) for name, value in body.items()}
    artefacts: list[Artefact] = [
        parameters("The token response, field by field", fields, secrets=TOKEN_SECRETS)
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
    salesforce: tuple[str, ...] = (NO_EXPIRES_IN, EXTRA_FIELDS),
    expect_refusal: str = "",
    faults: tuple[Fault, ...] = (),
) -> Step:
    """A POST to the token endpoint. `fields` maps form names to earlier values' names.

    With `expect_refusal`, the step demonstrates a rule: a 4xx is the lesson, a 200 a failure.
    """

    def prepare(ctx: StepContext) -> OutgoingRequest | None:
        if nothing_to_send(ctx, *needs):
            return None
        data = dict(form or {})
        data.update({name: ctx.values[key] for name, key in fields})
        return ctx.client_form(ctx.urls.token, data, basic=basic_auth, send_secret=send_secret)

    def run(ctx: StepContext) -> StepResult:
        request = prepare(ctx)
        if request is None:
            return nothing_to_send(ctx, *needs) or StepResult("error", "Nothing to send.")
        exchange = ctx.transport.send(request)
        if expect_refusal:
            if exchange.ok:
                return StepResult(
                    "error",
                    "The org accepted it. It should not have: " + expect_refusal,
                    exchanges=(exchange,),
                )
            return StepResult(
                "ok", f"Refused, as it should be: {_problem(exchange)}", exchanges=(exchange,)
            )
        if not exchange.ok:
            return failed(exchange, doing="the token request")
        extra, artefacts = _token_artefacts(ctx, exchange, nonce=ctx.values.get("nonce", ""))
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
        run=run,
        salesforce=salesforce,
        prepare=prepare,
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
        salesforce=(
            "Salesforce returns a new refresh token only when the app has refresh token "
            "rotation switched on; otherwise the refresh response has none and the old one "
            "stays valid.",
            NO_EXPIRES_IN,
        ),
    )

    def run(ctx: StepContext) -> StepResult:
        result = inner.run(ctx)
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

    return replace(inner, run=run, faults=faults)


# Resource server and other endpoints ---------------------------------------------------------


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
    def prepare(ctx: StepContext) -> OutgoingRequest | None:
        if nothing_to_send(ctx, "access_token"):
            return None
        base = ctx.values.get("instance_url") or ctx.base_url
        url = f"{base}/services/data/{API_VERSION}/query?q={quote(API_QUERY)}"
        return OutgoingRequest.get(url, bearer=ctx.values["access_token"])

    def run(ctx: StepContext) -> StepResult:
        if problem := nothing_to_send(ctx, "access_token"):
            return problem
        exchange = ctx.transport.send(prepare(ctx) or OutgoingRequest.get(ctx.base_url))
        if expect_refusal:
            if exchange.ok:
                return StepResult(
                    "error",
                    "The API still accepted the token. A revoked token must stop working.",
                    exchanges=(exchange,),
                )
            return StepResult(
                "ok", f"Refused, as it should be: {_problem(exchange)}", exchanges=(exchange,)
            )
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
            Arrow("client", "resource", f"GET /services/data/{API_VERSION}/query"),
            Arrow(
                "resource", "client", "401 INVALID_SESSION_ID" if expect_refusal else "200 records"
            ),
        ),
        summary=summary,
        why=why,
        run=run,
        salesforce=(
            "The REST API answers a bad token with a JSON list, "
            '[{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}], '
            "rather than only the WWW-Authenticate error of RFC 6750 §3.",
        )
        if expect_refusal
        else (
            "The API lives at the instance_url from the token response, not at the login "
            "host: a real client must use that value.",
        ),
        prepare=prepare,
        faults=faults,
    )


def userinfo_step(*, why: str, faults: tuple[Fault, ...] = ()) -> Step:
    def prepare(ctx: StepContext) -> OutgoingRequest | None:
        if nothing_to_send(ctx, "access_token"):
            return None
        return OutgoingRequest.get(ctx.urls.userinfo, bearer=ctx.values["access_token"])

    def run(ctx: StepContext) -> StepResult:
        if problem := nothing_to_send(ctx, "access_token"):
            return problem
        exchange = ctx.transport.send(
            OutgoingRequest.get(ctx.urls.userinfo, bearer=ctx.values["access_token"])
        )
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
        run=run,
        salesforce=(
            "Salesforce's sub is the identity URL (…/id/00D…/005…), not a bare user ID, and "
            "the answer carries Salesforce extras such as organization_id, user_type and urls.",
        ),
        prepare=prepare,
        faults=faults,
        needs_endpoint="userinfo",
    )


def identity_step(*, why: str) -> Step:
    def run(ctx: StepContext) -> StepResult:
        if problem := nothing_to_send(ctx, "access_token", "id"):
            return problem
        exchange = ctx.transport.send(
            OutgoingRequest.get(ctx.values["id"], bearer=ctx.values["access_token"])
        )
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
        run=run,
        salesforce=(
            "The identity URL is Salesforce's own; other servers offer OpenID Connect's "
            "userinfo for the same purpose (this org has both).",
        ),
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
    def prepare(ctx: StepContext) -> OutgoingRequest | None:
        if nothing_to_send(ctx, token):
            return None
        data = {"token": ctx.values[token], "token_type_hint": token}
        return ctx.client_form(ctx.urls.introspection, data)

    def run(ctx: StepContext) -> StepResult:
        if problem := nothing_to_send(ctx, token):
            return problem
        exchange = ctx.transport.send(prepare(ctx) or OutgoingRequest.get(ctx.base_url))
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
        run=run,
        salesforce=(
            "Salesforce's introspection answer sets token_type to access_token or "
            "refresh_token (RFC 7662 suggests the RFC 6749 type, like Bearer) and makes sub "
            "the identity URL.",
        ),
        prepare=prepare,
        faults=faults,
        needs_endpoint="introspection",
    )


def revoke_step(*, token: str = "access_token", why: str, faults: tuple[Fault, ...] = ()) -> Step:
    def prepare(ctx: StepContext) -> OutgoingRequest | None:
        if nothing_to_send(ctx, token):
            return None
        return ctx.client_form(ctx.urls.revocation, {"token": ctx.values[token]})

    def run(ctx: StepContext) -> StepResult:
        if problem := nothing_to_send(ctx, token):
            return problem
        exchange = ctx.transport.send(prepare(ctx) or OutgoingRequest.get(ctx.base_url))
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
        run=run,
        salesforce=(
            "Salesforce also accepts revocation by GET with ?token= (RFC 7009 allows only "
            "POST), which puts the token in a URL; avoid it.",
        )
        + (
            ("Revoking a refresh token also revokes every access token issued from it.",)
            if token == "refresh_token"
            else ()
        ),
        prepare=prepare,
        faults=faults,
        needs_endpoint="revocation",
    )


def discovery_step(*, why: str) -> Step:
    def run(ctx: StepContext) -> StepResult:
        url = ctx.urls.discovery or ctx.base_url + DISCOVERY
        exchange = ctx.transport.send(OutgoingRequest.get(url))
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
        run=run,
        salesforce=(
            "Real Salesforce leaves grant_types_supported and code_challenge_methods_supported "
            "out of its discovery document, though it supports PKCE; this org lists them.",
        ),
    )


# The device authorization grant (RFC 8628), in its standard shape --------------------------------


def device_authorization_step(
    *,
    scope: str,
    why: str,
    faults: tuple[Fault, ...] = (),
    salesforce_shape: bool = False,
    salesforce: tuple[str, ...] = (),
) -> Step:
    """RFC 8628 §3.1 at the device authorization endpoint or, in Salesforce's shape, a POST
    to the token endpoint with response_type=device_code (same answer)."""

    def prepare(ctx: StepContext) -> OutgoingRequest:
        wanted = ctx.scope or scope
        if salesforce_shape:
            return ctx.client_form(
                ctx.urls.token, {"response_type": "device_code", "scope": wanted}
            )
        return ctx.client_form(ctx.urls.device_authorization, {"scope": wanted})

    def run(ctx: StepContext) -> StepResult:
        exchange = ctx.transport.send(prepare(ctx))
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
        run=run,
        salesforce=salesforce,
        button="Ask for the codes",
        prepare=prepare,
        faults=faults,
        # The org answers at fixed paths; an external server must have published the endpoint.
        needs_endpoint="" if salesforce_shape else "device_authorization",
    )


def device_poll_step(
    *,
    why: str,
    faults: tuple[Fault, ...] = (),
    salesforce_shape: bool = False,
    wait: bool = True,
    salesforce: tuple[str, ...] = (),
) -> Step:
    """RFC 8628 §3.4-3.5: one poll per run of the step, repeated until the person decides.

    With `wait`, a poll made too soon first sleeps out the interval; without it the poll goes
    at once, so a visitor who asks early sees the server's slow_down.
    """
    grant, parameter = (
        (SALESFORCE_DEVICE_GRANT, "code") if salesforce_shape else (DEVICE_GRANT, "device_code")
    )

    def prepare(ctx: StepContext) -> OutgoingRequest | None:
        if nothing_to_send(ctx, "device_code"):
            return None
        data = {"grant_type": grant, parameter: ctx.values["device_code"]}
        return ctx.client_form(ctx.urls.token, data)

    def run(ctx: StepContext) -> StepResult:
        request = prepare(ctx)
        if request is None:
            return nothing_to_send(ctx, "device_code") or StepResult("error", "Nothing to send.")
        interval = int(ctx.values.get("interval") or DEFAULT_POLL_INTERVAL)
        last = float(ctx.values.get("device_last_poll") or 0)
        # RFC 8628 §3.5: wait at least `interval` seconds between polls.
        wait_for = last + interval - time.time()
        if wait and wait_for > 0:
            time.sleep(min(wait_for, MAX_POLL_WAIT))
        on_time = time.time() - last >= interval
        exchange = ctx.transport.send(request)
        remember = [("device_last_poll", str(time.time()))]
        body = exchange.json_body()
        error = body.get("error")
        if exchange.ok:
            extra, artefacts = _token_artefacts(ctx, exchange, nonce="")
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
        run=run,
        salesforce=salesforce,
        button="Poll now",
        prepare=prepare,
        faults=faults,
    )

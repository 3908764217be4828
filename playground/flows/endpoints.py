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
    parameters,
    pkce_proof,
    signature_proof,
)
from playground.flows.base import Arrow, Outcome, Step, StepContext, StepResult
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
API_VERSION = "v62.0"
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


def _url(ctx: StepContext, path: str) -> str:
    return ctx.base_url + path


def _short(value: str) -> str:
    return value if len(value) <= 64 else f"{value[:40]}… ({len(value)} characters)"


def _problem(exchange: HttpExchange) -> str:
    """The error an endpoint returned, in the shape it used (OAuth JSON or Salesforce's list)."""
    if exchange.status == 0:
        return f"No answer: {exchange.error}"
    body = exchange.json_value()
    if isinstance(body, dict) and "error" in body:
        description = body.get("error_description", "")
        return f"{body['error']}" + (f": {description}" if description else "")
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return f"{body[0].get('errorCode', '')}: {body[0].get('message', '')}"
    return f"HTTP {exchange.status} {exchange.reason}"


def _explained(title: str, body: Mapping[str, object], *, now: float | None = None) -> Parameters:
    """A JSON answer field by field, with claim meanings and readable times."""
    when = time.time() if now is None else now
    values: dict[str, str] = {}
    for name, value in body.items():
        text = value if isinstance(value, str) else json.dumps(value)
        if name in TIME_CLAIMS and isinstance(value, int | float):
            text = f"{value} ({describe_time(value, when)})"
        values[name] = _short(text) if len(text) > 120 else text
    meanings = {**CLAIM_MEANINGS, **RESPONSE_MEANINGS}
    return parameters(title, values, meanings=meanings, secrets=TOKEN_SECRETS)


def _failed(exchange: HttpExchange, *, doing: str) -> StepResult:
    # Failure is data: the error response is shown like any other exchange.
    return StepResult(
        "error", f"The org refused {doing}: {_problem(exchange)}", exchanges=(exchange,)
    )


def _needs(ctx: StepContext, *names: str) -> StepResult | None:
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
) -> Step:
    def run(ctx: StepContext) -> StepResult:
        # RFC 6749 §10.12 / RFC 9700 §4.7: state is unguessable and bound to this run.
        values = {
            "response_type": response_type,
            "client_id": ctx.client_id,
            "redirect_uri": ctx.redirect_uri,
            "scope": scope,
            "state": secrets.token_urlsafe(24),
        }
        remember = [("state", values["state"]), ("redirect_uri", ctx.redirect_uri)]
        artefacts: list[Artefact] = []
        if nonce:
            values["nonce"] = secrets.token_urlsafe(24)
            remember.append(("nonce", values["nonce"]))
        if pkce:
            # RFC 7636 §4.1: 43-128 characters from the unreserved set; 64 random bytes give 86.
            proof = pkce_proof(secrets.token_urlsafe(64))
            values["code_challenge"] = proof.challenge
            values["code_challenge_method"] = "S256"
            remember.append(("code_verifier", proof.verifier))
            artefacts.append(proof)
        url = f"{_url(ctx, AUTHORIZE)}?{urlencode(values, quote_via=quote)}"
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


def code_callback_step(*, why: str, salesforce: tuple[str, ...] = ()) -> Step:
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
    fields = {name: _short(str(value)) for name, value in body.items()}
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
        key_set, keys = fetch_jwks(ctx.transport, ctx.values.get("jwks_uri") or _url(ctx, JWKS))
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
) -> Step:
    """A POST to the token endpoint. `fields` maps form names to earlier values' names.

    With `expect_refusal`, the step demonstrates a rule: a 4xx is the lesson, a 200 a failure.
    """

    def run(ctx: StepContext) -> StepResult:
        if problem := _needs(ctx, *needs):
            return problem
        data = dict(form or {})
        data.update({name: ctx.values[key] for name, key in fields})
        credentials = None
        if basic_auth and ctx.client_secret:
            credentials = (ctx.client_id, ctx.client_secret)
        else:
            data["client_id"] = ctx.client_id
            if send_secret and ctx.client_secret:
                data["client_secret"] = ctx.client_secret
        exchange = ctx.transport.send(
            OutgoingRequest.form(_url(ctx, TOKEN), data, basic_auth=credentials)
        )
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
            return _failed(exchange, doing="the token request")
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
    )


def rotation_step(*, why: str) -> Step:
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

    return replace(inner, run=run)


# Resource server and other endpoints ---------------------------------------------------------


def api_step(
    *,
    slug: str = "call-api",
    title: str = "Call the REST API with the access token",
    expect_refusal: bool = False,
    why: str,
    summary: str = "The app sends a SOQL query to the org's REST API, with the access token "
    "in the Authorization header.",
) -> Step:
    def run(ctx: StepContext) -> StepResult:
        if problem := _needs(ctx, "access_token"):
            return problem
        base = ctx.values.get("instance_url") or ctx.base_url
        url = f"{base}/services/data/{API_VERSION}/query?q={quote(API_QUERY)}"
        exchange = ctx.transport.send(OutgoingRequest.get(url, bearer=ctx.values["access_token"]))
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
            return _failed(exchange, doing="the API call")
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
    )


def userinfo_step(*, why: str) -> Step:
    def run(ctx: StepContext) -> StepResult:
        if problem := _needs(ctx, "access_token"):
            return problem
        exchange = ctx.transport.send(
            OutgoingRequest.get(_url(ctx, USERINFO), bearer=ctx.values["access_token"])
        )
        if not exchange.ok:
            return _failed(exchange, doing="the userinfo request")
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
    )


def identity_step(*, why: str) -> Step:
    def run(ctx: StepContext) -> StepResult:
        if problem := _needs(ctx, "access_token", "id"):
            return problem
        exchange = ctx.transport.send(
            OutgoingRequest.get(ctx.values["id"], bearer=ctx.values["access_token"])
        )
        if not exchange.ok:
            return _failed(exchange, doing="the identity request")
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
) -> Step:
    def run(ctx: StepContext) -> StepResult:
        if problem := _needs(ctx, token):
            return problem
        data = {
            "token": ctx.values[token],
            "token_type_hint": token,
            "client_id": ctx.client_id,
        }
        if ctx.client_secret:
            data["client_secret"] = ctx.client_secret
        exchange = ctx.transport.send(OutgoingRequest.form(_url(ctx, INTROSPECT), data))
        if not exchange.ok:
            return _failed(exchange, doing="the introspection request")
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
    )


def revoke_step(*, token: str = "access_token", why: str) -> Step:
    def run(ctx: StepContext) -> StepResult:
        if problem := _needs(ctx, token):
            return problem
        data = {"token": ctx.values[token], "client_id": ctx.client_id}
        if ctx.client_secret:
            data["client_secret"] = ctx.client_secret
        exchange = ctx.transport.send(OutgoingRequest.form(_url(ctx, REVOKE), data))
        if not exchange.ok:
            return _failed(exchange, doing="the revocation")
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
    )


def discovery_step(*, why: str) -> Step:
    def run(ctx: StepContext) -> StepResult:
        exchange = ctx.transport.send(OutgoingRequest.get(_url(ctx, DISCOVERY)))
        if not exchange.ok:
            return _failed(exchange, doing="the discovery request")
        body = exchange.json_body()
        shown: dict[str, str] = {
            name: _short(str(body[name]))
            for name in (
                "issuer",
                "authorization_endpoint",
                "token_endpoint",
                "jwks_uri",
                "userinfo_endpoint",
                "code_challenge_methods_supported",
                "authorization_response_iss_parameter_supported",
            )
            if name in body
        }
        issuer = body.get("issuer")
        methods = body.get("code_challenge_methods_supported") or []
        checks = (
            Check("issuer", True, f"{issuer} is exactly the org's base URL.")
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

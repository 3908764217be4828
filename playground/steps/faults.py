"""Break it: faults a visitor can inject into a step, each sent for real and refused for real.

A fault is data (slug, label, one line on what it does, the lesson) plus how to perform it.
Most faults tamper with the request the step would send (`request_fault`); some forge a JWT
and either present it to a server (`forged_bearer_fault`) or run the client's own ID token
checks on it (`id_token_fault`). Flows pick the faults that fit each step; a new flow brings
its own faults the same way, built from these three makers or its own `run`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from playground.artefacts import Artefact, Callout, JwtPanel
from playground.exchange import HttpExchange, OutgoingRequest
from playground.inspector import Expected, JwksKey, inspect_jwt
from playground.steps.resource import query_request
from playground.transports import InProcessTransport
from playground.vocabulary import Attempt, Fault, Lesson, StepContext, StepResult

Tamper = Callable[[StepContext, OutgoingRequest], OutgoingRequest]
# A harmless follow-up request that shows what the server's defence changed (None: none fits).
Aftermath = Callable[[StepContext], OutgoingRequest | None]

ATTACKER_CALLBACK = "https://attacker.example/callback"
NOBODY = "nobody@handshake.example"


# Performing a fault -------------------------------------------------------------------------


def judge(exchange: HttpExchange, *, what: str = "The server") -> StepResult:
    """A refusal is the lesson ("ok"); an answer that lets the broken request through is not."""
    if exchange.status == 0:
        return StepResult("error", f"No answer, so nothing to learn: {exchange.error}", (exchange,))
    if exchange.status >= 400:
        problem = exchange.problem
        said = (
            f"{exchange.status} {exchange.reason}"
            if problem.startswith("HTTP ")
            else (f"{exchange.status}: {problem}")
        )
        return StepResult("ok", f"{what} refused it with {said}", (exchange,))
    return StepResult(
        "error",
        f"{what} answered {exchange.status} {exchange.reason}: it let the broken request "
        "through. A careful server refuses it.",
        (exchange,),
    )


def request_fault(
    *,
    slug: str,
    label: str,
    does: str,
    lesson: Lesson,
    tamper: Tamper,
    after: bool = False,
    aftermath: Aftermath | None = None,
    changes: str = "",
) -> Fault:
    """A fault that changes the step's request and sends it.

    With `aftermath`, a refused fault is followed by one harmless request showing what the
    server's defence changed in the run, explained by `changes`.
    """

    def run(attempt: Attempt) -> StepResult:
        ctx, request = attempt.ctx, attempt.request
        if request is None:
            return StepResult("error", "Nothing to break: the step has nothing to send yet.")
        result = judge(ctx.transport.send(tamper(ctx, request)))
        if result.outcome != "ok" or aftermath is None:
            return result
        follow = aftermath(ctx)
        if follow is None:
            return result
        after_exchange = ctx.transport.send(follow)
        shown = (
            f"The follow-up call was refused too ({after_exchange.status}: "
            f"{after_exchange.problem})."
            if after_exchange.status >= 400
            else f"The follow-up call still worked ({after_exchange.status})."
        )
        return StepResult(
            "ok",
            f"{result.headline}. {shown}",
            (*result.exchanges, after_exchange),
            (Callout("warn", changes),) if changes else (),
        )

    return Fault(slug, label, does, lesson, run, after)


def forged_bearer_fault(*, slug: str, label: str, does: str, lesson: Lesson, how: str) -> Fault:
    """Present a home-made JWT as the bearer token: `how` is "none" or "hs256-public-key"."""

    def run(attempt: Attempt) -> StepResult:
        ctx, request = attempt.ctx, attempt.request
        if request is None:
            return StepResult("error", "Nothing to break: the step has nothing to send yet.")
        keys_exchange, key_set = _fetch_keys(ctx)
        now = int(time.time())
        claims = {
            "iss": ctx.base_url,
            "sub": ctx.values.get("id") or ctx.values.get("sub") or "the-user-i-want-to-be",
            "aud": ctx.base_url,
            "client_id": ctx.client_id,
            "scope": "api openid",
            "iat": now,
            "exp": now + 3600,
            "jti": secrets.token_urlsafe(12),
        }
        forged = forge_jwt(claims, {"typ": "at+jwt"}, how=how, key_set=key_set)
        exchanges: tuple[HttpExchange, ...] = (keys_exchange,) if keys_exchange else ()
        if forged is None:
            return StepResult(
                "error",
                "The server publishes no RSA key to misuse, so this forgery cannot be made.",
                exchanges,
            )
        sent = ctx.transport.send(request.with_header("Authorization", f"Bearer {forged}"))
        result = judge(sent)
        verdict = inspect_jwt(
            forged,
            key=JwksKey(key_set, origin="the server's JWKS") if key_set else None,
            expected=Expected(issuer=ctx.base_url),
        )
        panel = JwtPanel("The forged token, checked against the server's keys", verdict)
        return StepResult(result.outcome, result.headline, (*exchanges, sent), (panel,))

    return Fault(slug, label, does, lesson, run)


def id_token_fault(*, slug: str, label: str, does: str, lesson: Lesson, how: str) -> Fault:
    """Tamper with the ID token the step received and run the client's checks on the copy.

    `how`: "none", "hs256-public-key", "expired" or "wrong-audience". The check is the
    client's own (OIDC Core §3.1.3.7), against the keys fetched from the server for real.
    """

    def run(attempt: Attempt) -> StepResult:
        ctx, earlier = attempt.ctx, attempt.earlier
        token = _received_id_token(earlier)
        if not token:
            return StepResult("error", "This step received no ID token to tamper with.")
        keys_exchange, key_set = _fetch_keys(ctx)
        exchanges: tuple[HttpExchange, ...] = (keys_exchange,) if keys_exchange else ()
        tampered = _tampered_id_token(token, how=how, key_set=key_set)
        if tampered is None:
            return StepResult("error", "The server publishes no RSA key to misuse here.", exchanges)
        verdict = inspect_jwt(
            tampered,
            key=JwksKey(key_set, origin="the server's JWKS"),
            expected=Expected(
                issuer=ctx.base_url, audience=ctx.client_id, nonce=ctx.values.get("nonce", "")
            ),
        )
        artefacts: tuple[Artefact, ...] = (JwtPanel("The tampered ID token, checked", verdict),)
        if verdict.valid:
            return StepResult(
                "error", "The client's checks accepted the tampered token.", exchanges, artefacts
            )
        return StepResult(
            "ok", f"The client's checks refuse it: {verdict.reason}", exchanges, artefacts
        )

    return Fault(slug, label, does, lesson, run, after=True)


def _received_id_token(earlier: StepResult | None) -> str:
    for exchange in earlier.exchanges if earlier else ():
        token = exchange.json_body().get("id_token")
        if isinstance(token, str) and token.count(".") == 2:
            return token
    return ""


def _fetch_keys(ctx: StepContext) -> tuple[HttpExchange | None, dict[str, Any]]:
    url = ctx.values.get("jwks_uri") or ctx.urls.jwks
    if not url:
        return None, {}
    exchange = ctx.transport.send(OutgoingRequest.get(url))
    return exchange, exchange.json_body()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _part(value: Mapping[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def _rsa_key(key_set: Mapping[str, Any], kid: str = "") -> tuple[str, bytes] | None:
    """(kid, PEM) of the key set's RSA key named `kid`, or its first RSA key."""
    keys = [k for k in key_set.get("keys", []) if isinstance(k, dict) and k.get("kty") == "RSA"]
    chosen = next((k for k in keys if kid and k.get("kid") == kid), keys[0] if keys else None)
    if chosen is None:
        return None
    try:
        public = jwt.PyJWK(chosen).key
    except (jwt.PyJWKError, ValueError, TypeError, KeyError):
        return None
    if not isinstance(public, rsa.RSAPublicKey):
        return None
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return str(chosen.get("kid", "")), pem


def forge_jwt(
    claims: Mapping[str, Any],
    header: Mapping[str, Any],
    *,
    how: str,
    key_set: Mapping[str, Any],
) -> str | None:
    """A JWT no honest key signed: "none" (unsigned) or "hs256-public-key" (HMAC keyed with
    the key set's RSA public key). None when the key set has no RSA key to misuse.

    Flows whose steps send assertions can build their own faults on it.
    """
    if how == "none":
        # RFC 7519 §6.1: an unsecured JWT has alg none and an empty signature part.
        return f"{_part({**header, 'alg': 'none'})}.{_part(claims)}."
    found = _rsa_key(key_set, str(header.get("kid", "")))
    if found is None:
        return None
    kid, pem = found
    # RFC 8725 §2.1: the key-confusion attack, HMAC keyed with the published RSA public key.
    # Done by hand: pyjwt rightly refuses a PEM key as an HMAC secret.
    signing_input = f"{_part({**header, 'alg': 'HS256', 'kid': kid})}.{_part(claims)}"
    mac = hmac.new(pem, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def _tampered_id_token(token: str, *, how: str, key_set: Mapping[str, Any]) -> str | None:
    header_part, payload_part, signature = token.split(".")
    header = json.loads(base64.urlsafe_b64decode(header_part + "=" * (-len(header_part) % 4)))
    claims = json.loads(base64.urlsafe_b64decode(payload_part + "=" * (-len(payload_part) % 4)))
    if how in {"none", "hs256-public-key"}:
        return forge_jwt(claims, header, how=how, key_set=key_set)
    now = int(time.time())
    if how == "expired":
        claims = {**claims, "iat": now - 7200, "exp": now - 3600}
    else:
        claims = {**claims, "aud": "3MVG9another.apps.client.id"}
    # The original signature stays: it was made over the original claims.
    return f"{header_part}.{_part(claims)}.{signature}"


# Tampering with requests -----------------------------------------------------------------------


def _wrong_secret(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    wrong = "not-the-secret-" + secrets.token_hex(8)
    basic = request.header("Authorization") or ""
    if basic.lower().startswith("basic "):
        return OutgoingRequest.form(
            request.url, request.form_fields(), basic_auth=(ctx.client_id, wrong)
        )
    return request.with_form({"client_secret": wrong})


def _secret_twice(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    with_header = OutgoingRequest.form(
        request.url,
        [(k, v) for k, v in request.form_fields() if k != "client_secret"],
        basic_auth=(ctx.client_id, ctx.client_secret),
    )
    return with_header.with_form({"client_secret": ctx.client_secret})


def _attacker_redirect_in_form(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    return request.with_form({"redirect_uri": ATTACKER_CALLBACK})


def _attacker_redirect_in_query(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    return request.with_query({"redirect_uri": ATTACKER_CALLBACK})


def _other_verifier(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    # A well-formed verifier (RFC 7636 §4.1), just not the one whose hash was sent.
    return request.with_form({"code_verifier": secrets.token_urlsafe(64)})


def _no_verifier(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    return request.with_form(remove=("code_verifier",))


def _unknown_user(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    # Not the demo user: repeated failures would lock a shared demo account for the whole room.
    return request.with_form({"username": NOBODY, "password": "not-the-password"})


def _same(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    return request


def _token_in_url(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    token = (request.header("Authorization") or "").partition(" ")[2]
    return request.with_header("Authorization", None).with_query({"access_token": token})


def _no_token(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    return request.with_header("Authorization", None)


def forged_redirect(ctx: StepContext, request: OutgoingRequest | None) -> OutgoingRequest:
    """A redirect to the app's own callback that this browser never started."""
    parts = urlsplit(ctx.redirect_uri)
    query = f"code=aPrxForged{secrets.token_hex(8)}&state=forged-{secrets.token_hex(8)}"
    return OutgoingRequest("GET", urlunsplit(parts._replace(query=query)))


def _revoked_refresh(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    fields = {"grant_type": "refresh_token", "refresh_token": ctx.values.get("refresh_token", "")}
    return ctx.client_form(ctx.urls.token, fields)


def _api_after_replay(ctx: StepContext) -> OutgoingRequest | None:
    token = ctx.values.get("access_token")
    if not token:
        return None
    if ctx.external:
        return OutgoingRequest.get(ctx.urls.userinfo, bearer=token) if ctx.urls.userinfo else None
    return query_request(ctx, "SELECT Id FROM Account LIMIT 1")


def _introspect_newest_refresh(ctx: StepContext) -> OutgoingRequest | None:
    token = ctx.values.get("refresh_token")
    if not token or not ctx.urls.introspection or not ctx.client_secret:
        return None
    fields = {"token": token, "token_type_hint": "refresh_token"}
    return ctx.client_form(ctx.urls.introspection, fields)


# The catalogue -------------------------------------------------------------------------------


WRONG_CLIENT_SECRET = request_fault(
    slug="wrong-client-secret",
    label="Wrong client secret",
    does="Sends a client secret the server never issued, where the real one would go.",
    lesson=Lesson(
        why="The server checks who the client is before it reads anything else in the request "
        "(RFC 6749 §2.3.1). The secret does not match this client ID, so the caller is not this "
        "app: invalid_client, with 401.",
        gain="Anyone who knew the client ID, which is public, could act as this app: redeem "
        "stolen codes, mint tokens, read or revoke its tokens.",
        fix="Load the secret from a secret store, not from code or a repository. On "
        "invalid_client do not retry in a loop: the secret was rotated or has leaked, so alert "
        "a person.",
    ),
    tamper=_wrong_secret,
)

SECRET_IN_TWO_PLACES = request_fault(
    slug="secret-in-two-places",
    label="Secret sent two ways at once",
    does="Sends the client secret in the Authorization header and in the form body together.",
    lesson=Lesson(
        why="A request may use one way of authenticating the client, not two (RFC 6749 §2.3). "
        "With two, it is unclear which should count, so the server refuses with "
        "invalid_request instead of choosing.",
        gain="Where a gateway checks one copy and the server the other, a request with one "
        "good and one bad secret could pass a check it should fail.",
        fix="Pick one method (HTTP Basic is the one every server must accept) and send the "
        "secret only there.",
    ),
    tamper=_secret_twice,
)

REDIRECT_ELSEWHERE = request_fault(
    slug="redirect-elsewhere",
    label="Send the redirect to another site",
    does=f"Builds the authorization link with redirect_uri={ATTACKER_CALLBACK}, which the app "
    "never registered, and sends it as the browser would.",
    lesson=Lesson(
        why="The server compares redirect_uri with the app's registered callback URLs "
        "character for character (RFC 9700 §4.1.3). This one does not match, so the server "
        "shows its own error page and redirects nowhere.",
        gain="The person would sign in at the real server, and the code (or, in the "
        "user-agent flow, the token itself) would be delivered to the attacker's site.",
        fix="Register exact callback URLs, without wildcards, and build the authorization "
        "link from configuration, never from anything in the incoming request.",
    ),
    tamper=_attacker_redirect_in_query,
)

OTHER_REDIRECT_URI = request_fault(
    slug="other-redirect-uri",
    label="A different redirect_uri",
    does="Redeems the code with a redirect_uri other than the one the authorization request "
    "carried.",
    lesson=Lesson(
        why="The server remembers which redirect_uri each code was issued for, and the token "
        "request must repeat that exact value (RFC 6749 §4.1.3): invalid_grant.",
        gain="A code that leaked through a look-alike callback could be redeemed as though "
        "it had arrived at the real one.",
        fix="Keep the redirect_uri from the authorization request with the state and send "
        "that same string; never rebuild it from the Host header.",
    ),
    tamper=_attacker_redirect_in_form,
)

WRONG_CODE_VERIFIER = request_fault(
    slug="wrong-code-verifier",
    label="Wrong code_verifier",
    does="Redeems the code with a freshly made verifier, not the one whose hash was sent earlier.",
    lesson=Lesson(
        why="The server hashes the verifier with SHA-256 and compares the result with the "
        "code_challenge it stored with the code (RFC 7636 §4.6). Another verifier, another "
        "hash. This org answers invalid_request, as Salesforce does; RFC 7636 says "
        "invalid_grant.",
        gain="Whoever intercepted the code on its way to the app, such as another app on the "
        "same phone claiming the same redirect URI, could redeem it.",
        fix="Keep the verifier next to the state, for the browser that started the sign-in, "
        "and send it unchanged with the code.",
    ),
    tamper=_other_verifier,
)

MISSING_CODE_VERIFIER = request_fault(
    slug="missing-code-verifier",
    label="No code_verifier",
    does="Redeems the code without any code_verifier, as a client that knows nothing of "
    "PKCE would.",
    lesson=Lesson(
        why="The code was issued against a code_challenge, so the server requires the "
        "verifier (RFC 7636 §4.5). Without it: invalid_grant, as Salesforce answers.",
        gain="PKCE would protect nothing if leaving the verifier out were enough to redeem a "
        "stolen code (the downgrade RFC 9700 §4.8.2 warns about).",
        fix="Send the verifier whenever a challenge was sent; switch PKCE on in the client "
        "library rather than adding parameters by hand.",
    ),
    tamper=_no_verifier,
)

_REPLAY_CHANGES = (
    "The server did more than refuse. A code used twice may have been stolen, so it revoked "
    "every token issued from that code (RFC 6749 §4.1.2): the follow-up call shows the "
    "access token from this step is dead, and the later steps of this run will be refused. "
    "Start a new run to follow the happy path."
)

REPLAY_CODE = request_fault(
    slug="replay-code",
    label="Replay the code",
    does="Sends this step's token request again, word for word, now that the code has been "
    "redeemed.",
    lesson=Lesson(
        why="An authorization code works once (RFC 6749 §4.1.2). The server keeps a record "
        "of redeemed codes, so the second try is invalid_grant.",
        gain="A code copied from a log, the browser history or a Referer header could buy a "
        "second set of tokens.",
        fix="Redeem each code once and keep what comes back. If the token request times "
        "out, start a new sign-in; do not send the same code again.",
    ),
    tamper=_same,
    after=True,
    aftermath=_api_after_replay,
    changes=_REPLAY_CHANGES,
)

FORGED_STATE = Fault(
    slug="forged-state",
    label="A forged redirect (wrong state)",
    does="Sends the app's callback a redirect with a code and a state this browser never "
    "created, as a hostile page could.",
    lesson=Lesson(
        why="The callback accepts only a state that matches a request this browser started "
        "(RFC 6749 §10.12). This one belongs to no run, so the playground refuses it with 400 "
        "and never touches the code.",
        gain="Sign-in CSRF: an attacker could make your browser complete their sign-in, so "
        "you would work inside their account, and what you saved there would be theirs.",
        fix="Make an unguessable state for every request, tie it to the browser's session, "
        "compare it in constant time when the browser returns, and use it once.",
    ),
    run=lambda attempt: judge(
        # The callback is the playground itself: always in-process, whatever the server.
        InProcessTransport().send(forged_redirect(attempt.ctx, attempt.request)),
        what="The app's callback",
    ),
)

UNKNOWN_USER = request_fault(
    slug="unknown-user",
    label="A user who does not exist",
    does=f"Sends {NOBODY} with a made-up password instead of the demo user's credentials.",
    lesson=Lesson(
        why="The org checks the username and password as its sign-in page would. Salesforce "
        "answers every failure here with invalid_grant and the same words, so the answer "
        "does not tell a guesser whether the user exists.",
        gain="The token endpoint would be a quiet place to guess passwords, outside the "
        "sign-in page and its multi-factor prompts.",
        fix="Do not collect passwords: move to the web server flow with PKCE, where the "
        "person types the password only into the org's own page.",
    ),
    tamper=_unknown_user,
)

_FORGED_WHY = (
    "The server does not believe what a token says about itself. This org looks every bearer "
    "token up in its own records (this app's tokens are opaque), so a token it never issued "
    "is unknown: 401. A server that does accept JWT access tokens must first verify the "
    "signature with its own key and the algorithm it expects (RFC 9068 §4; RFC 8725 §3.1), "
    "which refuses this token too."
)

FORGED_JWT_NONE = forged_bearer_fault(
    slug="forged-jwt-none",
    label="Forged token, unsigned (alg none)",
    does="Replaces the access token with a home-made JWT naming this user and app, with "
    "alg none and no signature.",
    lesson=Lesson(
        why=_FORGED_WHY,
        gain="Anyone could call the API as anyone, by typing the claims they want.",
        fix="On the resource side, verify the signature with the issuer's published keys and "
        "a fixed algorithm before reading any claim. On the client side, treat access tokens "
        "as opaque strings: never build or edit one.",
    ),
    how="none",
)

FORGED_JWT_HS256 = forged_bearer_fault(
    slug="forged-jwt-hs256",
    label="Forged token, HS256 with the public key",
    does="Replaces the access token with a JWT signed by HMAC-SHA256, using the server's "
    "published RSA public key as the HMAC secret.",
    lesson=Lesson(
        why=_FORGED_WHY,
        gain="The public key is public. If a verifier let the token's alg pick HMAC, anyone "
        "could sign tokens it accepts (the key-confusion attack, RFC 8725 §2.1).",
        fix="Take the algorithm from the key (an RSA key verifies RS256 only), never from the "
        "token's header, and never hand a public key to an HMAC check.",
    ),
    how="hs256-public-key",
)

TOKEN_IN_URL = request_fault(
    slug="token-in-url",
    label="Token in the URL",
    does="Sends the access token as an access_token query parameter instead of the "
    "Authorization header.",
    lesson=Lesson(
        why="This server refuses tokens in URLs (RFC 6750 §2.3 and RFC 9700 §4.3.2 advise "
        "against them). Its REST API answers 401 INVALID_SESSION_ID; its WWW-Authenticate "
        "header says invalid_request.",
        gain="URLs are written to access logs, proxies and browser history. Anyone who reads "
        "those could reuse the token.",
        fix="Send the token only in the Authorization: Bearer header.",
    ),
    tamper=_token_in_url,
)

NO_TOKEN = request_fault(
    slug="no-token",
    label="No token at all",
    does="Makes the same call without an Authorization header.",
    lesson=Lesson(
        why="Every call to a protected resource needs a token (RFC 6750 §3.1). With none, "
        "the answer is 401 and a WWW-Authenticate header naming Bearer, the scheme to use.",
        gain="The data would be open to anyone who can reach the server.",
        fix="Attach the token to every call. On a 401, refresh the token (or sign in again) "
        "and retry once.",
    ),
    tamper=_no_token,
)

_REUSE_CHANGES = (
    "Reuse detection: the server cannot tell whether the app or a thief sent the old token, "
    "so it revoked the whole family, the newest refresh token included (RFC 9700 §4.14.2). "
    "The follow-up introspection shows it; the person has to sign in again."
)

REUSE_ROTATED_REFRESH_TOKEN = request_fault(
    slug="reuse-rotated-refresh-token",
    label="Reuse the rotated refresh token",
    does="Sends this refresh request again, with the refresh token that the answer just replaced.",
    lesson=Lesson(
        why="With rotation each refresh token works once (RFC 9700 §4.14.2). The old one is "
        "spent, so the server answers invalid_grant.",
        gain="A stolen refresh token would keep working next to the real app's, for as long "
        "as the grant lives.",
        fix="Save the new refresh token from every refresh answer, and do it before using "
        "the new access token; never fall back to the previous one.",
    ),
    tamper=_same,
    after=True,
    aftermath=_introspect_newest_refresh,
    changes=_REUSE_CHANGES,
)

USE_REVOKED_REFRESH_TOKEN = request_fault(
    slug="use-revoked-refresh-token",
    label="Use the revoked refresh token",
    does="Asks the token endpoint for new tokens with the refresh token that was just revoked.",
    lesson=Lesson(
        why="Revocation takes effect at once (RFC 7009 §2.2): the token is dead, so the "
        "server answers invalid_grant.",
        gain="Signing out would end nothing: any copy of the refresh token would go on "
        "buying access tokens.",
        fix="After revoking, delete the token on the client too. When a refresh fails with "
        "invalid_grant, send the person back through sign-in.",
    ),
    tamper=_revoked_refresh,
    after=True,
)

ID_TOKEN_NONE = id_token_fault(
    slug="id-token-none",
    label="ID token without a signature (alg none)",
    does="Rewrites the ID token's header to alg none, drops the signature, and runs the "
    "app's ID token checks on it.",
    lesson=Lesson(
        why="The client takes the algorithm from the server's key set, not from the token "
        "(RFC 8725 §3.1). An unsigned token proves nothing, so the check refuses it.",
        gain="Anyone could write an ID token for any user, and the app would sign them in as "
        "that user.",
        fix="Fix the expected algorithm (RS256 here) in the verifier and reject alg none "
        "outright; good JWT libraries do both when asked.",
    ),
    how="none",
)

ID_TOKEN_HS256 = id_token_fault(
    slug="id-token-hs256",
    label="ID token signed with HS256 and the public key",
    does="Re-signs the ID token with HMAC-SHA256, using the server's published RSA public key "
    "as the secret, and runs the app's checks on it.",
    lesson=Lesson(
        why="The key from the key set is an RSA key, so it verifies RSA signatures only. "
        "The check refuses HS256 instead of using the public key as a shared secret (the "
        "key-confusion attack, RFC 8725 §2.1).",
        gain="The public key is public: anyone could mint ID tokens the app would believe.",
        fix="Choose the algorithm from the key, never from the header, and never give a "
        "public key to an HMAC verifier.",
    ),
    how="hs256-public-key",
)

ID_TOKEN_EXPIRED = id_token_fault(
    slug="id-token-expired",
    label="Expired ID token",
    does="Moves the ID token's exp an hour into the past, keeps the original signature, and "
    "runs the app's checks on it.",
    lesson=Lesson(
        why="Two checks fail: exp is in the past (OIDC Core §3.1.3.7), and editing any claim "
        "breaks the signature, which covers the header and payload byte for byte.",
        gain="An ID token that leaked into an old log could be replayed to sign in long "
        "after it was made.",
        fix="Check exp (with at most a small allowance for clock skew) after the signature, "
        "and use the ID token once, at sign-in; keep your own session after that.",
    ),
    how="expired",
)

ID_TOKEN_OTHER_AUDIENCE = id_token_fault(
    slug="id-token-other-audience",
    label="ID token for another app",
    does="Changes the ID token's aud to another app's client ID, keeps the original "
    "signature, and runs the app's checks on it.",
    lesson=Lesson(
        why="aud must name this app's client ID (OIDC Core §3.1.3.7). It names another app, "
        "and the edit broke the signature as well.",
        gain="A token the server issued to some other app, perhaps a hostile one, could be "
        "used to sign in to this app.",
        fix="Compare aud (and azp, when present) with your own client ID on every token.",
    ),
    how="wrong-audience",
)


def _poll_too_fast(attempt: Attempt) -> StepResult:
    ctx, request = attempt.ctx, attempt.request
    if request is None:
        return StepResult("error", "Nothing to break: there is no device code to poll with.")
    exchanges: list[HttpExchange] = []
    for _ in range(2):
        exchange = ctx.transport.send(request)
        exchanges.append(exchange)
        if exchange.ok:
            return StepResult(
                "error",
                "The person had already approved, so this quick poll collected the tokens and "
                "spent the device code. The next poll will be refused; start a new run.",
                tuple(exchanges),
            )
        if exchange.json_body().get("error") == "slow_down":
            return StepResult(
                "ok",
                f"The server answered {exchange.status}: slow_down. From now on the device "
                "must wait 5 seconds longer between polls.",
                tuple(exchanges),
            )
    return StepResult(
        "error",
        f"The server did not object: it answered {exchanges[-1].problem} both times. RFC 8628 "
        "§3.5 lets a server answer slow_down; this one does not enforce the interval.",
        tuple(exchanges),
    )


POLL_TOO_FAST = Fault(
    slug="poll-too-fast",
    label="Poll too fast",
    does="Polls twice in a row, without waiting the interval the server asked for.",
    lesson=Lesson(
        why="A device must wait interval seconds between polls (RFC 8628 §3.5). A server that "
        "enforces it answers slow_down, and the device must then add 5 seconds to its "
        "interval for good.",
        gain="Nothing secret, but a fleet of devices polling flat out would load the server "
        "like a denial-of-service attack, and the limit is what lets the server say so.",
        fix="Wait interval seconds between polls, add 5 on every slow_down, and stop once "
        "expires_in has passed.",
    ),
    run=_poll_too_fast,
)

ID_TOKEN_FAULTS = (ID_TOKEN_NONE, ID_TOKEN_HS256, ID_TOKEN_EXPIRED, ID_TOKEN_OTHER_AUDIENCE)
BEARER_FAULTS = (FORGED_JWT_NONE, FORGED_JWT_HS256, NO_TOKEN)
API_FAULTS = (FORGED_JWT_NONE, FORGED_JWT_HS256, TOKEN_IN_URL, NO_TOKEN)

"""JWT bearer flow (RFC 7523 §2.1): a server swaps an assertion it signed for an access token."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import jwt

from pki import certificates
from playground.artefacts import Artefact, JwtPanel
from playground.exchange import HttpExchange, OutgoingRequest
from playground.guides import guide_for
from playground.inspector import Expected, PemKey, inspect_jwt
from playground.steps.assertions import (
    CERTIFICATE,
    PRIVATE_KEY,
    certificate_facts,
    certificate_step,
    load_private_key,
    missing_pair,
    token_result,
)
from playground.steps.faults import API_FAULTS, forge_jwt, judge
from playground.steps.resource import api_step
from playground.vocabulary import (
    AppSpec,
    Arrow,
    Attempt,
    Fault,
    Flow,
    Input,
    InputError,
    Lesson,
    Step,
    StepContext,
    StepResult,
    plain_text,
)

GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
USER = "ada@handshake.example"
UNAPPROVED_USER = "grace@handshake.example"
# Salesforce documents exp within three minutes: the step signs that, though real orgs (and
# this one) accept any exp still ahead.
LIFETIME = 180
MAX_LIFETIME = 24 * 3600
# Another Salesforce login URL: a real one, just not this org's.
OTHER_AUDIENCE = "https://login.salesforce.com"


def _lifetime(value: str) -> str:
    text = plain_text(value)
    try:
        seconds = int(text)
    except ValueError:
        raise InputError("A whole number of seconds, such as 180 (or -60 for the past).") from None
    if abs(seconds) > MAX_LIFETIME:
        raise InputError(f"Between -{MAX_LIFETIME} and {MAX_LIFETIME} seconds (one day).")
    return str(seconds)


INPUTS = (
    Input(
        "iss",
        "iss: who issued the assertion",
        "Salesforce wants the connected app's consumer key here.",
        initial=lambda ctx: ctx.client_id,
    ),
    Input(
        "sub",
        "sub: the user the token will act for",
        f"A username. {USER} was pre-authorized on this app; anyone else was not.",
        initial=lambda ctx: USER,
    ),
    Input(
        "aud",
        "aud: who the assertion is for",
        "The org's login URL. A real org wants https://login.salesforce.com, "
        "https://test.salesforce.com or its Experience Cloud site.",
        initial=lambda ctx: ctx.base_url,
    ),
    Input(
        "exp",
        "exp: seconds from signing until it expires",
        "The step turns this into a time. Salesforce documents at most 3 minutes ahead; real "
        "orgs, and this one, take any time still ahead.",
        initial=lambda ctx: str(LIFETIME),
        clean=_lifetime,
        max_length=8,
    ),
)


def claims_of(ctx: StepContext, **changes: Any) -> dict[str, Any]:
    """The assertion's claims: the visitor's values, or the step's own, then `changes`."""
    now = int(time.time())
    wanted = {item.name: ctx.inputs.get(item.name) or item.initial(ctx) for item in INPUTS}
    claims: dict[str, Any] = {
        "iss": wanted["iss"],
        "sub": wanted["sub"],
        "aud": wanted["aud"],
        "exp": now + int(wanted["exp"]),
        # RFC 7523 §3 item 7: a unique id lets the org refuse the same assertion twice.
        "jti": secrets.token_urlsafe(16),
    }
    return {**claims, **changes}


NO_PAIR = "No certificate yet: the first step gives the app one."


def _sign(ctx: StepContext, claims: Mapping[str, Any]) -> str:
    key = load_private_key(ctx.values[PRIVATE_KEY])
    return jwt.encode(dict(claims), key, algorithm="RS256", headers={"typ": "JWT"})


def _post(ctx: StepContext, assertion: str) -> OutgoingRequest:
    # RFC 7523 §2.1: grant_type and assertion; Salesforce wants no client secret here.
    return OutgoingRequest.form(ctx.urls.token, {"grant_type": GRANT, "assertion": assertion})


def _panel(ctx: StepContext, assertion: str, title: str) -> JwtPanel:
    # Checked as the org checks it: with the app's certificate, for this org, from this app.
    verdict = inspect_jwt(
        assertion,
        key=PemKey(ctx.values[CERTIFICATE], origin="the app's certificate"),
        expected=Expected(issuer=ctx.client_id, audience=ctx.base_url),
    )
    return JwtPanel(title, verdict)


def _build(ctx: StepContext) -> OutgoingRequest | StepResult:
    if problem := missing_pair(ctx, message=NO_PAIR):
        return problem
    return _post(ctx, _sign(ctx, claims_of(ctx)))


def _read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
    assertion = exchange.request_form().get("assertion", "")
    shown: tuple[Artefact, ...] = (
        _panel(ctx, assertion, "The assertion you signed (RS256), checked with the certificate"),
        certificate_facts(ctx.values[CERTIFICATE], title="The certificate the org checks it with"),
    )
    return token_result(exchange, shown=shown)


# Break it ----------------------------------------------------------------------------------------


def _refused(
    ctx: StepContext, assertion: str, *, title: str = "The assertion that was sent"
) -> StepResult:
    """Send the assertion for real; a refusal is the lesson."""
    exchange: HttpExchange = ctx.transport.send(_post(ctx, assertion))
    result = judge(exchange, what="The org")
    return replace(result, artefacts=(_panel(ctx, assertion, title),))


def _signed_fault(**changes: Any) -> Callable[[Attempt], StepResult]:
    """Sign the visitor's claims with `changes` (a callable gets the time now) and send them."""

    def run(attempt: Attempt) -> StepResult:
        ctx = attempt.ctx
        if problem := missing_pair(ctx, message=NO_PAIR):
            return problem
        now = int(time.time())
        made = {name: value(now) if callable(value) else value for name, value in changes.items()}
        return _refused(ctx, _sign(ctx, claims_of(ctx, **made)))

    return run


def _forged(how: str) -> Callable[[Attempt], StepResult]:
    def run(attempt: Attempt) -> StepResult:
        ctx = attempt.ctx
        if problem := missing_pair(ctx, message=NO_PAIR):
            return problem
        public = certificates.public_key(ctx.values[CERTIFICATE])
        # The attacker's view: the certificate is public, so its key is too.
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(public, as_dict=True)
        facts = certificates.facts(ctx.values[CERTIFICATE])
        # A kid naming the certificate by its fingerprint, as the attacker would read it.
        jwk["kid"] = facts.fingerprint.replace(":", "")[:16].lower() if facts else "certificate"
        key_set = {"keys": [jwk]}
        forged = forge_jwt(claims_of(ctx), {"typ": "JWT"}, how=how, key_set=key_set)
        if forged is None:
            return StepResult("error", "The certificate holds no RSA key to misuse.")
        return _refused(ctx, forged, title="The forged assertion, checked with the certificate")

    return run


def _replay(attempt: Attempt) -> StepResult:
    if attempt.request is None:
        return StepResult("error", "Nothing to replay: the step has not sent an assertion.")
    exchange = attempt.ctx.transport.send(attempt.request)
    return judge(exchange, what="The org")


def _distant_exp_twice(attempt: Attempt) -> StepResult:
    ctx = attempt.ctx
    if problem := missing_pair(ctx, message=NO_PAIR):
        return problem
    # What Salesforce's command-line tool signs: the time now plus 300, in milliseconds.
    now = time.time()
    claims = claims_of(ctx, exp=int(now * 1000) + 300)
    del claims["jti"]
    assertion = _sign(ctx, claims)
    shown = (_panel(ctx, assertion, "The assertion sent twice: no jti, exp in milliseconds"),)
    first = ctx.transport.send(_post(ctx, assertion))
    if first.status != 200:
        return replace(judge(first, what="The org"), artefacts=shown)
    second = ctx.transport.send(_post(ctx, assertion))
    result = judge(second, what="Sent a second time, the org")
    if result.outcome != "error":
        return replace(result, exchanges=(first, second), artefacts=shown)
    years = (claims["exp"] - now) / (365.25 * 24 * 3600)
    return StepResult(
        "error",
        f"The org swapped the same assertion for a token twice. With no jti to remember it by "
        f"and an exp some {years:,.0f} years ahead, a copy of it is good for as long.",
        (first, second),
        shown,
    )


EXPIRED = Fault(
    slug="jwt-expired",
    label="Expired assertion",
    does="Signs the assertion properly, with exp an hour in the past.",
    lesson=Lesson(
        why="exp is in the past, so the assertion is no longer good (RFC 7523 §3 item 4). "
        "Salesforce words this as “expired authorization code”, though this flow has no "
        "code at all: when you see that message here, look at exp, and at the clock of the "
        "server that signs.",
        gain="An assertion copied from a log or a proxy would work for ever, not for the "
        "three minutes it was meant to.",
        fix="Sign each assertion just before you send it, with exp a minute or two ahead, "
        "and keep the signing server's clock synchronised (NTP).",
    ),
    run=_signed_fault(exp=lambda now: now - 3600),
)

UNSIGNED = Fault(
    slug="jwt-unsigned",
    label="Unsigned assertion (alg none)",
    does="Sends the same claims with alg none and an empty signature.",
    lesson=Lesson(
        why="The org decides the algorithm (RS256), not the token's header (RFC 8725 §3.1), "
        "so an assertion without a signature is not even looked at.",
        gain="Anyone who knows a consumer key, which is not a secret, could get a token as "
        "any pre-authorized user.",
        fix="Nothing to fix on an honest client: always sign with RS256. On a server, pin "
        "the algorithm and never accept none.",
    ),
    run=_forged("none"),
)

WRONG_AUDIENCE = Fault(
    slug="jwt-wrong-audience",
    label="Assertion for another server (aud)",
    does=f"Signs the assertion properly, with aud {OTHER_AUDIENCE} instead of this org.",
    lesson=Lesson(
        why="aud names the server that should accept the assertion (RFC 7523 §3 item 3). "
        "This one names a different login server, so this org answers “audience is invalid”.",
        gain="An assertion meant for one server, say a sandbox, could be replayed against "
        "another that trusts the same certificate, such as production.",
        fix="Set aud to the login URL of the org you call: login.salesforce.com for "
        "production, test.salesforce.com for a sandbox, or the site URL for Experience Cloud.",
    ),
    run=_signed_fault(aud=OTHER_AUDIENCE),
)

HS256_PUBLIC_KEY = Fault(
    slug="jwt-hs256-public-key",
    label="HS256 keyed with the certificate's public key",
    does="Signs the claims with HMAC-SHA256, using the public key from the app's certificate "
    "as the shared secret.",
    lesson=Lesson(
        why="The certificate holds an RSA key, so the org verifies RS256 only. A server that "
        "let the header pick HS256 would use the public key as an HMAC secret and accept "
        "this forgery (the key-confusion attack, RFC 8725 §2.1).",
        gain="The certificate is public: anyone could sign assertions as the app, for any "
        "pre-authorized user.",
        fix="On the server, choose the algorithm from the key and never from the token; "
        "on the client, sign with RS256 and the private key.",
    ),
    run=_forged("hs256-public-key"),
)

UNAPPROVED_USER_FAULT = Fault(
    slug="jwt-unapproved-user",
    label="Assertion for a user who never approved the app",
    does=f"Signs the assertion properly, with sub {UNAPPROVED_USER}, whom the admin did "
    "not pre-authorize.",
    lesson=Lesson(
        why="Nobody is asked to approve anything in this flow, so the org only serves users "
        "who said yes before: pre-authorized by an admin, or approved in an earlier sign-in. "
        "With “admin approved users are pre-authorized” Salesforce answers invalid_app_access; "
        "when users may approve for themselves and this one never did, it says “user hasn't "
        "approved this consumer”.",
        gain="Whoever holds the app's private key could act as any user of the org, admins "
        "included.",
        fix="Pre-authorize the integration user in Setup (a profile or permission set on "
        "the app), and give that user only the permissions the integration needs.",
    ),
    run=_signed_fault(sub=UNAPPROVED_USER),
)

REPLAY = Fault(
    slug="jwt-replay",
    label="Send the same assertion again",
    does="Sends the assertion the step just swapped for a token once more, byte for byte.",
    lesson=Lesson(
        why="Its jti is already spent: the org remembers each assertion id until the "
        "assertion expires, and takes each one once (RFC 7523 §3 item 7 allows this).",
        gain="A captured assertion could be swapped for fresh tokens again and again until "
        "it expired.",
        fix="Sign a new assertion, with a new jti, for every token request.",
    ),
    run=_replay,
    after=True,
)

DISTANT_EXP_REPLAY = Fault(
    slug="jwt-distant-exp-replay",
    label="No jti, exp centuries ahead, sent twice",
    does="Signs the assertion without jti and with exp in milliseconds, as Salesforce's "
    "command-line tool does, and sends it twice.",
    lesson=Lesson(
        why="Real orgs accept any exp still ahead, and so does this one, so an exp in "
        "milliseconds makes the assertion good for some 50,000 years; without a jti the org "
        "has nothing to tell the second use from the first. RFC 7523 §3 lets a server refuse "
        "an exp unreasonably far ahead, or a jti it has seen: either would stop this.",
        gain="Anyone who copies the assertion once, from a log, a proxy or a build's output, "
        "can swap it for fresh tokens as that user whenever they like, until the app's "
        "certificate is replaced.",
        fix="Sign a new assertion for every token request, with exp in seconds a few minutes "
        "ahead and a fresh jti, and keep assertions out of logs.",
    ),
    run=_distant_exp_twice,
)

TOKEN_STEP = Step(
    slug="token",
    title="Sign an assertion and swap it for a token",
    kind="back-channel",
    spec="RFC 7523 §2.1, §3",
    arrows=(
        Arrow("client", "authorization", "POST /services/oauth2/token (jwt-bearer)"),
        Arrow("authorization", "client", "200 access token"),
    ),
    summary="The server builds a JWT saying who it is (iss), whom it acts for (sub), which "
    "org it talks to (aud) and until when (exp), signs it with RS256 and its private key, and "
    "posts it to the token endpoint. No client secret and no browser take part.",
    why="The org looked up the app by iss, verified the signature with the certificate it "
    "holds, checked aud and exp, and found that the user named in sub was pre-authorized. "
    "The private key never left the server that signed: the org only ever had the "
    "certificate, so nothing the org stores could be used to sign in as the app.",
    build=_build,
    read=_read,
    differences=("jwt-bearer-exp", "jwt-bearer-approval", "jwt-bearer-response-fields"),
    button="Sign and send",
    faults=(
        EXPIRED,
        UNSIGNED,
        WRONG_AUDIENCE,
        HS256_PUBLIC_KEY,
        UNAPPROVED_USER_FAULT,
        REPLAY,
        DISTANT_EXP_REPLAY,
    ),
    inputs=INPUTS,
)

FLOW = Flow(
    guide=guide_for("jwt-bearer"),
    app=AppSpec(
        grants=(GRANT,),
        scopes=("api",),
        pre_authorize=(USER,),
        proves_itself_with="its private key, by signing each assertion; the org checks the "
        "signature with the app's certificate",
    ),
    intro="A back-end job calls the org with nobody at a keyboard. Instead of a password or "
    "client secret it holds a private key, and the org holds the matching certificate. For "
    "each token the job signs a short-lived JWT naming the user it acts for.",
    steps=(
        certificate_step(
            field="cert_pem",
            owner_label="integration server",
            why="Trust is set up out of band, once: the org will accept assertions that this "
            "certificate's key signed, for users the admin allowed. Rotating the key means "
            "uploading a new certificate; the old key stops working at once.",
            pre_authorized=f"This practice app lets admin-approved users in, and {USER} was "
            "pre-authorized when it was made. The flow asks nobody for consent, so without "
            "that the org would refuse every assertion.",
        ),
        TOKEN_STEP,
        api_step(
            faults=API_FAULTS,
            why="The token acts as the user named in sub, with the scopes the app was "
            "approved for. When it expires, the job signs a new assertion: there is no "
            "refresh token to keep safe.",
        ),
    ),
)

"""Asset token flow: Salesforce's use of token exchange (RFC 8693) for a connected device.

An access token comes first (client credentials here); the device then describes itself in an
actor token it signs with its own key, swaps the two for a one-minute asset token, and a
receiving service checks that token against the org's published keys.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from playground.artefacts import Artefact, Checks, JwtPanel, parameters
from playground.exchange import HttpExchange, OutgoingRequest
from playground.guides import guide_for
from playground.inspector import Check, Expected, JwkKey, inspect_jwt
from playground.steps.answers import TOKEN_SECRETS, failed, nothing_to_send, org_keys, shorten
from playground.steps.faults import WRONG_CLIENT_SECRET, judge, request_fault
from playground.steps.resource import DATA_PATH, query_request
from playground.steps.token import token_request_step
from playground.vocabulary import (
    AppSpec,
    Arrow,
    Attempt,
    Fault,
    Flow,
    Lesson,
    Step,
    StepContext,
    StepResult,
)

RUN_AS = "grace@handshake.example"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt"
ASSET_QUERY = "SELECT Id, Name, SerialNumber FROM Asset LIMIT 1"
# How long the device's own actor token is good for: it is used at once.
ACTOR_TOKEN_LIFETIME = 300
ASSET_TOKEN_LIFETIME = 60
ELSEWHERE = "https://attacker.example/iot"
EXCHANGED = ("access_token", "actor_token")  # what the exchange needs from earlier steps

EXCHANGE_MEANINGS = {
    "access_token": "The asset token: a JWT the org signed, naming the person, the device and "
    "the asset.",
    "issued_token_type": "What kind of token came back (RFC 8693 §2.2.1): here a JWT.",
    "token_type": "How to present it: as a Bearer token.",
    "expires_in": "Seconds until the asset token expires. Salesforce sends it for this flow only.",
}


# The device's key and its actor token --------------------------------------------------------


def device_key() -> tuple[ec.EllipticCurvePrivateKey, dict[str, str]]:
    """A fresh P-256 key pair for the demo device, and its public half as a JWK (RFC 7517)."""
    private = ec.generate_private_key(ec.SECP256R1())
    public: dict[str, str] = jwt.algorithms.ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
    return private, public


def actor_claims(
    *, asset: dict[str, str], device_id: str, public_jwk: dict[str, str]
) -> dict[str, Any]:
    now = int(time.time())
    return {
        "did": device_id,
        "Name": f"{asset['Name']} (demo device)",
        "Asset": {"Name": asset["Name"], "SerialNumber": asset["SerialNumber"]},
        # RFC 7800 §3.2: the device's public key. The org then insists the actor token is
        # signed with it, and binds the asset token to it.
        "cnf": {"jwk": public_jwk},
        "iat": now,
        "exp": now + ACTOR_TOKEN_LIFETIME,
        "jti": secrets.token_urlsafe(12),
    }


def sign_actor_token(claims: dict[str, Any], key: ec.EllipticCurvePrivateKey) -> str:
    return jwt.encode(claims, key, algorithm="ES256", headers={"typ": "JWT"})


def _asset_query(ctx: StepContext) -> OutgoingRequest | StepResult:
    return nothing_to_send(ctx, "access_token") or query_request(ctx, ASSET_QUERY)


def _sign_for_asset(ctx: StepContext, exchange: HttpExchange) -> StepResult:
    """The Asset the query found becomes the device, which signs its actor token."""
    records = exchange.json_body().get("records") if exchange.ok else None
    if not isinstance(records, list) or not records or not isinstance(records[0], dict):
        return StepResult(
            "error",
            f"The org listed no Asset to be the device: {exchange.problem}",
            exchanges=(exchange,),
        )
    record = records[0]
    asset = {name: str(record.get(name, "")) for name in ("Id", "Name", "SerialNumber")}
    private, public = device_key()
    device_id = f"device-{asset['SerialNumber'].lower()}"
    claims = actor_claims(asset=asset, device_id=device_id, public_jwk=public)
    token = sign_actor_token(claims, private)
    verdict = inspect_jwt(token, key=JwkKey(json.dumps(public), origin="device's public key"))
    artefacts: tuple[Artefact, ...] = (
        parameters(
            "The Asset the device will name",
            asset,
            meanings={
                "Id": "The record ID (02i…).",
                "Name": "The asset's name; the actor token may name it by this.",
                "SerialNumber": "The serial number, which the actor token names it by here.",
            },
        ),
        parameters(
            "The device's public key (cnf.jwk)",
            public,
            meanings={
                "kty": "Key type: EC, an elliptic-curve key.",
                "crv": "The curve: P-256, used with ES256 signatures.",
                "x": "The public point's x coordinate.",
                "y": "The public point's y coordinate.",
            },
        ),
        JwtPanel("The actor token, checked with the device's public key", verdict),
    )
    return StepResult(
        "ok",
        f"The device is {asset['Name']}; it signed an actor token (ES256) with a key it just made.",
        exchanges=(exchange,),
        artefacts=artefacts,
        remember=(
            ("actor_token", token),
            ("device_id", device_id),
            ("device_jwk", json.dumps(public, sort_keys=True)),
            ("asset_serial", asset["SerialNumber"]),
        ),
    )


def actor_token_step() -> Step:
    return Step(
        slug="actor-token",
        title="Name the device's asset and sign the actor token",
        kind="back-channel",
        spec="RFC 8693 §2.1; RFC 7800 §3.2",
        arrows=(
            Arrow("client", "resource", f"GET {DATA_PATH}/query (Asset)"),
            Arrow("resource", "client", "200 records"),
        ),
        summary="The device looks up the Asset record it stands for, makes a key pair of its "
        "own, and writes a small JWT about itself: did, Name, Asset and its public key in "
        "cnf. It signs that JWT with the private key, which never leaves the device.",
        why="The actor token is the device speaking for itself. Because it carries cnf.jwk, "
        "the org will check the signature against that key, and the asset token it issues "
        "will name the same key: only the holder of the private key can use it.",
        build=_asset_query,
        read=_sign_for_asset,
        differences=("asset-token-asset", "asset-token-actor"),
        button="Make the key and sign",
    )


# The exchange -------------------------------------------------------------------------------


def _exchange_request(ctx: StepContext) -> OutgoingRequest | StepResult:
    if problem := nothing_to_send(ctx, *EXCHANGED):
        return problem
    # RFC 8693 §2.1. Salesforce's asset token request carries no client credentials: the
    # subject token already names the app.
    return OutgoingRequest.form(
        ctx.urls.token,
        {
            "grant_type": TOKEN_EXCHANGE,
            "subject_token": ctx.values["access_token"],
            "subject_token_type": ACCESS_TOKEN_TYPE,
            "actor_token": ctx.values["actor_token"],
            "actor_token_type": JWT_TOKEN_TYPE,
        },
    )


def exchange_step(*, faults: tuple[Fault, ...]) -> Step:
    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        if not exchange.ok:
            return failed(exchange, doing="the token exchange")
        body = exchange.json_body()
        token = body.get("access_token")
        if not isinstance(token, str) or token.count(".") != 2:
            return StepResult(
                "error", "The answer carried no asset token (a JWT).", exchanges=(exchange,)
            )
        shown = {name: shorten(str(value)) for name, value in body.items()}
        return StepResult(
            "ok",
            f"The org answered {exchange.status} with an asset token good for "
            f"{body.get('expires_in', '?')} seconds.",
            exchanges=(exchange,),
            artefacts=(
                parameters(
                    "The answer, field by field",
                    shown,
                    meanings=EXCHANGE_MEANINGS,
                    secrets=TOKEN_SECRETS,
                ),
            ),
            remember=(("asset_token", token),),
        )

    return Step(
        slug="exchange",
        title="Swap the access token and the actor token for an asset token",
        kind="back-channel",
        spec="RFC 8693 §2.1-2.2",
        arrows=(
            Arrow("client", "authorization", "POST /services/oauth2/token (token-exchange)"),
            Arrow("authorization", "client", "200 asset token"),
        ),
        summary="The device posts both tokens to the token endpoint with the token-exchange "
        "grant: the access token as the subject (whose authority it borrows) and its own "
        "actor token (who is acting).",
        why="Token exchange turns what the device holds into a narrower, shorter token: it "
        "names the person as sub, the device in act, the asset, and the device's key in cnf, "
        "and it dies after a minute.",
        build=_exchange_request,
        read=read,
        differences=("asset-token-response",),
        faults=faults,
    )


# The receiving service's checks ---------------------------------------------------------------


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _asset_checks(claims: dict[str, Any], ctx: StepContext) -> tuple[Check, ...]:
    lifetime = claims.get("exp", 0) - claims.get("iat", 0)
    asset = _object(claims.get("Asset"))
    bound = _object(_object(claims.get("cnf")).get("jwk"))
    device_jwk = json.loads(ctx.values.get("device_jwk") or "{}")
    same_key = bool(bound) and all(
        bound.get(name) == device_jwk.get(name) for name in ("kty", "crv", "x", "y")
    )
    actor = _object(claims.get("act"))
    return (
        Check(
            "Lifetime",
            lifetime == ASSET_TOKEN_LIFETIME,
            f"exp is {lifetime} seconds after iat: a token meant to be used at once.",
        ),
        Check(
            "Device",
            actor.get("sub") == ctx.values.get("device_id") == claims.get("did"),
            f"act.sub and did are {claims.get('did')!r}, the device that signed the actor token.",
        ),
        Check(
            "Asset",
            asset.get("SerialNumber") == ctx.values.get("asset_serial"),
            f"Asset names {asset.get('Name')!r}, serial {asset.get('SerialNumber')!r}.",
        ),
        Check(
            "Key binding",
            same_key,
            "cnf.jwk is the device's own public key: a receiver should ask the device to prove "
            "it holds the private half."
            if same_key
            else "cnf.jwk is missing or is not the device's key.",
        ),
    )


def verify_step() -> Step:
    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        return nothing_to_send(ctx, "asset_token") or OutgoingRequest.get(ctx.urls.jwks)

    def read(ctx: StepContext, keys: HttpExchange) -> StepResult:
        if not keys.ok:
            return StepResult(
                "error", f"The org's keys could not be fetched: {keys.problem}", (keys,)
            )
        token = ctx.values["asset_token"]
        verdict = inspect_jwt(
            token, key=org_keys(keys), expected=Expected(issuer=ctx.base_url, audience=ctx.base_url)
        )
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
        checks = _asset_checks(claims, ctx)
        passed = verdict.valid and all(check.passed for check in checks)
        return StepResult(
            "ok" if passed else "error",
            "Signature, issuer, audience and expiry check out against the org's published keys."
            if passed
            else f"The asset token did not pass every check: {verdict.reason}",
            exchanges=(keys,),
            artefacts=(
                Checks("What the receiving service checks", checks),
                JwtPanel("The asset token, checked against the org's JWKS", verdict),
            ),
        )

    return Step(
        slug="verify",
        title="Check the asset token as the receiving service would",
        kind="back-channel",
        spec="RFC 7515 §5.2; RFC 8693 §4.1",
        arrows=(
            Arrow("resource", "authorization", "GET /id/keys"),
            Arrow("authorization", "resource", "200 JWKS"),
        ),
        summary="A service the device talks to receives the asset token. It fetches the org's "
        "public keys, picks the one named by kid, and verifies the signature, the issuer, "
        "the audience and the expiry.",
        why="Anyone can check an asset token without calling the org for each one: the "
        "signature and the 60-second expiry do the work. That is why it must be short-lived "
        "and bound to the device's key.",
        build=build,
        read=read,
        button="Verify it",
    )


# Break it -----------------------------------------------------------------------------------


def _actor_from(request: OutgoingRequest) -> dict[str, Any]:
    token = dict(request.form_fields()).get("actor_token", "")
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _signed_by_another_key(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    claims = _actor_from(request)
    # The cnf key stays the device's; the signature comes from a key the device never had.
    stranger, _ = device_key()
    return request.with_form({"actor_token": sign_actor_token(claims, stranger)})


def _unknown_asset(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    claims = _actor_from(request)
    key, public = device_key()
    unknown = {"Name": "Unregistered Sensor X-0", "SerialNumber": "X0-" + secrets.token_hex(4)}
    forged = {**claims, "Asset": unknown, "cnf": {"jwk": public}}
    return request.with_form({"actor_token": sign_actor_token(forged, key)})


def _audience_elsewhere(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    return request.with_form({"audience": ELSEWHERE})


def _no_subject_token(ctx: StepContext, request: OutgoingRequest) -> OutgoingRequest:
    return request.with_form(remove=("subject_token",))


def _revoked_subject(attempt: Attempt) -> StepResult:
    ctx, request = attempt.ctx, attempt.request
    if request is None:
        return StepResult("error", "Nothing to break: the step has nothing to send yet.")
    # A token of its own to revoke, so the run's access token stays good for the real step.
    fresh = ctx.transport.send(
        ctx.client_form(ctx.urls.token, {"grant_type": "client_credentials"}, basic=True)
    )
    token = fresh.json_body().get("access_token") if fresh.ok else None
    if not isinstance(token, str):
        return StepResult(
            "error", f"No access token to revoke: {fresh.problem}", exchanges=(fresh,)
        )
    revoked = ctx.transport.send(ctx.client_form(ctx.urls.revocation, {"token": token}))
    sent = ctx.transport.send(request.with_form({"subject_token": token}))
    result = judge(sent)
    exchanges: tuple[HttpExchange, ...] = (fresh, revoked, *result.exchanges)
    return StepResult(result.outcome, result.headline, exchanges)


OTHER_KEY = request_fault(
    slug="actor-token-other-key",
    label="Actor token signed by another key",
    does="Keeps the device's public key in cnf but signs the actor token with a different "
    "private key, as someone who copied the claims but not the key would.",
    lesson=Lesson(
        why="The actor token names its own key in cnf.jwk (RFC 7800), so the org verifies the "
        "signature with that key. A signature from any other key fails: invalid_request.",
        gain="Anyone who saw one actor token could write their own for the same device and "
        "get asset tokens bound to a key they do not hold.",
        fix="Sign on the device with the key whose public half is in cnf, keep the private "
        "key in the device's secure storage, and never ship it to a server.",
    ),
    tamper=_signed_by_another_key,
)

UNKNOWN_ASSET = request_fault(
    slug="unknown-asset",
    label="Name an asset the org does not have",
    does="Sends a correctly signed actor token whose Asset claim names a serial number no "
    "Asset record has.",
    lesson=Lesson(
        why="An asset token is about a registered Asset. The org looks the claim up and finds "
        "nothing, so it refuses; this org answers invalid_request, the code RFC 8693 §2.2.2 "
        "gives for a bad actor token.",
        gain="Devices nobody registered could obtain tokens that receiving services trust "
        "as if they belonged to a known asset.",
        fix="Register the device as an Asset first and put its Id or SerialNumber in the "
        "actor token exactly as the record has it.",
    ),
    tamper=_unknown_asset,
)

AUDIENCE_ELSEWHERE = request_fault(
    slug="audience-elsewhere",
    label="Ask for a token meant for another site",
    does=f"Adds audience={ELSEWHERE}, a service the org does not vouch for.",
    lesson=Lesson(
        why="RFC 8693 §2.1 lets a client name where the new token will be used. The org only "
        "issues tokens for itself and its own URLs, so any other audience is invalid_target.",
        gain="A token the org signed for a third party's site would let that site, or whoever "
        "runs it, present the person's authority elsewhere.",
        fix="Ask only for audiences the authorization server knows; leave audience out to "
        "get the default.",
    ),
    tamper=_audience_elsewhere,
)

NO_SUBJECT_TOKEN = request_fault(
    slug="no-subject-token",
    label="Leave out the subject token",
    does="Sends the actor token alone, with no access token to exchange.",
    lesson=Lesson(
        why="subject_token is required (RFC 8693 §2.1): the asset token borrows the authority "
        "of a person's access token, and without one there is nothing to borrow. The org "
        "answers invalid_request.",
        gain="A device could mint tokens with no person's consent behind them, on its "
        "signature alone.",
        fix="Get an access token first, through any flow the app allows, and send it as "
        "subject_token with subject_token_type access_token.",
    ),
    tamper=_no_subject_token,
)

REVOKED_SUBJECT_TOKEN = Fault(
    slug="revoked-subject-token",
    label="Exchange a revoked access token",
    does="Gets a second access token, revokes it at once, then offers it as the subject token.",
    lesson=Lesson(
        why="The org looks the subject token up and finds it revoked. This org answers "
        "invalid_request, as RFC 8693 §2.2.2 says for an invalid subject token; other "
        "servers answer invalid_grant.",
        gain="Revoking a token would not stop a device from turning it into fresh asset "
        "tokens, so revocation would not really end access.",
        fix="After a revocation, get a new access token the proper way before asking for an "
        "asset token.",
    ),
    run=_revoked_subject,
)

FLOW = Flow(
    guide=guide_for("asset-token"),
    app=AppSpec(
        grants=("client_credentials", TOKEN_EXCHANGE),
        scopes=("api",),
        run_as=RUN_AS,
    ),
    intro="A connected device, such as a boiler monitor registered as an Asset, needs a "
    "token of its own. The app gets an access token first; the device then signs a short "
    "JWT about itself and swaps both for an asset token that lasts a minute and names the "
    "person, the device and the asset.",
    steps=(
        token_request_step(
            slug="token",
            title="Get an access token first (client credentials)",
            spec="RFC 6749 §4.4.2",
            summary="Any flow would do; here the app asks quickly for a token of its own, with "
            "its client ID and secret in HTTP Basic. It acts as the app's run-as user.",
            why="This access token is the subject of the exchange: the asset token will act "
            f"for its user ({RUN_AS}), within what the app may do.",
            form={"grant_type": "client_credentials"},
            basic_auth=True,
            faults=(WRONG_CLIENT_SECRET,),
        ),
        actor_token_step(),
        exchange_step(
            faults=(
                OTHER_KEY,
                UNKNOWN_ASSET,
                AUDIENCE_ELSEWHERE,
                NO_SUBJECT_TOKEN,
                REVOKED_SUBJECT_TOKEN,
            )
        ),
        verify_step(),
    ),
)

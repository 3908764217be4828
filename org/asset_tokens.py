"""Asset tokens: Salesforce's use of token exchange (RFC 8693) for connected devices.

A device presents an access token (the subject: the person who registered it) and an
actor token, a JWT describing the device: `did`, `Name`, `Asset` and, optionally,
`cnf.jwk`, the device's public key (RFC 7800). When that key is there, the actor token
must be signed with it: the device proves it holds the private key, and the asset token
is bound to the key. The org answers with an asset token, a JWT it signs with its own key,
valid for 60 seconds and naming the demo asset record.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db.models import Q

from org import keys
from org.assertions import CLOCK_SKEW
from org.errors import InvalidRequest
from org.identity import base_url, identity_url
from org.models import ConnectedApp, OrgUser, Record
from org.rest.spaces import MAIN_SPACE, space_of

ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt"
LIFETIME = timedelta(seconds=60)
MAX_ACTOR_TOKEN_LENGTH = 16 * 1024
MAX_CLAIM_LENGTH = 255
MIN_RSA_BITS = 2048
# The algorithm a device key may sign with, by key type (RFC 8725 §3.1: never the token's
# own choice, and never none).
_ALGORITHMS = {"RSA": "RS256", "EC": "ES256"}
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "k", "oth"})
_PUBLIC_MEMBERS = ("kty", "crv", "x", "y", "n", "e", "kid")


@dataclass(frozen=True)
class Actor:
    device_id: str
    name: str
    asset: Record  # an Asset record
    device_key: dict[str, str] | None  # the public JWK from cnf, when the device sent one


def read_actor_token(value: str, *, app: ConnectedApp, now: datetime) -> Actor:
    """The device an actor token describes; raises InvalidRequest (RFC 8693 §2.2.2)."""
    if len(value) > MAX_ACTOR_TOKEN_LENGTH:
        raise InvalidRequest("actor_token is too long")
    try:
        header = jwt.get_unverified_header(value)
        claims: dict[str, Any] = jwt.decode(value, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise InvalidRequest("actor_token is not a JWT") from None
    device_key = _device_key(claims.get("cnf"))
    if device_key is not None:
        claims = _verified_by_device_key(value, header, device_key)
    _check_times(claims, now=now)
    device_id = _claim(claims, "did")
    name = _claim(claims, "Name")
    asset = _asset_named(claims.get("Asset"), app=app)
    return Actor(device_id=device_id, name=name, asset=asset, device_key=device_key)


def _device_key(confirmation: object) -> dict[str, str] | None:
    if confirmation is None:
        return None
    if not isinstance(confirmation, dict) or not isinstance(confirmation.get("jwk"), dict):
        raise InvalidRequest("cnf must hold the device's public key as jwk")
    jwk: dict[str, Any] = confirmation["jwk"]
    if _PRIVATE_MEMBERS & set(jwk) or jwk.get("kty") not in _ALGORITHMS:
        raise InvalidRequest("cnf.jwk must be an RSA or EC public key")
    return {name: str(jwk[name]) for name in _PUBLIC_MEMBERS if name in jwk}


def _verified_by_device_key(
    value: str, header: dict[str, Any], device_key: dict[str, str]
) -> dict[str, Any]:
    algorithm = _ALGORITHMS[device_key["kty"]]
    if header.get("alg") != algorithm:
        raise InvalidRequest(
            f"the actor token's alg must be {algorithm} for its {device_key['kty']} key"
        )
    try:
        key = jwt.PyJWK(device_key, algorithm=algorithm).key
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        raise InvalidRequest("cnf.jwk is not a usable public key") from None
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        raise InvalidRequest(f"an RSA device key needs at least {MIN_RSA_BITS} bits")
    try:
        verified: dict[str, Any] = jwt.decode(
            value,
            key,
            algorithms=[algorithm],
            # Times are checked by _check_times; an actor token has no audience to check.
            options={
                "verify_aud": False,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError:
        raise InvalidRequest("actor_token is not signed by the key in its cnf claim") from None
    return verified


def _check_times(claims: dict[str, Any], *, now: datetime) -> None:
    current, skew = now.timestamp(), CLOCK_SKEW.total_seconds()
    for name in ("exp", "nbf", "iat"):
        value = claims.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidRequest(f"actor_token {name} must be a number")
        if name == "exp" and value <= current - skew:
            raise InvalidRequest("actor_token has expired")
        if name != "exp" and value > current + skew:
            raise InvalidRequest(f"actor_token {name} is in the future")


def _claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_CLAIM_LENGTH:
        raise InvalidRequest(f"actor_token needs a {name} claim")
    return value


def _asset_named(reference: object, *, app: ConnectedApp) -> Record:
    """The Asset record an Asset claim names: a record id or name, or an object with Id,
    SerialNumber or Name (the fields Salesforce's AssetTokenEvent reports). The app's own
    data space and the org's main data are searched, as its REST calls would see them."""
    condition: Q | None = None
    if isinstance(reference, str) and 0 < len(reference) <= MAX_CLAIM_LENGTH:
        condition = Q(record_id=reference) | Q(fields__Name__iexact=reference)
    elif isinstance(reference, dict):
        for field, lookup in (("Id", "record_id"), ("SerialNumber", "fields__SerialNumber")):
            value = reference.get(field)
            if isinstance(value, str) and 0 < len(value) <= MAX_CLAIM_LENGTH:
                condition = Q(**{lookup: value})
                break
        else:
            name = reference.get("Name")
            if isinstance(name, str) and 0 < len(name) <= MAX_CLAIM_LENGTH:
                condition = Q(fields__Name__iexact=name)
    if condition is None:
        raise InvalidRequest("actor_token needs an Asset claim: an asset's Id or Name")
    asset = (
        Record.objects.filter(
            condition,
            Q(space=MAIN_SPACE) | Q(space=space_of(app)),
            org=app.org,
            sobject="Asset",
            is_deleted=False,
        )
        .order_by("pk")
        .first()
    )
    if asset is None:
        raise InvalidRequest("actor_token names no asset in this org")
    return asset


def audience_allowed(value: str) -> bool:
    """RFC 8693 §2.1 audience and resource: the org itself or one of its own URLs."""
    base = base_url()
    return value == base or value.startswith(base + "/")


def mint(
    *, app: ConnectedApp, user: OrgUser, actor: Actor, audience: str, issued_at: datetime
) -> str:
    """The asset token: an RS256 JWT from the org's active signing key."""
    key = keys.active_signing_key()
    now = int(issued_at.timestamp())
    asset = actor.asset
    claims: dict[str, Any] = {
        "iss": base_url(),
        "aud": [audience],
        # RFC 8693 §4.1: the subject stays the person; the device acts for them.
        "sub": identity_url(user),
        "act": {"sub": actor.device_id},
        "client_id": app.client_id,
        "iat": now,
        "nbf": now,
        "exp": now + int(LIFETIME.total_seconds()),
        "jti": secrets.token_urlsafe(16),
        "did": actor.device_id,
        "Name": actor.name,
        "Asset": {
            "Id": asset.record_id,
            "Name": asset.fields.get("Name"),
            "SerialNumber": asset.fields.get("SerialNumber"),
        },
    }
    if actor.device_key is not None:
        # RFC 7800 §3.2: only the holder of the device's private key should present it.
        claims["cnf"] = {"jwk": actor.device_key}
    return jwt.encode(
        claims, key.private_key, algorithm=keys.ALGORITHM, headers={"kid": key.kid, "typ": "JWT"}
    )

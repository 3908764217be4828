"""Assertions swapped for tokens: JWT bearer (RFC 7523) checks, the user they speak for,
and the one-use memory of assertion ids shared with SAML bearer (RFC 7522).

JWT bearer follows Salesforce: iss is the consumer key, sub the username, aud the org's
login URL, exp not yet past (however far ahead, unless the org sets a window), RS256 only,
and the user must already have approved the app. Errors carry Salesforce's descriptions,
including "expired authorization code" for an exp out of range, although this flow has no code.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from django.db import IntegrityError, transaction
from django.utils import timezone

from org import approvals, errors
from org.errors import InvalidGrant
from org.identity import base_url
from org.models import ConnectedApp, OrgUser, PermittedUsers, SpentAssertion
from org.tokens import digest
from pki import certificates

ALGORITHM = "RS256"
# RFC 7519 §4.1.4-5 allow "a small leeway" for clocks that disagree: one minute here.
CLOCK_SKEW = timedelta(seconds=60)
MAX_ASSERTION_LENGTH = 16 * 1024
# An exp past what a database's date column holds (Salesforce CLI signs exp in milliseconds,
# some 50,000 years ahead) is remembered, for a replayed jti, until this moment.
LATEST = datetime(9999, 12, 30, tzinfo=UTC)
MAX_CLAIM_LENGTH = 256


@dataclass(frozen=True)
class JwtBearer:
    app: ConnectedApp
    subject: str
    claims: dict[str, Any]
    expires_at: datetime


def verify_jwt_bearer(
    value: str, *, find_app: Callable[[object], ConnectedApp | None], now: datetime
) -> JwtBearer:
    """The app and subject of a valid JWT bearer assertion; raises InvalidGrant."""
    if len(value) > MAX_ASSERTION_LENGTH:
        raise InvalidGrant(errors.INVALID_ASSERTION)
    try:
        header = jwt.get_unverified_header(value)
        unverified = jwt.decode(value, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise InvalidGrant(errors.INVALID_ASSERTION) from None
    # RFC 8725 §3.1: the algorithm is ours to choose, never the token's. alg none, HS256
    # keyed with the certificate's public key and every other algorithm stop here.
    if header.get("alg") != ALGORITHM:
        raise InvalidGrant(errors.INVALID_ASSERTION)
    app = find_app(unverified.get("iss"))
    if app is None or not app.cert_pem:
        raise InvalidGrant(errors.INVALID_ASSERTION)
    try:
        key = certificates.public_key(app.cert_pem)
        claims: dict[str, Any] = jwt.decode(
            value,
            key,
            algorithms=[ALGORITHM],
            # The time and audience claims are checked below, for Salesforce's wording.
            options={
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "verify_aud": False,
                "verify_iss": False,
            },
        )
    except (jwt.PyJWTError, certificates.UnusableCertificate):
        raise InvalidGrant(errors.INVALID_ASSERTION) from None
    if claims.get("iss") != app.client_id:
        raise InvalidGrant(errors.INVALID_ASSERTION)
    if not _audience_is_ours(claims.get("aud")):
        raise InvalidGrant(errors.INVALID_AUDIENCE)
    expires_at = _check_times(claims, app=app, now=now)
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > MAX_CLAIM_LENGTH:
        raise InvalidGrant(errors.INVALID_ASSERTION)
    jti = claims.get("jti")
    if jti is not None and (not isinstance(jti, str) or not jti or len(jti) > MAX_CLAIM_LENGTH):
        raise InvalidGrant(errors.INVALID_ASSERTION)
    return JwtBearer(app=app, subject=subject, claims=claims, expires_at=expires_at)


def _audience_is_ours(audience: object) -> bool:
    # Salesforce: the login URL, which is this org's base URL (a list may hold it).
    if isinstance(audience, str):
        return audience == base_url()
    if isinstance(audience, list):
        return base_url() in audience and all(isinstance(item, str) for item in audience)
    return False


def _numeric_date(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        # A boolean, a string, or NaN (which JSON parsers accept and no comparison rejects).
        raise InvalidGrant(errors.INVALID_ASSERTION)
    try:
        return float(value)
    except OverflowError:  # an integer of hundreds of digits
        return math.inf if value > 0 else -math.inf


def _check_times(claims: dict[str, Any], *, app: ConnectedApp, now: datetime) -> datetime:
    current = now.timestamp()
    skew = CLOCK_SKEW.total_seconds()
    expires = _numeric_date(claims, "exp")
    not_before = _numeric_date(claims, "nbf")
    issued = _numeric_date(claims, "iat")
    if expires is None:
        # RFC 7523 §3 item 4: the JWT MUST contain an exp claim.
        raise InvalidGrant(errors.INVALID_ASSERTION)
    # Salesforce documents "within 3 minutes" but accepts any exp still ahead; RFC 7523 §3 lets
    # a server refuse an unreasonably distant one without requiring it. An org may set a window.
    window = app.org.jwt_bearer_window_seconds
    too_far = window is not None and expires > current + window + skew
    if expires <= current - skew or too_far:
        # Salesforce's words for an exp in the past or too far ahead.
        raise InvalidGrant(errors.EXPIRED_CODE)
    # RFC 7519 §4.1.5-6: not before nbf, and never issued in the future.
    for moment in (not_before, issued):
        if moment is not None and moment > current + skew:
            raise InvalidGrant(errors.INVALID_ASSERTION)
    if expires >= LATEST.timestamp():
        return LATEST
    return datetime.fromtimestamp(expires, tz=UTC)


def approved_user(app: ConnectedApp, username: str) -> tuple[OrgUser, str]:
    """The user an assertion speaks for and the scopes the app holds for them.

    Nobody is asked in these flows, so the person must have said yes before: admin
    pre-authorization or an earlier approval. An unknown or inactive user gets the same
    answer as an unapproved one, so the flow cannot be used to find usernames.
    """
    user = (
        OrgUser.objects.select_related("user", "org")
        .filter(user__username__iexact=username)
        .first()
    )
    if user is None or not user.user.is_active:
        raise InvalidGrant(errors.NOT_APPROVED)
    scopes = approvals.approved_scopes(user, app)
    if scopes is None and app.permitted_users == PermittedUsers.ADMIN_APPROVED:
        # Not pre-authorized (approved_scopes asked, once).
        raise errors.InvalidAppAccess()
    if not scopes:
        raise InvalidGrant(errors.NOT_APPROVED)
    return user, " ".join(scopes)


def spend(kind: str, issuer: str, identifier: str, *, until: datetime) -> bool:
    """Remember an assertion id until it expires; False when it was already spent.

    An INSERT under a unique key: of two requests racing with one assertion, exactly one
    succeeds, on any database.
    """
    now = timezone.now()
    key = digest(f"{kind}|{issuer}|{identifier}")
    SpentAssertion.objects.filter(expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            SpentAssertion.objects.create(key_hash=key, expires_at=until + CLOCK_SKEW)
    except IntegrityError:
        return False
    return True

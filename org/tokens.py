"""Access and refresh tokens: minting, storing (as digests), shaping, finding and revoking.

Tokens that descend from one authorization form a family and are revoked together:
a replayed code (RFC 6749 §4.1.2) or a reused rotated refresh token (RFC 9700 §4.14.2)
revokes the whole family.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from org import keys, statements
from org.identity import base_url, identity_url
from org.models import (
    AccessToken,
    AuthorizationCode,
    ConnectedApp,
    OrgUser,
    RefreshToken,
    RefreshTokenPolicy,
    TokenFamily,
)

# Salesforce keeps at most five refresh tokens per user per app and revokes the oldest.
REFRESH_TOKENS_PER_USER_PER_APP = 5
MAX_TOKEN_LENGTH = 4096


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def password_fingerprint(user: OrgUser) -> str:
    return hashlib.sha256(user.user.password.encode()).hexdigest()[:32]


def new_access_token_value(user: OrgUser) -> str:
    # Shaped like a Salesforce session id: the 15-character org id, "!", random.
    return f"{user.org.org_id[:15]}!AQ{secrets.token_urlsafe(48)}"


def new_refresh_token_value() -> str:
    return "5Aep861" + secrets.token_urlsafe(48)


def hmac_signature(secret: str, identity: str, issued_at: str) -> str:
    """Salesforce's `signature`: Base64(HMAC-SHA256(consumer secret, id + issued_at))."""
    mac = hmac.new(secret.encode(), (identity + issued_at).encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode("ascii")


def jwt_access_token(
    *, app: ConnectedApp, user: OrgUser, scope: str, issued_at: datetime, expires_at: datetime
) -> tuple[str, str]:
    """RFC 9068 JWT access token; returns (token, kid)."""
    key = keys.active_signing_key()
    claims = {
        "iss": base_url(),
        "sub": identity_url(user),
        "aud": base_url(),
        "client_id": app.client_id,
        "scope": scope,
        "iat": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
        "jti": secrets.token_urlsafe(16),
    }
    if app.authenticated_certificate:
        # RFC 8705 §3.1: the token carries the thumbprint of the certificate it is bound to.
        claims["cnf"] = {"x5t#S256": app.authenticated_certificate}
    # RFC 9068 §2.1: typ "at+jwt" keeps an access token from passing as an ID token.
    token = jwt.encode(
        claims, key.private_key, algorithm=keys.ALGORITHM, headers={"kid": key.kid, "typ": "at+jwt"}
    )
    return token, key.kid


@dataclass
class Minted:
    """Fresh token values before they are stored; the strings exist only in the response."""

    access_token: str
    refresh_token: str | None
    scope: str
    issued_at: datetime
    expires_at: datetime
    jwt_kid: str


def mint(*, app: ConnectedApp, user: OrgUser, scope: str, include_refresh_token: bool) -> Minted:
    issued_at = timezone.now()
    expires_at = issued_at + timedelta(minutes=app.session_timeout_minutes)
    kid = ""
    if app.jwt_access_tokens:
        access, kid = jwt_access_token(
            app=app, user=user, scope=scope, issued_at=issued_at, expires_at=expires_at
        )
    else:
        access = new_access_token_value(user)
    return Minted(
        access_token=access,
        refresh_token=new_refresh_token_value() if include_refresh_token else None,
        scope=scope,
        issued_at=issued_at,
        expires_at=expires_at,
        jwt_kid=kid,
    )


# One write transaction: the database's write lock is taken once. Inside a grant's own
# transaction (a code's redemption, a refresh token's rotation) no savepoint is needed:
# any failure here fails the whole grant.
@transaction.atomic(savepoint=False)
def store(
    minted: Minted,
    *,
    app: ConnectedApp,
    user: OrgUser,
    grant_type: str,
    code: AuthorizationCode | None = None,
    parent: RefreshToken | None = None,
    auth_time: datetime | None = None,
    nonce: str = "",
) -> TokenFamily:
    """Store digests of the minted tokens, in the parent's family or a new one."""
    if parent is not None:
        family = parent.family
    else:
        family = TokenFamily(
            app=app,
            user=user,
            grant_type=grant_type,
            code=code,
            scope=minted.scope,
            password_fingerprint=password_fingerprint(user),
            auth_time=auth_time,
            nonce=nonce,
            created_at=minted.issued_at,
        )
        statements.insert(family)
    statements.insert(
        AccessToken(
            token_hash=digest(minted.access_token),
            family=family,
            scope=minted.scope,
            jwt_kid=minted.jwt_kid,
            certificate_thumbprint=app.authenticated_certificate,
            issued_at=minted.issued_at,
            expires_at=minted.expires_at,
        )
    )
    if minted.refresh_token:
        statements.insert(
            RefreshToken(
                token_hash=digest(minted.refresh_token),
                family=family,
                # RFC 6749 §6: a refresh token keeps the scope originally granted.
                scope=family.scope,
                issued_at=minted.issued_at,
                expires_at=_absolute_refresh_expiry(app, family),
            )
        )
        if parent is None:
            _keep_newest_refresh_families(app=app, user=user)
    return family


def _absolute_refresh_expiry(app: ConnectedApp, family: TokenFamily) -> datetime | None:
    if app.refresh_token_policy == RefreshTokenPolicy.EXPIRE_AFTER:
        return family.created_at + timedelta(hours=app.refresh_token_hours)
    return None


def _keep_newest_refresh_families(*, app: ConnectedApp, user: OrgUser) -> None:
    live = (
        TokenFamily.objects.filter(
            app=app,
            user=user,
            revoked_at__isnull=True,
            refresh_tokens__revoked_at__isnull=True,
            refresh_tokens__rotated_at__isnull=True,
        )
        .distinct()
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )
    surplus = list(live[REFRESH_TOKENS_PER_USER_PER_APP:])
    if surplus:
        revoke_families(Q(pk__in=surplus), reason="more than five refresh tokens for this app")


def salesforce_response(
    minted: Minted, *, app: ConnectedApp, user: OrgUser, grant_type: str
) -> dict[str, Any]:
    """The token response in Salesforce's shape, plus `expires_in` for standard clients."""
    identity = identity_url(user)
    issued_at = str(int(minted.issued_at.timestamp() * 1000))
    body: dict[str, Any] = {"access_token": minted.access_token}
    if minted.refresh_token:
        body["refresh_token"] = minted.refresh_token
    secret = app.client_secret
    if secret is not None:
        body["signature"] = hmac_signature(secret, identity, issued_at)
    body.update(
        scope=minted.scope,
        instance_url=base_url(),
        id=identity,
        token_type="Bearer",
        issued_at=issued_at,
        # Not in Salesforce's response (it expects /introspect); RFC 6749 §5.1 RECOMMENDED.
        expires_in=int((minted.expires_at - minted.issued_at).total_seconds()),
    )
    if grant_type == "client_credentials":
        body["api_instance_url"] = base_url()
    return body


def find_by_digest[Row: Model](rows: statements.Lookup[Row], value: str) -> Row | None:
    """The row whose digest (the lookup's `digest`) is that of `value`, a secret a client
    sent; an empty or overlong value finds nothing (and costs no hashing)."""
    if not value or len(value) > MAX_TOKEN_LENGTH:
        return None
    return rows.first(digest=digest(value))


_WITH_FAMILY = ("family__app__org", "family__user__user", "family__user__org")
_ACCESS_TOKENS = statements.Lookup(
    lambda digest: AccessToken.objects.select_related(*_WITH_FAMILY).filter(token_hash=digest),
    "digest",
)
_REFRESH_TOKENS = statements.Lookup(
    lambda digest: RefreshToken.objects.select_related(*_WITH_FAMILY).filter(token_hash=digest),
    "digest",
)


def find_access_token(value: str) -> AccessToken | None:
    return find_by_digest(_ACCESS_TOKENS, value)


def find_refresh_token(value: str) -> RefreshToken | None:
    return find_by_digest(_REFRESH_TOKENS, value)


def refresh_token_expired(token: RefreshToken, *, now: datetime) -> bool:
    app = token.family.app
    if token.expires_at is not None and token.expires_at <= now:
        return True
    if app.refresh_token_policy == RefreshTokenPolicy.EXPIRE_IF_UNUSED:
        last = token.last_used_at or token.issued_at
        return last + timedelta(hours=app.refresh_token_hours) <= now
    return False


def refresh_token_expiry(token: RefreshToken) -> datetime | None:
    app = token.family.app
    if app.refresh_token_policy == RefreshTokenPolicy.EXPIRE_IF_UNUSED:
        return (token.last_used_at or token.issued_at) + timedelta(hours=app.refresh_token_hours)
    return token.expires_at


def refresh_token_usable(token: RefreshToken, *, now: datetime) -> bool:
    return (
        token.revoked_at is None
        and token.rotated_at is None
        and token.family.revoked_at is None
        and not refresh_token_expired(token, now=now)
    )


def retire_refresh_token(token: RefreshToken) -> bool:
    """Mark a rotated refresh token used, once; False when another request got there first."""
    now = timezone.now()
    return (
        RefreshToken.objects.filter(
            pk=token.pk, rotated_at__isnull=True, revoked_at__isnull=True
        ).update(rotated_at=now, last_used_at=now)
        == 1
    )


def touch_refresh_token(token: RefreshToken) -> None:
    RefreshToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())


def revoke_families(condition: Q, *, reason: str) -> int:
    return TokenFamily.objects.filter(condition, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


def revoke_issued_from_code(code: AuthorizationCode) -> int:
    # RFC 6749 §4.1.2: a replayed code SHOULD revoke every token issued from it.
    return revoke_families(Q(code=code), reason="authorization code replayed")


def revoke_family_of(token: RefreshToken, *, reason: str) -> int:
    return revoke_families(Q(pk=token.family_id), reason=reason)


def revoke(value: str, *, client: ConnectedApp | None) -> None:
    """RFC 7009 §2.1: revoke a token the caller holds; another app's token is left alone.

    Revoking a refresh token revokes its family, access tokens included; revoking an
    access token revokes only that token.
    """
    if not value or len(value) > MAX_TOKEN_LENGTH:
        return
    value_digest = digest(value)
    # Each revocation is one conditional UPDATE that finds the token and checks its app.
    callers = Q() if client is None else Q(family__app=client)
    families = RefreshToken.objects.filter(callers, token_hash=value_digest).values("family_id")
    if revoke_families(Q(pk__in=families), reason="refresh token revoked"):
        return
    AccessToken.objects.filter(callers, token_hash=value_digest, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def introspect(value: str, *, client: ConnectedApp) -> dict[str, Any]:
    """RFC 7662 §2.2 in Salesforce's shape; anything not live, or not the caller's, is inactive."""
    now = timezone.now()
    access = find_access_token(value)
    if access is not None:
        # The caller's own tokens only (its app is the family's).
        if access.family.app_id != client.pk or not access_token_active(access, now=now):
            return {"active": False}
        body = _introspection(
            access.family,
            client=client,
            scope=access.scope,
            token_type="access_token",
            issued_at=access.issued_at,
            expires_at=access.expires_at,
        )
        if access.certificate_thumbprint:
            # RFC 8705 §3.2: the certificate the token is bound to.
            body["cnf"] = {"x5t#S256": access.certificate_thumbprint}
        return body
    refresh = find_refresh_token(value)
    if refresh is not None:
        if refresh.family.app_id != client.pk or not refresh_token_usable(refresh, now=now):
            return {"active": False}
        return _introspection(
            refresh.family,
            client=client,
            scope=refresh.scope,
            token_type="refresh_token",
            issued_at=refresh.issued_at,
            expires_at=refresh_token_expiry(refresh),
        )
    return {"active": False}


def _introspection(
    family: TokenFamily,
    *,
    client: ConnectedApp,
    scope: str,
    token_type: str,
    issued_at: datetime,
    expires_at: datetime | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "active": True,
        "scope": scope,
        "client_id": client.client_id,  # the family's app: only the caller's are active
        "username": family.user.username,
        # Salesforce departs from RFC 7662 here: sub is the identity URL and token_type
        # names the kind of token rather than its RFC 6749 type ("Bearer").
        "sub": identity_url(family.user),
        "token_type": token_type,
        "iat": int(issued_at.timestamp()),
        "nbf": int(issued_at.timestamp()),
    }
    if expires_at is not None:
        body["exp"] = int(expires_at.timestamp())
    return body


def access_token_active(token: AccessToken, *, now: datetime) -> bool:
    return (
        token.revoked_at is None
        and token.family.revoked_at is None
        and token.expires_at > now
        and token.family.user.user.is_active
    )

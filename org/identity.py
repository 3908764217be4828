"""Who a token speaks for: the identity URL, userinfo claims and the signed ID token."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import Any

import jwt
from django.conf import settings

from org import keys
from org.models import OrgUser


def base_url() -> str:
    # The issuer and every URL the org hands out: configured, never the Host header
    # (RFC 8414 §3.3, RFC 9700 §4.13).
    return str(settings.HANDSHAKE_BASE_URL)


def identity_url(user: OrgUser) -> str:
    return f"{base_url()}/id/{user.org.org_id}/{user.record_id}"


def _photos() -> dict[str, str]:
    return {
        "picture": f"{base_url()}/static/favicon.svg",
        "thumbnail": f"{base_url()}/static/favicon.svg",
    }


def _urls() -> dict[str, str]:
    rest = f"{base_url()}/services/data/v{{version}}/"
    return {
        "rest": rest,
        "sobjects": rest + "sobjects/",
        "query": rest + "query/",
        "profile": base_url() + "/setup/",
        "custom_domain": base_url(),
    }


def userinfo_claims(user: OrgUser, scope: str) -> dict[str, Any]:
    """OpenID Connect Core §5.3.2, in Salesforce's shape: `sub` is the identity URL."""
    granted = set(scope.split())
    account = user.user
    claims: dict[str, Any] = {
        "sub": identity_url(user),
        "user_id": user.record_id,
        "organization_id": user.org.org_id,
        "preferred_username": user.username,
    }
    if granted & {"profile", "openid", "id", "full"}:
        claims.update(
            nickname=account.get_username().split("@", 1)[0],
            name=user.display_name,
            given_name=account.first_name,
            family_name=account.last_name,
            zoneinfo=user.timezone,
            locale=user.locale,
            photos=_photos(),
            profile=base_url() + "/setup/",
            picture=_photos()["picture"],
            urls=_urls(),
            active=account.is_active,
            user_type="STANDARD",
            language=user.locale,
            utcOffset=0,
        )
    if granted & {"email", "openid", "id", "full"}:
        claims.update(email=account.email, email_verified=True)
    if granted & {"address", "full"}:
        claims["address"] = {"country": "GB" if user.timezone == "Europe/London" else "US"}
    if granted & {"phone", "full"}:
        claims["phone_number"] = None
        claims["phone_number_verified"] = False
    return claims


def identity_document(user: OrgUser) -> dict[str, Any]:
    """The Salesforce identity service's answer for /id/<org>/<user>."""
    account = user.user
    return {
        "id": identity_url(user),
        "asserted_user": True,
        "user_id": user.record_id,
        "organization_id": user.org.org_id,
        "username": user.username,
        "nick_name": account.get_username().split("@", 1)[0],
        "display_name": user.display_name,
        "email": account.email,
        "email_verified": True,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "timezone": user.timezone,
        "photos": _photos(),
        "urls": _urls(),
        "active": account.is_active,
        "user_type": "STANDARD",
        "language": user.locale,
        "locale": user.locale,
        "utcOffset": 0,
    }


def half_hash(value: str) -> str:
    """OpenID Connect Core §3.1.3.6 at_hash: left half of SHA-256, base64url, unpadded."""
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


def id_token(
    *,
    client_id: str,
    user: OrgUser,
    scope: str,
    issued_at: datetime,
    auth_time: datetime | None,
    nonce: str,
    access_token: str | None,
) -> str:
    """OpenID Connect Core §2: an RS256 JWT signed with the org's active key."""
    key = keys.active_signing_key()
    now = int(issued_at.timestamp())
    claims: dict[str, Any] = {
        "iss": base_url(),
        "sub": identity_url(user),
        "aud": client_id,
        "exp": now + int(keys.ID_TOKEN_LIFETIME.total_seconds()),
        "iat": now,
    }
    if auth_time is not None:
        claims["auth_time"] = int(auth_time.timestamp())
    if nonce:
        claims["nonce"] = nonce
    if access_token:
        claims["at_hash"] = half_hash(access_token)
    profile = userinfo_claims(user, scope)
    for name in (
        "preferred_username",
        "name",
        "given_name",
        "family_name",
        "email",
        "email_verified",
        "zoneinfo",
        "locale",
        "user_id",
        "organization_id",
    ):
        if name in profile:
            claims[name] = profile[name]
    return jwt.encode(claims, key.private_key, algorithm=keys.ALGORITHM, headers={"kid": key.kid})

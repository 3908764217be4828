"""Authorization codes: issued once, redeemed once, kept as a tombstone afterwards.

RFC 6749 §4.1.2: a code is short-lived and single-use. Redemption is a conditional UPDATE,
so of two requests racing with the same code exactly one wins, on any database.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.utils import timezone

from org import statements
from org.models import AuthorizationCode, ConnectedApp, OrgUser
from org.tokens import digest, find_by_digest

# RFC 6749 §4.1.2 recommends at most ten minutes (Salesforce allows fifteen).
CODE_LIFETIME = timedelta(minutes=10)


def new_code_value() -> str:
    # 288 bits from the CSPRNG (RFC 6749 §10.10 asks for at least 128).
    return "aPrx" + secrets.token_urlsafe(36)


def issue_code(
    value: str,
    *,
    app: ConnectedApp,
    user: OrgUser,
    redirect_uri: str,
    scope: str,
    nonce: str,
    code_challenge: str,
    code_challenge_method: str,
    auth_time: datetime,
) -> AuthorizationCode:
    now = timezone.now()
    return AuthorizationCode.objects.create(
        code_hash=digest(value),
        app=app,
        user=user,
        redirect_uri=redirect_uri,
        scope=scope,
        nonce=nonce,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
        auth_time=auth_time,
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )


_CODES = statements.Lookup(
    lambda digest: AuthorizationCode.objects.select_related(
        "app__org", "user__user", "user__org"
    ).filter(code_hash=digest),
    "digest",
)


def find_code(value: str) -> AuthorizationCode | None:
    return find_by_digest(_CODES, value)


def redeem_code(code: AuthorizationCode) -> bool:
    """Mark the code used; True for exactly one caller, however many race."""
    return (
        AuthorizationCode.objects.filter(pk=code.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        == 1
    )

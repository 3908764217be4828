"""Signing in to the org: password checks through Django's authenticate(), a lock-out for
password guessing, and the org's sign-in state in the browser session.

The org keeps its own keys in the session rather than logging into Django's auth, so
signing in as another demo user never flushes the rest of the visitor's session.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import authenticate
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from org import throttles
from org.models import OrgUser

# RFC 6819 §4.4.3.6 / §5.1.4.2.3: lock a (username, address) pair after repeated failures.
# Generous enough for a training room behind one NAT address, where everyone signs in as
# the same demo users.
MAX_FAILURES = 10
WINDOW = timedelta(minutes=10)
LOCKOUT = timedelta(minutes=10)
PASSWORD_LIMIT = throttles.Limit(failures=MAX_FAILURES, window=WINDOW, lockout=LOCKOUT)
MAX_FIELD_LENGTH = 256

_SESSION_USER = "org_user"
_SESSION_AUTH_TIME = "org_auth_time"
_SESSION_FRESH = "org_fresh_sign_in"

# Salesforce security tokens are appended to the password; ours are 16 to 32 characters.
_SECURITY_TOKEN_LENGTHS = range(16, 33)


@dataclass(frozen=True)
class SignInAttempt:
    user: OrgUser | None
    locked: bool
    # Seconds until a lock-out ends, for Retry-After; 0 when not locked.
    retry_after: int = 0


def check_password(username: str, password: str, *, address: str) -> SignInAttempt:
    """The org user these credentials belong to; the same answer for every kind of failure."""
    if not username or not password or len(username) > MAX_FIELD_LENGTH:
        return SignInAttempt(user=None, locked=False)
    if len(password) > MAX_FIELD_LENGTH or "\x00" in username + password:
        return SignInAttempt(user=None, locked=False)
    key = throttles.key_of(username.strip().lower(), address)
    now = timezone.now()
    until = throttles.locked_until(key, now=now)
    if until is not None:
        return SignInAttempt(
            user=None, locked=True, retry_after=throttles.retry_after(until, now=now)
        )
    user = _authenticate(username, password)
    if user is None:
        if throttles.record_failure(key, PASSWORD_LIMIT, now=now).locked:
            return SignInAttempt(
                user=None, locked=True, retry_after=throttles.retry_after(now + LOCKOUT, now=now)
            )
        return SignInAttempt(user=None, locked=False)
    throttles.clear(key)
    return SignInAttempt(user=user, locked=False)


def _authenticate(username: str, password: str) -> OrgUser | None:
    account: AbstractBaseUser | None = authenticate(username=username, password=password)
    if account is None:
        account = _authenticate_with_security_token(username, password)
    if account is None or not getattr(account, "is_active", False):
        return None
    return OrgUser.objects.select_related("user", "org").filter(user__pk=account.pk).first()


def _authenticate_with_security_token(username: str, password: str) -> AbstractBaseUser | None:
    profile = OrgUser.objects.filter(user__username__iexact=username).first()
    if profile is None or not profile.security_token_hash:
        return None
    for length in _SECURITY_TOKEN_LENGTHS:
        if len(password) <= length:
            break
        suffix = password[-length:]
        if hashlib.sha256(suffix.encode()).hexdigest() == profile.security_token_hash:
            return authenticate(username=username, password=password[:-length])
    return None


def sign_in(session: SessionBase, user: OrgUser, *, for_authorization: bool) -> None:
    # A new session key on sign-in defeats session fixation (ASVS 7.2.4).
    session.cycle_key()
    session[_SESSION_USER] = user.pk
    session[_SESSION_AUTH_TIME] = timezone.now().isoformat()
    if for_authorization:
        session[_SESSION_FRESH] = True
    else:
        session.pop(_SESSION_FRESH, None)


def sign_out(session: SessionBase) -> None:
    for key in (_SESSION_USER, _SESSION_AUTH_TIME, _SESSION_FRESH):
        session.pop(key, None)
    session.cycle_key()


def signed_in_user(session: SessionBase) -> OrgUser | None:
    pk = session.get(_SESSION_USER)
    if not isinstance(pk, int):
        return None
    user = OrgUser.objects.select_related("user", "org").filter(pk=pk).first()
    if user is None or not user.user.is_active:
        return None
    return user


def auth_time(session: SessionBase) -> datetime | None:
    raw = session.get(_SESSION_AUTH_TIME)
    if not isinstance(raw, str):
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return None


def take_fresh_sign_in(session: SessionBase) -> bool:
    """True once after each sign-in: how prompt=login knows the person just signed in."""
    return bool(session.pop(_SESSION_FRESH, False))

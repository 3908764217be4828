"""Device authorizations: the device flow of RFC 8628 and Salesforce's variant of it.

A device asks for two codes: a long device code it keeps and polls with, and a short
user code a person types at /setup/connect on another screen, signed in as themselves.
Everything lives in the database, so any process may answer any poll. Each change of
state is a conditional UPDATE: a person decides once, and a device code is exchanged for
tokens once, however many requests race (authlib's DeviceCodeGrant never consumes it).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from org import approvals, statements, throttles
from org.identity import base_url
from org.models import ConnectedApp, DeviceAuthorization, OrgUser
from org.scopes import Scope, describe
from org.tokens import digest, find_by_digest

# RFC 8628 §6.1: consonants only, so no look-alike characters (0/O, 1/I) and no words;
# 20^8 codes, and guessing is throttled below.
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
USER_CODE_LENGTH = 8
LIFETIME = timedelta(minutes=10)
INTERVAL = 5
# RFC 8628 §3.5: after slow_down the interval grows by 5 seconds for every later poll.
SLOW_DOWN_STEP = 5
# RFC 8628 §5.1: wrong user codes are limited per browser session and per address. The
# address limit is high because a training room of 200 shares one address behind NAT
# (catalogue H1/H3): 500 guesses against 20^8 codes with, say, 200 pending leaves about
# a 1 in 250 000 chance per ten minutes, and each session is still held to 10.
SESSION_LIMIT = throttles.Limit(
    failures=10, window=timedelta(minutes=10), lockout=timedelta(minutes=10)
)
ADDRESS_LIMIT = throttles.Limit(
    failures=500, window=timedelta(minutes=10), lockout=timedelta(minutes=10)
)


@dataclass(frozen=True)
class Started:
    device_code: str
    user_code: str
    expires_in: int
    interval: int


def verification_uri() -> str:
    return base_url() + reverse("org:device_verification")


def new_device_code() -> str:
    # 288 bits from the CSPRNG, like authorization codes (RFC 8628 §5.2).
    return secrets.token_urlsafe(36)


def new_user_code() -> str:
    return "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(USER_CODE_LENGTH))


def display(user_code: str) -> str:
    """XXXX-XXXX: easier to read aloud and to copy (RFC 8628 §6.1)."""
    half = USER_CODE_LENGTH // 2
    return f"{user_code[:half]}-{user_code[half:]}"


def normalise(typed: str) -> str | None:
    """The user code as stored, from what a person typed: any case, with or without the
    dash or spaces; None when it cannot be a user code at all."""
    code = "".join(ch for ch in typed.upper() if ch not in "- \t")
    if len(code) != USER_CODE_LENGTH or any(ch not in USER_CODE_ALPHABET for ch in code):
        return None
    return code


def start(*, app: ConnectedApp, scope: str) -> Started:
    now = timezone.now()
    # Long-expired rows are only tombstones; clear them so the table stays small.
    DeviceAuthorization.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
    for _attempt in range(5):
        device_code, user_code = new_device_code(), new_user_code()
        try:
            with transaction.atomic():
                DeviceAuthorization.objects.create(
                    device_code_hash=digest(device_code),
                    user_code_hash=digest(user_code),
                    app=app,
                    scope=scope,
                    created_at=now,
                    expires_at=now + LIFETIME,
                    interval=INTERVAL,
                )
        except IntegrityError:
            # The user code is already taken (1 in 25 billion); draw again.
            continue
        return Started(
            device_code=device_code,
            user_code=display(user_code),
            expires_in=int(LIFETIME.total_seconds()),
            interval=INTERVAL,
        )
    raise RuntimeError("could not allocate a user code")


def response_body(started: Started) -> dict[str, Any]:
    """RFC 8628 §3.2, for both shapes: Salesforce's fields plus the two it is not seen to
    send (expires_in, verification_uri_complete)."""
    uri = verification_uri()
    return {
        "device_code": started.device_code,
        "user_code": started.user_code,
        "verification_uri": uri,
        "verification_uri_complete": f"{uri}?user_code={started.user_code}",
        "expires_in": started.expires_in,
        "interval": started.interval,
    }


_DEVICE_CODES = statements.Lookup(
    lambda digest: DeviceAuthorization.objects.select_related(
        "app__org", "user__user", "user__org"
    ).filter(device_code_hash=digest),
    "digest",
)


def find(device_code: str) -> DeviceAuthorization | None:
    return find_by_digest(_DEVICE_CODES, device_code)


@dataclass(frozen=True)
class LookUp:
    device: DeviceAuthorization | None
    throttled: bool


def look_up(typed: str, *, session_key: str, address: str) -> LookUp:
    """The pending authorization a person's user code names, counting wrong guesses.

    An unknown, expired, decided or exchanged code is one answer, "not valid", and one
    failure: the page must not tell an attacker which codes exist.
    """
    keys = (throttles.key_of("device", "session", session_key), throttles.key_of("device", address))
    now = timezone.now()
    if any(throttles.is_locked(key, now=now) for key in keys):
        return LookUp(device=None, throttled=True)
    code = normalise(typed)
    device = (
        DeviceAuthorization.objects.select_related("app__org")
        .filter(
            user_code_hash=digest(code),
            approved__isnull=True,
            redeemed_at__isnull=True,
            expires_at__gt=now,
        )
        .first()
        if code
        else None
    )
    if device is not None:
        return LookUp(device=device, throttled=False)
    locked = [
        throttles.record_failure(key, limit, now=now).locked
        for key, limit in zip(keys, (SESSION_LIMIT, ADDRESS_LIMIT), strict=True)
    ]
    return LookUp(device=None, throttled=any(locked))


def decide(
    device: DeviceAuthorization, *, user: OrgUser, approved: bool, auth_time: datetime | None
) -> bool:
    """Record the person's answer, once; False if it was answered or expired meanwhile."""
    now = timezone.now()
    with transaction.atomic():
        decided = (
            DeviceAuthorization.objects.filter(
                pk=device.pk, approved__isnull=True, expires_at__gt=now
            ).update(approved=approved, user=user, decided_at=now, auth_time=auth_time or now)
            == 1
        )
        if decided and approved:
            approvals.record_approval(user, device.app, device.scope)
    return decided


@dataclass(frozen=True)
class CodeNeeded:
    """Nothing typed yet, or a code that names no pending device (said as "not valid")."""

    invalid: bool = False


@dataclass(frozen=True)
class TooManyGuesses:
    """RFC 8628 §5.1: this session or address typed too many wrong codes."""


@dataclass(frozen=True)
class ConfirmationNeeded:
    """The device found, for the person to allow or deny."""

    device: DeviceAuthorization
    user_code: str
    scopes: list[Scope]
    permitted: bool
    # Allow was pressed, but the app does not permit this person (invalid_app_access).
    refused: bool = False


@dataclass(frozen=True)
class Decided:
    device: DeviceAuthorization
    allowed: bool


Verification = CodeNeeded | TooManyGuesses | ConfirmationNeeded | Decided


def verify(
    typed: str,
    *,
    user: OrgUser,
    session_key: str,
    address: str,
    approved: bool | None,
    auth_time: datetime | None,
) -> Verification:
    """RFC 8628 §3.3: the signed-in person's typed code looked up, shown for confirmation,
    and their answer (`approved`, None until they press Allow or Deny) recorded once."""
    if not typed.strip():
        return CodeNeeded()
    found = look_up(typed, session_key=session_key, address=address)
    if found.throttled:
        return TooManyGuesses()
    if found.device is None:
        return CodeNeeded(invalid=True)
    device = found.device
    confirmation = ConfirmationNeeded(
        device=device,
        user_code=display(normalise(typed) or ""),
        scopes=describe(device.scope),
        permitted=device.app.user_is_permitted(user),
    )
    if approved is None:
        return confirmation
    if approved and not confirmation.permitted:
        return replace(confirmation, refused=True)
    if not decide(device, user=user, approved=approved, auth_time=auth_time):
        return CodeNeeded(invalid=True)
    return Decided(device=device, allowed=approved)


def note_poll(device: DeviceAuthorization, *, now: datetime) -> bool:
    """Record a poll while the person has not answered; False when it came too soon
    (RFC 8628 §3.5), in which case the interval grows for this and every later poll."""
    on_time = (
        DeviceAuthorization.objects.filter(pk=device.pk)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .update(next_poll_at=now + timedelta(seconds=device.interval))
    )
    if on_time:
        return True
    DeviceAuthorization.objects.filter(pk=device.pk).update(
        interval=F("interval") + SLOW_DOWN_STEP,
        next_poll_at=now + timedelta(seconds=device.interval + SLOW_DOWN_STEP),
    )
    return False


def redeem(device: DeviceAuthorization) -> bool:
    """Mark an approved device code exchanged; True for exactly one caller."""
    return (
        DeviceAuthorization.objects.filter(
            pk=device.pk, approved=True, redeemed_at__isnull=True
        ).update(redeemed_at=timezone.now())
        == 1
    )

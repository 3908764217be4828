"""Expired artefacts: which rows the org no longer needs, deleted in short batches.

Codes, tokens, device authorizations, spent assertion ids and throttle counters pile up
with every flow (RFC 6819 §4.4.1.11: code and token exhaustion). A row goes only once
nothing can depend on it: a day after it expired or was revoked, so a client that asks
about a just-expired token, or a replay of a just-used code, still meets its row. What a
live grant may still need stays however old it is: a used code's tombstone while tokens
issued from it live (a replay revokes them, RFC 6749 §4.1.2) and rotated refresh tokens
while their family lives (reuse revokes the family, RFC 9700 §4.14.2).

Refresh tokens that expire only when unused are kept until revoked or replaced: Salesforce's
five per user per app bounds them. Signing keys are not purged here: the JWKS keeps a
retired key until its tokens expire (keys.published_keys).

Practice apps, the connected apps visitors make in Setup and the playground, go
PRACTICE_APP_RETENTION after they were made, with everything issued to them. Other rooms
add their own rules through the HANDSHAKE_PURGE_RULES setting (the playground's runs and
servers), so the org never needs to know them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import Combinable
from django.utils import timezone
from django.utils.module_loading import import_string

from org.models import (
    AccessToken,
    ApiUsage,
    AuthorizationCode,
    ConnectedApp,
    DeviceAuthorization,
    LoginThrottle,
    QueryCursor,
    RefreshToken,
    SpentAssertion,
    TokenFamily,
)

RETENTION = timedelta(days=1)
PRACTICE_APP_RETENTION = timedelta(days=30)
# Rows per transaction: each batch holds the write lock for a moment, so sign-ins and token
# requests from other processes go on between batches.
BATCH_SIZE = 5000


@dataclass(frozen=True)
class Purged:
    artefact: str
    rows: int
    batches: int
    # Rows of other tables deleted with them (a family's tokens), by table.
    with_them: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Rule:
    """Which rows of `model` may go: the rows matching `condition`."""

    artefact: str
    model: type[models.Model]
    # A Q, or a Q combined with Exists (which Django types as a Combinable).
    condition: Q | Combinable


def _rules(now: datetime) -> list[Rule]:
    cutoff = now - RETENTION
    usable_refresh = RefreshToken.objects.filter(
        family=OuterRef("pk"), revoked_at__isnull=True, rotated_at__isnull=True
    )
    any_access = AccessToken.objects.filter(family=OuterRef("pk"))
    live_family = TokenFamily.objects.filter(code=OuterRef("pk"), revoked_at__isnull=True)
    # Order matters: tokens first, so that families left with no usable token go in the
    # same run, and families before the codes they point at.
    return [
        Rule("access tokens", AccessToken, Q(expires_at__lte=cutoff)),
        Rule(
            "refresh tokens",
            RefreshToken,
            Q(expires_at__lte=cutoff)
            | Q(revoked_at__lte=cutoff)
            | Q(family__revoked_at__lte=cutoff),
        ),
        Rule(
            "token families",
            TokenFamily,
            Q(revoked_at__lte=cutoff)
            | (Q(created_at__lte=cutoff) & ~Exists(any_access) & ~Exists(usable_refresh)),
        ),
        Rule(
            "authorization codes",
            AuthorizationCode,
            Q(expires_at__lte=cutoff) & ~Exists(live_family),
        ),
        Rule("device authorizations", DeviceAuthorization, Q(expires_at__lte=cutoff)),
        # The row's expiry already allows for clock skew; past it the assertion's own exp
        # refuses it.
        Rule("spent assertion ids", SpentAssertion, Q(expires_at__lte=now)),
        # Every throttle window is far shorter than a day; an old, unlocked counter would be
        # reset on its next failure anyway.
        Rule(
            "throttle counters",
            LoginThrottle,
            Q(window_started_at__lte=cutoff)
            & (Q(locked_until__isnull=True) | Q(locked_until__lte=now)),
        ),
        # A cursor's expiry is already 15 minutes past its last read (Salesforce's lifetime).
        Rule("query cursors", QueryCursor, Q(expires_at__lte=now)),
        # DailyApiRequests counts today only; yesterday's row is kept for a late look.
        Rule("API usage counters", ApiUsage, Q(day__lt=cutoff.date())),
        # Apps the org itself or an admin made (no visitor owns them) stay.
        Rule(
            "practice apps",
            ConnectedApp,
            ~Q(owner="") & Q(created_at__lte=now - PRACTICE_APP_RETENTION),
        ),
        *(rule for name in settings.HANDSHAKE_PURGE_RULES for rule in import_string(name)(now)),
    ]


def purge_expired(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> Iterator[Purged]:
    """Delete every expired artefact, one rule at a time; yields what each rule deleted.

    Running it again deletes nothing more until more rows expire.
    """
    now = now or timezone.now()
    for rule in _rules(now):
        yield _purge(rule, batch_size=batch_size)


def _purge(rule: Rule, *, batch_size: int) -> Purged:
    rows = batches = 0
    with_them: dict[str, int] = {}
    # No lower bound to start with: some tables have text keys, and "-x" sorts below "0".
    after: Q = Q()
    label = rule.model._meta.label
    while True:
        # Walk the table in primary key order, so each batch starts where the last one
        # stopped instead of scanning the kept rows again.
        with transaction.atomic():
            pks = list(
                rule.model._default_manager.filter(rule.condition, after)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not pks:
                break
            _, deleted = rule.model._default_manager.filter(rule.condition, pk__in=pks).delete()
        batches += 1
        after = Q(pk__gt=pks[-1])
        for table, count in deleted.items():
            if table == label:
                rows += count
            else:
                with_them[table] = with_them.get(table, 0) + count
    return Purged(
        artefact=rule.artefact,
        rows=rows,
        batches=batches,
        with_them=tuple(sorted(with_them.items())),
    )

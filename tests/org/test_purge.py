"""Catalogue row H7: `purge_expired` deletes expired artefacts in batches and keeps every
row a live grant still needs."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from org import keys
from org.models import (
    AccessToken,
    AuthorizationCode,
    ConnectedApp,
    DeviceAuthorization,
    LoginThrottle,
    OrgUser,
    RefreshToken,
    SpentAssertion,
    TokenFamily,
)
from org.purge import BATCH_SIZE
from org.tokens import digest
from tests.org.conftest import ADA

DEAD_FAMILIES = 5000
EXPIRED_ACCESS_IN_LIVE_FAMILY = 3000
EXPIRED_CODES = 2000
EXPIRED_OTHERS = 1500


def purge(*args: str) -> list[str]:
    out = StringIO()
    call_command("purge_expired", *args, stdout=out)
    return out.getvalue().splitlines()


def refresh(oauth, app, token: str):
    return oauth.token(app, grant_type="refresh_token", refresh_token=token)


def test_h7_purge_deletes_expired_rows_in_batches_and_keeps_what_live_grants_need(oauth):
    """About 24 000 rows, not the catalogue's 1 M: inserting and deleting a million rows
    takes minutes on the shared 2-core machine, and what the row is about shows at this
    size already — the largest table needs two batches of 5 000, each its own transaction,
    and the live rows among the expired ones survive. `--batch-size` runs the same shape at
    any scale against a copy of a real database."""
    now = timezone.now()
    long_ago, two_days_ago = now - timedelta(days=30), now - timedelta(days=2)
    app = oauth.app(grants=["authorization_code", "refresh_token", "client_credentials"])
    # A live grant from a month ago: its first refresh token was rotated, its current one
    # still works, its code is the tombstone a replay would trip over.
    first = oauth.tokens(app)
    current = refresh(oauth, app, first["refresh_token"]).json()
    live = TokenFamily.objects.get()
    TokenFamily.objects.filter(pk=live.pk).update(created_at=long_ago)
    AuthorizationCode.objects.update(created_at=long_ago, expires_at=long_ago)
    RefreshToken.objects.update(issued_at=long_ago)
    RefreshToken.objects.filter(rotated_at__isnull=False).update(rotated_at=long_ago)
    AccessToken.objects.filter(token_hash=digest(first["access_token"])).update(expires_at=long_ago)
    live_access = AccessToken.objects.get(token_hash=digest(current["access_token"]))
    ada = OrgUser.objects.get(user__username=ADA)
    # A key retired today stays in the JWKS: not the purge's business.
    keys.rotate_signing_key()

    dead = TokenFamily.objects.bulk_create(
        TokenFamily(
            app=live.app,
            user=ada,
            grant_type="authorization_code",
            scope="api",
            created_at=two_days_ago - timedelta(hours=1),
            revoked_at=two_days_ago,
        )
        for _ in range(DEAD_FAMILIES)
    )
    AccessToken.objects.bulk_create(
        [
            AccessToken(token_hash=f"dead-{n}", family=family, scope="api", expires_at=two_days_ago)
            for n, family in enumerate(dead)
        ]
        + [
            AccessToken(token_hash=f"old-{n}", family=live, scope="api", expires_at=two_days_ago)
            for n in range(EXPIRED_ACCESS_IN_LIVE_FAMILY)
        ]
    )
    RefreshToken.objects.bulk_create(
        RefreshToken(token_hash=f"dead-{n}", family=family, scope="api")
        for n, family in enumerate(dead)
    )
    # Revoked an hour ago: kept for a day, so a client asking about it still finds it.
    recent = TokenFamily.objects.create(
        app=live.app, user=ada, grant_type="password", scope="api", revoked_at=now
    )
    AccessToken.objects.create(
        token_hash="recent", family=recent, scope="api", expires_at=now + timedelta(hours=1)
    )
    AuthorizationCode.objects.bulk_create(
        AuthorizationCode(
            code_hash=f"code-{n}",
            app=live.app,
            user=ada,
            redirect_uri="https://client.example/cb",
            scope="api",
            auth_time=two_days_ago,
            expires_at=two_days_ago,
            used_at=two_days_ago if n % 2 else None,
        )
        for n in range(EXPIRED_CODES)
    )
    DeviceAuthorization.objects.bulk_create(
        DeviceAuthorization(
            device_code_hash=f"device-{n}",
            user_code_hash=f"user-{n}",
            app=live.app,
            scope="api",
            expires_at=two_days_ago if n else now + timedelta(minutes=5),
        )
        for n in range(EXPIRED_OTHERS + 1)
    )
    SpentAssertion.objects.bulk_create(
        SpentAssertion(key_hash=f"jti-{n}", expires_at=two_days_ago if n else now + timedelta(1))
        for n in range(EXPIRED_OTHERS + 1)
    )
    LoginThrottle.objects.bulk_create(
        [
            LoginThrottle(key_hash=f"stale-{n}", failures=3, window_started_at=two_days_ago)
            for n in range(EXPIRED_OTHERS)
        ]
        + [
            LoginThrottle(
                key_hash="locked",
                failures=10,
                window_started_at=two_days_ago,
                locked_until=now + timedelta(minutes=5),
            ),
            LoginThrottle(key_hash="counting", failures=2, window_started_at=now),
        ]
    )

    report = purge()
    again = purge()

    expired_access = DEAD_FAMILIES + EXPIRED_ACCESS_IN_LIVE_FAMILY + 1
    assert report == [
        f"access tokens: {expired_access} deleted in 2 batches",
        f"refresh tokens: {DEAD_FAMILIES} deleted in 1 batch",
        f"token families: {DEAD_FAMILIES} deleted in 1 batch",
        f"authorization codes: {EXPIRED_CODES} deleted in 1 batch",
        f"device authorizations: {EXPIRED_OTHERS} deleted in 1 batch",
        f"spent assertion ids: {EXPIRED_OTHERS} deleted in 1 batch",
        f"throttle counters: {EXPIRED_OTHERS} deleted in 1 batch",
        "query cursors: 0 deleted in 0 batches",
        "API usage counters: 0 deleted in 0 batches",
        "practice apps: 0 deleted in 0 batches",
        "playground runs: 0 deleted in 0 batches",
        "handshake lab runs: 0 deleted in 0 batches",
        "event lab runs: 0 deleted in 0 batches",
        "external servers: 0 deleted in 0 batches",
        "Bulk API jobs: 0 deleted in 0 batches",
        "expired events: 0 deleted in 0 batches",
        "expired streaming clients: 0 deleted in 0 batches",
    ]
    assert expired_access > BATCH_SIZE
    assert all(line.endswith(": 0 deleted in 0 batches") for line in again), again
    assert set(TokenFamily.objects.values_list("pk", flat=True)) == {live.pk, recent.pk}
    assert set(AccessToken.objects.values_list("token_hash", flat=True)) == {
        live_access.token_hash,
        "recent",
    }
    assert RefreshToken.objects.filter(family=live).count() == 2
    assert AuthorizationCode.objects.get().pk == live.code_id
    assert DeviceAuthorization.objects.count() == 1
    assert SpentAssertion.objects.count() == 1
    assert set(LoginThrottle.objects.values_list("key_hash", flat=True)) == {"locked", "counting"}
    assert len(oauth.client.get("/id/keys").json()["keys"]) == 2
    # The live grant still works, and its rotated refresh token still gives a thief away.
    assert oauth.introspect(app, current["access_token"])["active"] is True
    assert refresh(oauth, app, current["refresh_token"]).status_code == 200
    replay = refresh(oauth, app, first["refresh_token"])
    assert replay.status_code == 400
    assert TokenFamily.objects.get(pk=live.pk).revoked_at is not None


def test_h7_a_family_whose_tokens_all_expired_goes_with_its_code(oauth):
    app = oauth.app(grants=["authorization_code"], scopes=["api"])
    oauth.tokens(app)
    long_ago = timezone.now() - timedelta(days=3)
    TokenFamily.objects.update(created_at=long_ago)
    AccessToken.objects.update(expires_at=long_ago)
    AuthorizationCode.objects.update(expires_at=long_ago)

    report = purge()

    assert report[:4] == [
        "access tokens: 1 deleted in 1 batch",
        "refresh tokens: 0 deleted in 0 batches",
        "token families: 1 deleted in 1 batch",
        "authorization codes: 1 deleted in 1 batch",
    ]
    assert not ConnectedApp.objects.get(client_id=app.client_id).families.exists()


def test_h7_small_batches_take_more_transactions_for_the_same_rows(oauth):
    SpentAssertion.objects.bulk_create(
        SpentAssertion(key_hash=f"jti-{n}", expires_at=timezone.now() - timedelta(days=2))
        for n in range(25)
    )

    assert "spent assertion ids: 25 deleted in 3 batches" in purge("--batch-size", "10")


def test_h7_batch_size_must_be_positive(db):
    with pytest.raises(CommandError, match="at least 1"):
        purge("--batch-size", "0")

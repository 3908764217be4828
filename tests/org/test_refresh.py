from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from org.connected_apps import update_connected_app
from org.models import RefreshToken, TokenFamily
from tests.org.conftest import ADA

SCOPE = "api refresh_token openid"


def _refresh(oauth, app, refresh_token, **form):
    return oauth.token(app, grant_type="refresh_token", refresh_token=refresh_token, **form)


def test_refresh_with_rotation_returns_a_new_refresh_token_and_id_token(oauth):
    app = oauth.app()
    first = oauth.tokens(app, scope=SCOPE)

    response = _refresh(oauth, app, first["refresh_token"])

    body = response.json()
    assert response.status_code == 200
    assert body["refresh_token"] != first["refresh_token"]
    assert body["access_token"] != first["access_token"]
    assert "id_token" in body
    assert response.headers["Cache-Control"] == "no-store"


def test_refresh_without_rotation_leaves_refresh_token_out_like_salesforce(oauth):
    app = oauth.app(rotate_refresh_tokens=False)
    first = oauth.tokens(app, scope=SCOPE)

    once = _refresh(oauth, app, first["refresh_token"])
    twice = _refresh(oauth, app, first["refresh_token"])

    assert once.status_code == 200
    assert "refresh_token" not in once.json()
    assert twice.status_code == 200


def test_no_refresh_token_without_the_refresh_token_scope(oauth):
    app = oauth.app()

    body = oauth.tokens(app, scope="api openid")

    assert "refresh_token" not in body


def test_offline_access_also_earns_a_refresh_token(oauth):
    app = oauth.app(scopes=["api", "offline_access"])

    body = oauth.tokens(app, scope="api offline_access")

    assert "refresh_token" in body


def test_c1_reusing_a_rotated_refresh_token_revokes_the_whole_family(oauth):
    app = oauth.app()
    first = oauth.tokens(app, scope=SCOPE)
    second = _refresh(oauth, app, first["refresh_token"]).json()

    reused = _refresh(oauth, app, first["refresh_token"])

    assert reused.status_code == 400
    assert reused.json() == {
        "error": "invalid_grant",
        "error_description": "expired access/refresh token",
    }
    for token in (
        second["refresh_token"],
        second["access_token"],
        first["access_token"],
    ):
        assert oauth.introspect(app, token) == {"active": False}
    assert _refresh(oauth, app, second["refresh_token"]).status_code == 400
    assert TokenFamily.objects.get().revoked_reason == "rotated refresh token reused"


def test_c2_another_app_cannot_use_a_refresh_token(oauth):
    app_a = oauth.app(name="A")
    app_b = oauth.app(name="B")
    tokens = oauth.tokens(app_a, scope=SCOPE)

    response = _refresh(oauth, app_b, tokens["refresh_token"])

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert _refresh(oauth, app_a, tokens["refresh_token"]).status_code == 200


def test_c3_refresh_cannot_widen_the_scope(oauth):
    app = oauth.app(scopes=["api", "refresh_token", "openid", "web"])
    tokens = oauth.tokens(app, scope=SCOPE)

    response = _refresh(oauth, app, tokens["refresh_token"], scope="api web")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_c3_refresh_may_narrow_the_scope_and_the_refresh_token_keeps_the_original(oauth):
    app = oauth.app()
    tokens = oauth.tokens(app, scope=SCOPE)

    narrowed = _refresh(oauth, app, tokens["refresh_token"], scope="api").json()

    assert narrowed["scope"] == "api"
    assert "id_token" not in narrowed
    assert oauth.introspect(app, narrowed["refresh_token"])["scope"] == SCOPE


def test_c4_refresh_token_past_its_absolute_expiry_is_refused(oauth):
    app = oauth.app()
    update_connected_app(
        app.client_id, owner="tests", refresh_token_policy="expire_after", refresh_token_hours=1
    )
    tokens = oauth.tokens(app, scope=SCOPE)
    RefreshToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = _refresh(oauth, app, tokens["refresh_token"])

    assert response.status_code == 400
    assert response.json()["error_description"] == "expired access/refresh token"


def test_c4_refresh_token_unused_for_too_long_is_refused(oauth):
    app = oauth.app()
    update_connected_app(
        app.client_id, owner="tests", refresh_token_policy="expire_if_unused", refresh_token_hours=2
    )
    tokens = oauth.tokens(app, scope=SCOPE)
    RefreshToken.objects.update(issued_at=timezone.now() - timedelta(hours=3))

    response = _refresh(oauth, app, tokens["refresh_token"])

    assert response.status_code == 400


@pytest.mark.parametrize("change", ["deactivate", "password"])
def test_c4_refresh_after_the_user_is_disabled_or_changes_password_fails(oauth, change):
    app = oauth.app()
    tokens = oauth.tokens(app, scope=SCOPE)
    user = get_user_model().objects.get(username=ADA)
    if change == "deactivate":
        user.is_active = False
    else:
        user.set_password("a-new-password")
    user.save()

    response = _refresh(oauth, app, tokens["refresh_token"])

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "authentication failure",
    }


def test_refresh_without_the_secret_works_only_where_the_app_allows_it(oauth):
    app = oauth.app()
    tokens = oauth.tokens(app, scope=SCOPE)
    form = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": app.client_id,
    }

    refused = oauth.post("/services/oauth2/token", form)
    update_connected_app(app.client_id, owner="tests", require_secret_refresh=False)
    allowed = oauth.post("/services/oauth2/token", form)

    assert refused.status_code == 401
    assert allowed.status_code == 200


def test_only_five_refresh_tokens_per_user_and_app_stay_valid(oauth):
    app = oauth.app()
    issued = [oauth.tokens(app, scope=SCOPE)["refresh_token"] for _ in range(6)]

    assert oauth.introspect(app, issued[0]) == {"active": False}
    assert all(oauth.introspect(app, token)["active"] for token in issued[1:])


def test_refresh_tokens_are_stored_only_as_digests(oauth):
    app = oauth.app()
    tokens = oauth.tokens(app, scope=SCOPE)

    stored = str(list(RefreshToken.objects.values()))

    assert tokens["refresh_token"] not in stored

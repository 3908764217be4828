from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from org.connected_apps import (
    InvalidSetting,
    NotYourApp,
    apps_owned_by,
    create_connected_app,
    update_connected_app,
)
from org.models import ConnectedApp
from org.visitors import visitor_id

NEW_APP = {
    "name": "Expense Tracker",
    "redirect_uris": "https://expenses.example/callback\nhttp://127.0.0.1:8765/cb",
    "grants": ["authorization_code", "refresh_token"],
    "scopes": ["api", "refresh_token", "openid"],
    "rotate_refresh_tokens": "on",
}


def _create(client, **changes):
    return client.post("/setup/", {**NEW_APP, **changes})


def test_setup_page_explains_every_setting(client, org):
    response = client.get("/setup/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Callback URLs" in page
    assert "Require PKCE" in page
    assert "Run-as user" in page
    assert "ada@handshake.example" in page
    assert response.headers["Cache-Control"] == "no-store"


def test_creating_an_app_shows_its_consumer_key_and_secret(client, org):
    response = _create(client)

    app = ConnectedApp.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/setup/apps/{app.client_id}/"
    page = client.get(response.headers["Location"]).content.decode()
    assert app.client_id.startswith("3MVG9")
    assert app.client_id in page
    assert app.client_secret in page
    assert app.redirect_uris == ["https://expenses.example/callback", "http://127.0.0.1:8765/cb"]


def test_each_browser_sees_only_its_own_apps(client, org):
    _create(client)
    app = ConnectedApp.objects.get()
    stranger = Client()

    listing = stranger.get("/setup/")
    detail = stranger.get(f"/setup/apps/{app.client_id}/")
    edit = stranger.post(f"/setup/apps/{app.client_id}/", {**NEW_APP, "name": "Hijacked"})
    delete = stranger.post(f"/setup/apps/{app.client_id}/delete/")

    assert app.client_id not in listing.content.decode()
    assert detail.status_code == 404
    assert edit.status_code == 404
    assert delete.status_code == 404
    app.refresh_from_db()
    assert app.name == "Expense Tracker"


@pytest.mark.parametrize(
    "uri",
    [
        "http://client.example/cb",
        "https://client.example/cb#fragment",
        "https://*.example/cb",
        "javascript:alert(1)",
        "/relative",
        "https://user@client.example/cb",
    ],
)
def test_a5_unsafe_callback_urls_are_refused_with_a_form_error(client, org, uri):
    response = _create(client, redirect_uris=uri)

    assert response.status_code == 400
    assert not ConnectedApp.objects.exists()
    assert b"errorlist" in response.content


def test_a5_custom_app_schemes_are_allowed(org):
    issued = create_connected_app(name="Mobile", redirect_uris=["com.example.app:/oauth2redirect"])

    assert ConnectedApp.objects.get(client_id=issued.client_id).redirect_uris == [
        "com.example.app:/oauth2redirect"
    ]


def test_editing_settings_changes_the_app(client, org):
    _create(client)
    app = ConnectedApp.objects.get()
    form = {
        **NEW_APP,
        "require_pkce": "on",
        "refresh_token_policy": "expire_if_unused",
        "refresh_token_hours": "12",
        "session_timeout_minutes": "30",
        "permitted_users": "admin_approved",
        "pre_authorize": ["grace@handshake.example"],
        "run_as": "ada@handshake.example",
    }

    response = client.post(f"/setup/apps/{app.client_id}/", form)

    app.refresh_from_db()
    assert response.status_code == 302
    assert app.require_pkce is True
    assert app.require_secret_web_server is False
    assert app.refresh_token_policy == "expire_if_unused"
    assert app.session_timeout_minutes == 30
    assert app.permitted_users == "admin_approved"
    assert [user.username for user in app.pre_authorized.all()] == ["grace@handshake.example"]
    assert app.run_as is not None
    assert app.run_as.username == "ada@handshake.example"


def test_deleting_an_app(client, org):
    _create(client)
    app = ConnectedApp.objects.get()

    response = client.post(f"/setup/apps/{app.client_id}/delete/")

    assert response.status_code == 302
    assert not ConnectedApp.objects.exists()


def test_visitor_id_is_stable_per_session():
    session = SessionStore()

    first = visitor_id(session)
    second = visitor_id(session)

    assert first == second
    assert len(first) >= 22


def test_update_of_someone_elses_app_is_a_clear_error(org):
    issued = create_connected_app(
        name="Mine", owner="visitor-a", redirect_uris=["https://a.example/cb"]
    )

    with pytest.raises(NotYourApp, match="belongs to you"):
        update_connected_app(issued.client_id, owner="visitor-b", name="Theirs")


def test_update_refuses_unknown_settings_and_a_change_of_type(org):
    issued = create_connected_app(name="Mine", owner="v", redirect_uris=["https://a.example/cb"])

    with pytest.raises(InvalidSetting):
        update_connected_app(issued.client_id, owner="v", colour="blue")
    with pytest.raises(InvalidSetting):
        update_connected_app(issued.client_id, owner="v", public=True)


def test_public_apps_must_use_pkce_and_cannot_use_confidential_flows(org):
    issued = create_connected_app(name="SPA", public=True, redirect_uris=["https://spa.example/cb"])

    assert issued.client_secret is None
    assert ConnectedApp.objects.get(client_id=issued.client_id).require_pkce is True
    with pytest.raises(InvalidSetting, match="client_credentials"):
        create_connected_app(name="Bad", public=True, grants=["client_credentials"])


def test_redirecting_flows_need_a_callback_url(org):
    with pytest.raises(InvalidSetting, match="callback"):
        create_connected_app(name="No callback")


def test_apps_are_listed_newest_first_per_owner(org):
    first = create_connected_app(name="One", owner="v", redirect_uris=["https://a.example/cb"])
    second = create_connected_app(name="Two", owner="v", redirect_uris=["https://a.example/cb"])
    create_connected_app(name="Other", owner="w", redirect_uris=["https://a.example/cb"])

    assert [app.client_id for app in apps_owned_by("v")] == [second.client_id, first.client_id]


def test_consumer_secret_is_sealed_at_rest(org):
    issued = create_connected_app(name="Sealed", redirect_uris=["https://a.example/cb"])

    row = ConnectedApp.objects.values().get(client_id=issued.client_id)

    assert issued.client_secret is not None
    assert issued.client_secret not in str(row)

from __future__ import annotations

from django.urls import path, re_path

from config.org_paths import route
from org import views
from org.bulk import urls as bulk_urls
from org.events import views as event_views
from org.rest import urls as rest_urls
from org.streaming import views as streaming_views
from org.tls import views as tls_views

app_name = "org"

# Salesforce's paths, so what works here works against a real org.
urlpatterns = [
    path(route("authorization"), views.authorize, name="authorize"),
    path(route("token"), views.token, name="token"),
    path(route("device_authorization"), views.device_authorization, name="device_authorization"),
    path(route("revocation"), views.revoke, name="revoke"),
    path(route("introspection"), views.introspect, name="introspect"),
    path(route("userinfo"), views.userinfo, name="userinfo"),
    path(route("jwks"), views.jwks, name="jwks"),
    path("id/<str:org_id>/<str:user_id>", views.identity_service, name="identity_service"),
    path(route("discovery"), views.openid_configuration, name="openid_configuration"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("setup/", views.setup, name="setup"),
    path("setup/apps/<str:client_id>/", views.setup_app, name="setup_app"),
    path("setup/apps/<str:client_id>/delete/", views.delete_app, name="delete_app"),
    path("setup/tls/", tls_views.setup_tls, name="setup_tls"),
    path("setup/events/", event_views.setup_events, name="setup_events"),
    path(
        "setup/events/retention/",
        event_views.setup_event_retention,
        name="setup_event_retention",
    ),
    path(
        "setup/events/change-data-capture/",
        event_views.setup_change_capture,
        name="setup_change_capture",
    ),
    path("setup/tls/ca.pem", tls_views.ca_certificate, name="tls_ca_certificate"),
    path(
        "setup/apps/<str:client_id>/certificate/",
        views.setup_certificate,
        name="setup_certificate",
    ),
    # A person's own list of the apps they let in (Salesforce: Personal Settings, "OAuth
    # Connected Apps"), each with a Revoke button.
    path("setup/approvals/", views.approved_apps, name="approved_apps"),
    path(
        "setup/approvals/<str:client_id>/revoke/",
        views.revoke_approved_app,
        name="revoke_approved_app",
    ),
    # Salesforce's device verification page (RFC 8628 §3.3 verification_uri).
    path("setup/connect", views.device_verification, name="device_verification"),
    # The streaming API (CometD): /cometd/NN.N; without a version it answers Salesforce's 400.
    re_path(r"^cometd(?:/(?P<version>.*?))?/?$", streaming_views.cometd, name="cometd"),
    # Bulk API 2.0, then the REST API, last: its catch-all answers any other /services/data/
    # path in JSON.
    *bulk_urls.urlpatterns,
    *rest_urls.urlpatterns,
]

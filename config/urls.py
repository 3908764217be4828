from __future__ import annotations

from django.urls import include, path

from config import views

urlpatterns = [
    path("", views.home, name="home"),
    path("baseline/", views.baseline, name="baseline"),
    # Browsers ask for /favicon.ico on pages that name no icon (downloads, JSON, plain text).
    path("favicon.ico", views.favicon),
    path("advisor/", include("advisor.urls")),
    path("playground/", include("playground.urls")),
    # The simulated org serves Salesforce's own paths, from the site root.
    path("", include("org.urls")),
]

handler500 = "config.views.server_error"

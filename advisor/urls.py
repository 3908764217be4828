from __future__ import annotations

from django.urls import path

from advisor import views

app_name = "advisor"

urlpatterns = [
    path("", views.wizard, name="wizard"),
]

from __future__ import annotations

from django.urls import path

from advisor import views

app_name = "advisor"

urlpatterns = [
    path("", views.wizard, name="wizard"),
    path("diagram.svg", views.diagram, name="diagram"),
    path("decision-record.md", views.adr_markdown, name="adr_markdown"),
    path("decision-record.zip", views.adr_zip, name="adr_zip"),
    path("recommendation.json", views.recommendation_json, name="recommendation_json"),
    path("scenarios/", views.scenarios, name="scenarios"),
    path("compare/", views.compare, name="compare"),
]

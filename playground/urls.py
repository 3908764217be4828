from __future__ import annotations

from django.urls import path

from playground import views

app_name = "playground"

urlpatterns = [
    path("", views.flow_list, name="flow_list"),
    path("flows/<slug:slug>/", views.flow_detail, name="flow_detail"),
    path("flows/<slug:slug>/runs/", views.start_flow_run, name="start_flow_run"),
    path("runs/<slug:run_id>/", views.run_detail, name="run_detail"),
    path("runs/<slug:run_id>/steps/<slug:step>/", views.run_step, name="run_step"),
    path("callback/", views.callback, name="callback"),
    path("inspect/", views.inspect_token, name="inspect_token"),
]

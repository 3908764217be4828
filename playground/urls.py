from __future__ import annotations

from django.urls import path

from playground import clearing, room, views
from playground.labs.events import views as event_lab
from playground.labs.tls import views as tls_lab

app_name = "playground"

urlpatterns = [
    path("", views.flow_list, name="flow_list"),
    path("flows/<slug:slug>/", views.flow_detail, name="flow_detail"),
    path("flows/<slug:slug>/runs/", views.start_flow_run, name="start_flow_run"),
    path("runs/<slug:run_id>/", views.run_detail, name="run_detail"),
    path("runs/<slug:run_id>/steps/<slug:step>/", views.run_step, name="run_step"),
    path("runs/<slug:run_id>/steps/<slug:step>/again/", views.retry_step, name="retry_step"),
    path("runs/<slug:run_id>/export/", views.export_run, name="export_run"),
    path("runs/<slug:run_id>/share/", views.share_run, name="share_run"),
    path("runs/<slug:run_id>/unshare/", views.stop_sharing_run, name="stop_sharing_run"),
    path("shared/<slug:share_id>/", views.shared_run, name="shared_run"),
    path("shared/<slug:share_id>/live/", views.shared_run_live, name="shared_run_live"),
    path("shared/<slug:share_id>/export/", views.export_shared_run, name="export_shared_run"),
    path("servers/", views.server_list, name="server_list"),
    path("servers/<slug:server_id>/", views.server_detail, name="server_detail"),
    path(
        "servers/<slug:server_id>/flows/<slug:slug>/runs/",
        views.start_server_run,
        name="start_server_run",
    ),
    path("servers/<slug:server_id>/forget/", views.forget_server, name="forget_server"),
    path("my-data/", clearing.clear_my_data, name="clear_my_data"),
    path("room/", room.room, name="room"),
    path("callback/", views.callback, name="callback"),
    path("inspect/", views.inspect_token, name="inspect_token"),
    path("differences/", views.differences, name="differences"),
    path("tls/", tls_lab.tls_lab, name="tls_lab"),
    path("tls/runs/", tls_lab.start_tls_lab, name="start_tls_lab"),
    path("tls/runs/<slug:run_id>/", tls_lab.tls_lab_run, name="tls_lab_run"),
    # Before the handshake faults' pattern, which would otherwise take this path.
    path(
        "tls/runs/<slug:run_id>/faults/stolen-token/",
        tls_lab.steal_tls_token,
        name="steal_tls_token",
    ),
    path(
        "tls/runs/<slug:run_id>/faults/<slug:fault>/",
        tls_lab.break_tls_lab,
        name="break_tls_lab",
    ),
    path("tls/runs/<slug:run_id>/bound-token/", tls_lab.bound_tls_token, name="bound_tls_token"),
    path("events/", event_lab.event_lab, name="event_lab"),
    path("events/runs/", event_lab.start_event_lab, name="start_event_lab"),
    path("events/runs/<slug:run_id>/", event_lab.event_lab_run, name="event_lab_run"),
    path(
        "events/runs/<slug:run_id>/actions/<slug:slug>/",
        event_lab.event_lab_action,
        name="event_lab_action",
    ),
    path("events/runs/<slug:run_id>/export/", event_lab.export_event_lab, name="export_event_lab"),
]

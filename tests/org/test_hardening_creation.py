"""Catalogue row I8: creating apps, runs and servers is throttled per visitor and per address
(a room of 200 behind one address still works), and `purge_expired` retires what visitors
made once its retention has passed."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from org.connected_apps import create_connected_app
from org.creation_limits import APPS, RUNS, SERVERS, count_creation
from org.models import ConnectedApp
from org.purge import PRACTICE_APP_RETENTION
from playground.models import ExternalServer, FlowRun
from playground.purge import RUN_RETENTION, SERVER_RETENTION, SHARED_RUN_RETENTION
from tests.org.test_setup import NEW_APP

ROOM = 200


def _start_run(client: Client):
    return client.post(reverse("playground:start_flow_run", args=["client-credentials"]))


def test_i8_a_visitor_creating_apps_in_a_burst_is_stopped_at_the_limit(client, org):
    answers = [client.post("/setup/", {**NEW_APP, "name": f"App {n}"}) for n in range(61)]

    assert [a.status_code for a in answers[: APPS.per_visitor]] == [302] * APPS.per_visitor
    refused = answers[APPS.per_visitor :]
    assert {a.status_code for a in refused} == {429}
    assert 1 <= int(refused[0]["Retry-After"]) <= 600
    assert "Too many connected apps in a short time" in refused[0].content.decode()
    assert ConnectedApp.objects.exclude(owner="").count() == APPS.per_visitor


def test_i8_a_visitor_starting_runs_in_a_burst_is_stopped_at_the_limit(client, org):
    answers = [_start_run(client) for _ in range(RUNS.per_visitor + 1)]

    assert {a.status_code for a in answers[:-1]} == {303}
    assert answers[-1].status_code == 429
    assert FlowRun.objects.count() == RUNS.per_visitor
    # Other visitors on the same address go on.
    assert _start_run(Client()).status_code == 303


def test_i8_a_room_of_200_behind_one_address_still_works(org):
    for trainee in range(ROOM):
        for _ in range(3):
            assert count_creation(RUNS, visitor=f"trainee-{trainee}", address="room") is None

    latecomer = Client(REMOTE_ADDR="127.0.0.1")
    assert _start_run(latecomer).status_code == 303


def test_i8_a_script_that_drops_its_cookies_is_stopped_per_address(org):
    for n in range(SERVERS.per_address):
        assert count_creation(SERVERS, visitor=f"fresh-{n}", address="127.0.0.1") is None

    refused = Client().post(
        reverse("playground:server_list"),
        {"issuer": "https://login.example", "client_id": "x", "client_auth": "client_secret_basic"},
    )

    assert refused.status_code == 429
    assert "Too many external servers" in refused.content.decode()
    assert ExternalServer.objects.count() == 0


# Retention -------------------------------------------------------------------------------


def _purge() -> list[str]:
    out = StringIO()
    call_command("purge_expired", stdout=out)
    return out.getvalue().splitlines()


def _aged(rows, by: timedelta, field: str) -> None:
    # update() bypasses auto_now, as time passing would.
    rows.update(**{field: timezone.now() - by})


def test_i8_old_practice_apps_runs_share_links_and_servers_are_purged(client, org):
    owner_app = create_connected_app(
        name="Made by an admin", redirect_uris=["https://admin.example/cb"]
    )
    for _ in range(4):
        _start_run(client)
    runs = list(FlowRun.objects.order_by("pk"))
    fresh, old, shared_recent, shared_old = runs
    for n, run in enumerate((shared_recent, shared_old)):
        FlowRun.objects.filter(pk=run.pk).update(share_id=f"share-{n}")
    day = timedelta(days=1)
    _aged(FlowRun.objects.filter(pk=old.pk), RUN_RETENTION + day, "updated")
    _aged(FlowRun.objects.filter(pk=shared_recent.pk), RUN_RETENTION + day, "updated")
    _aged(FlowRun.objects.filter(pk=shared_old.pk), SHARED_RUN_RETENTION + day, "updated")
    practice = ConnectedApp.objects.exclude(owner="")
    _aged(practice, PRACTICE_APP_RETENTION + day, "created_at")
    _aged(ConnectedApp.objects.filter(client_id=owner_app.client_id), 400 * day, "created_at")
    idle = ExternalServer.objects.create(owner="v", issuer="https://idp.example", client_id="a")
    used = ExternalServer.objects.create(owner="v", issuer="https://idp.example", client_id="b")
    _aged(ExternalServer.objects.all(), SERVER_RETENTION + day, "created")
    FlowRun.objects.create(
        owner="v", flow="external-device", base_url="x", client_id="b", server=used
    )

    lines = _purge()

    assert set(FlowRun.objects.filter(server__isnull=True).values_list("pk", flat=True)) == {
        fresh.pk,
        shared_recent.pk,
    }
    assert "practice apps: 1 deleted in 1 batch" in lines
    assert ConnectedApp.objects.filter(client_id=owner_app.client_id).exists()
    assert "playground runs: 2 deleted in 1 batch" in lines
    assert list(ExternalServer.objects.values_list("pk", flat=True)) == [used.pk]
    assert not ExternalServer.objects.filter(pk=idle.pk).exists()
    assert "playground runs: 0 deleted in 0 batches" in _purge()


def test_i8_the_pages_say_how_long_things_are_kept(client, org):
    _start_run(client)
    run = FlowRun.objects.get()

    run_page = client.get(reverse("playground:run_detail", args=[run.id])).content.decode()
    setup_page = client.get("/setup/").content.decode()
    servers_page = client.get(reverse("playground:server_list")).content.decode()

    assert f"kept for {RUN_RETENTION.days} days after its last step" in run_page
    assert f"its link for {SHARED_RUN_RETENTION.days} days" in run_page
    assert f"deleted {PRACTICE_APP_RETENTION.days} days after you made it" in setup_page
    assert f"for {SERVER_RETENTION.days} days" in servers_page

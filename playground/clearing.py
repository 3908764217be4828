""" "Clear my practice data": a visitor deletes everything their browser made here, after a
confirmation page. Seeded demo data and other visitors' data are never touched."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from config.http import forms_post_back, redirect_to
from org.models import ConnectedApp, Record
from org.visitors import visitor_id
from playground.models import ExternalServer, FlowRun, TlsLabRun


@dataclass(frozen=True)
class PracticeData:
    apps: int
    runs: int
    share_links: int
    lab_runs: int
    servers: int
    records: int

    @property
    def empty(self) -> bool:
        return not any((self.apps, self.runs, self.lab_runs, self.servers, self.records))


def practice_data_of(owner: str) -> PracticeData:
    runs = FlowRun.objects.filter(owner=owner)
    return PracticeData(
        apps=ConnectedApp.objects.filter(owner=owner).count(),
        runs=runs.count(),
        share_links=runs.filter(share_id__isnull=False).count(),
        lab_runs=TlsLabRun.objects.filter(owner=owner).count(),
        servers=ExternalServer.objects.filter(owner=owner).count(),
        records=Record.objects.filter(space=owner).count(),
    )


def clear_practice_data(owner: str) -> None:
    """Delete the visitor's apps (their tokens go with them), runs and share links, handshake
    lab runs, external servers and the records their apps wrote."""
    if not owner:
        # "" is the org's main data space and the owner of the seeded apps: never a visitor.
        return
    with transaction.atomic():
        FlowRun.objects.filter(owner=owner).delete()
        TlsLabRun.objects.filter(owner=owner).delete()
        ExternalServer.objects.filter(owner=owner).delete()
        ConnectedApp.objects.filter(owner=owner).delete()
        Record.objects.filter(space=owner).delete()


@require_http_methods(["GET", "POST"])
@forms_post_back
def clear_my_data(request: HttpRequest) -> HttpResponse:
    owner = visitor_id(request.session)
    if request.method == "POST":
        clear_practice_data(owner)
        messages.success(request, "Your practice apps, runs and share links are deleted.")
        return redirect_to(reverse("playground:clear_my_data"))
    context = {"data": practice_data_of(owner)}
    return render(request, "playground/clear_my_data.html", context)

"""'Clear my practice data': a confirmation page, then one POST deletes this visitor's apps,
runs and share links, and nobody else's."""

from __future__ import annotations

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse

from org.models import ConnectedApp, Record
from playground.models import FlowRun
from tests.playground.conftest import run_step, start_run

pytestmark = pytest.mark.django_db

CLEAR = reverse("playground:clear_my_data")


def _visitor_with_a_shared_run() -> tuple[Client, FlowRun]:
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("playground:flow_list"))
    run = start_run(_with_csrf(client), "client-credentials")
    run_step(_with_csrf(client), run, "token")
    _with_csrf(client).post(reverse("playground:share_run", args=[run.id]))
    run.refresh_from_db()
    assert run.share_id
    return client, run


class _with_csrf:  # noqa: N801 - reads as a verb at the call sites
    """The visitor's client, posting the CSRF token its cookie holds, as the page's forms do."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def post(self, path, data=None, **kwargs):
        data = dict(data or {})
        data["csrfmiddlewaretoken"] = self.client.cookies["csrftoken"].value
        return self.client.post(path, data, **kwargs)


def _confirm_form(client: Client) -> dict[str, str]:
    page = client.get(CLEAR)
    assert page.status_code == 200
    forms = lxml.html.fromstring(page.content).xpath(f"//form[@action='{CLEAR}']")
    assert len(forms) == 1
    return {field.name: field.value for field in forms[0].inputs if field.name}


def test_the_confirmation_page_says_what_goes_and_deletes_nothing(org):
    client, run = _visitor_with_a_shared_run()

    page = client.get(CLEAR).content.decode()

    assert "1 run of the flows, and 1 share link" in page
    assert "Delete my practice data" in page
    assert FlowRun.objects.filter(pk=run.pk).exists()


def test_confirming_deletes_my_apps_runs_and_share_links_and_nobody_elses(org):
    mine, my_run = _visitor_with_a_shared_run()
    theirs, their_run = _visitor_with_a_shared_run()
    my_owner = my_run.owner
    seeded_apps = ConnectedApp.objects.filter(owner="").count()
    seeded_records = Record.objects.filter(space="").count()
    # As a practice app's API call would have written it, into this visitor's data space.
    Record.objects.create(
        org=org, space=my_owner, sobject="Account", record_id="001PRACTICE0000001"
    )
    assert ConnectedApp.objects.filter(owner=my_owner).exists()

    cleared = mine.post(CLEAR, _confirm_form(mine))

    assert cleared.status_code == 303
    assert not FlowRun.objects.filter(owner=my_owner).exists()
    assert not ConnectedApp.objects.filter(owner=my_owner).exists()
    assert not Record.objects.filter(space=my_owner).exists()
    assert Record.objects.filter(space="").count() == seeded_records
    assert mine.get(reverse("playground:shared_run", args=[my_run.share_id])).status_code == 404
    assert mine.get(reverse("playground:run_detail", args=[my_run.id])).status_code == 404
    assert "nothing stored here" in mine.get(CLEAR).content.decode()
    shared = theirs.get(reverse("playground:shared_run", args=[their_run.share_id]))
    assert shared.status_code == 200
    assert ConnectedApp.objects.filter(owner=their_run.owner).exists()
    assert ConnectedApp.objects.filter(owner="").count() == seeded_apps


def test_clearing_without_the_csrf_token_is_refused_and_keeps_everything(org):
    client, run = _visitor_with_a_shared_run()
    fields = _confirm_form(client)
    del fields["csrfmiddlewaretoken"]

    refused = client.post(CLEAR, fields)

    assert refused.status_code == 403
    assert FlowRun.objects.filter(pk=run.pk).exists()

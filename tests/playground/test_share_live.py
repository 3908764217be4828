"""The live follow-along share page: its transcript is polled, answered 204 until the run
moves on, then re-rendered from the database, secrets still hidden."""

from __future__ import annotations

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse

from tests.playground.conftest import run_step, start_run

pytestmark = pytest.mark.django_db


def _shared_run(trainer: Client):
    run = start_run(trainer, "client-credentials")
    trainer.post(reverse("playground:share_run", args=[run.id]))
    run.refresh_from_db()
    assert run.share_id
    return run


def _poll_url(page: bytes) -> str:
    (transcript,) = lxml.html.fromstring(page).xpath("//*[@id='transcript']")
    assert transcript.get("hx-trigger", "").startswith("every ")
    return str(transcript.get("hx-get"))


def test_the_share_page_polls_and_gets_nothing_new_until_a_step_runs(client, org):
    run = _shared_run(client)
    attendee = Client()
    page = attendee.get(reverse("playground:shared_run", args=[run.share_id]))

    quiet = attendee.get(_poll_url(page.content))
    run_step(client, run, "token")
    moved_on = attendee.get(_poll_url(page.content))

    assert "Nothing has been sent in this run yet." in page.content.decode()
    assert quiet.status_code == 204
    assert moved_on.status_code == 200
    fragment = moved_on.content.decode()
    assert "Ask for a token with the client ID and secret" in fragment
    assert "&lt;access_token&gt;" in fragment
    # The run page's overview diagram, the token step now drawn as done.
    done = lxml.html.fromstring(moved_on.content).xpath(
        "//*[contains(@class, 'lanes__row--done')]/span[@class='lanes__number']/text()"
    )
    assert set(done) == {"1"}
    run.refresh_from_db()
    assert run.client_secret not in fragment
    assert run.values["access_token"] not in fragment
    assert run.id not in fragment
    # The next poll asks from the new version: quiet again until the next step.
    assert attendee.get(_poll_url(moved_on.content)).status_code == 204


def test_polling_a_withdrawn_link_stops_the_polling(client, org):
    run = _shared_run(client)
    poll = _poll_url(Client().get(reverse("playground:shared_run", args=[run.share_id])).content)
    client.post(reverse("playground:stop_sharing_run", args=[run.id]))

    stopped = Client().get(poll)

    assert stopped.status_code == 286
    assert "stopped sharing" in stopped.content.decode()

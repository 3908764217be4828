"""A refusal is its own outcome: Deny gets its own diagram, explanation and a "Try again"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.playground.conftest import result, run_step, start_run, through_callback

pytestmark = pytest.mark.django_db


def callback_card(client, run):
    body = client.get(reverse("playground:run_detail", args=[run.id])).content.decode()
    return body.split('id="step-callback"', 1)[1].split('id="step-token"', 1)[0]


def test_deny_is_drawn_and_explained_as_a_refusal_not_as_a_code(client, org):
    run = start_run(client, "web-server")
    run_step(client, run, "authorize")

    through_callback(client, run, decision="deny")

    card = callback_card(client, run)
    assert "You chose Deny" in result(run, "callback").headline
    assert "302 to the callback with error=access_denied" in card
    assert "302 to the callback with code" not in card
    assert "Deny on the consent page is the person&#x27;s answer" in card
    assert "Nothing was issued" in card
    assert "Try again" in card


def test_try_again_after_deny_reaches_the_token_with_the_same_request(client, org):
    run = start_run(client, "web-server")
    run_step(client, run, "authorize")
    through_callback(client, run, decision="deny")

    response = client.post(reverse("playground:retry_step", args=[run.id, "callback"]))
    card = callback_card(client, run)
    through_callback(client, run)
    run_step(client, run, "token")

    assert response.status_code == 303
    assert "Go to the org's sign-in page" in card
    assert result(run, "callback").outcome == "ok"
    assert result(run, "token").outcome == "ok"


def test_only_the_step_a_run_stopped_at_can_be_tried_again(client, org):
    run = start_run(client, "client-credentials")
    run_step(client, run, "token")
    run.refresh_from_db()
    steps = list(run.steps)

    client.post(reverse("playground:retry_step", args=[run.id, "token"]))
    client.post(reverse("playground:retry_step", args=[run.id, "no-such-step"]))

    run.refresh_from_db()
    assert run.steps == steps

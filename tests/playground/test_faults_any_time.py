"""Every fault of every step stays on offer once the step has run, sent from the state it had."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from playground.cards import card_for
from playground.run_context import flow_of
from tests.playground.conftest import (
    at_token_step,
    result,
    run_step,
    start_run,
    through_callback,
    tried,
    try_fault,
)

pytestmark = pytest.mark.django_db


def offered(run, slug):
    run.refresh_from_db()
    flow = flow_of(run)
    assert flow is not None
    card = card_for(run, flow, slug)
    assert card is not None
    return {fault.slug for fault in card.faults}


def every_fault(run, slug):
    flow = flow_of(run)
    assert flow is not None
    step = flow.step(slug)
    assert step is not None
    return {fault.slug for fault in step.faults}


def test_a_finished_step_still_offers_every_one_of_its_faults(client, org):
    run = at_token_step(client, "saml-bearer")
    run_step(client, run, "token")
    run_step(client, run, "call-api")

    assert result(run, "token").outcome == "ok"
    assert result(run, "call-api").outcome == "ok"
    assert len(every_fault(run, "token")) > 1
    assert offered(run, "token") == every_fault(run, "token")
    assert offered(run, "call-api") == every_fault(run, "call-api")


def test_a_fault_sent_after_the_rest_call_is_refused_by_the_org(client, org):
    run = start_run(client, "client-credentials")
    run_step(client, run, "token")
    run_step(client, run, "call-api")

    try_fault(client, run, "token", "wrong-client-secret")
    try_fault(client, run, "call-api", "token-in-url")

    token_attempt, api_attempt = tried(run, "token")[-1], tried(run, "call-api")[-1]
    assert token_attempt.result.exchanges[0].status == 401
    assert token_attempt.result.exchanges[0].json_body()["error"] == "invalid_client"
    assert "access_token=" in api_attempt.result.exchanges[0].url
    assert token_attempt.refused
    assert api_attempt.refused


def test_a_fault_on_a_finished_step_is_built_from_the_values_that_step_had(client, org):
    run = start_run(client, "refresh-token")
    run_step(client, run, "authorize")
    through_callback(client, run)
    run_step(client, run, "token")
    run.refresh_from_db()
    first = run.values["refresh_token"]
    run_step(client, run, "refresh")
    run.refresh_from_db()
    assert run.values["refresh_token"] != first
    remembered = dict(run.values)

    try_fault(client, run, "refresh", "wrong-client-secret")

    sent = tried(run, "refresh")[-1].result.exchanges[0]
    assert parse_qs(sent.request_body)["refresh_token"] == [first]
    assert sent.status == 401
    run.refresh_from_db()
    assert run.values == remembered  # the fault changed nothing the run remembers


def test_the_run_page_offers_the_first_steps_faults_at_the_end_of_the_run(client, org):
    run = start_run(client, "client-credentials")
    for step in ("token", "call-api", "introspect"):
        run_step(client, run, step)

    body = client.get(reverse("playground:run_detail", args=[run.id])).content.decode()

    token_card = body.split('id="step-token"', 1)[1].split('id="step-call-api"', 1)[0]
    assert "Now break it" in token_card
    assert '<option value="wrong-client-secret">Wrong client secret</option>' in token_card

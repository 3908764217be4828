"""The advisor's hand-off on the run page: a run started from a design shows what the advisor
said about its flow for that design, and the way back to it, as the flow page does."""

from __future__ import annotations

from html import unescape

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse

from tests.playground.conftest import start_run
from tests.playground.test_handoff import NIGHTLY, RECORD

pytestmark = pytest.mark.django_db


def run_page(client, run):
    return client.get(reverse("playground:run_detail", args=[run.id])).content


def test_a_run_started_from_a_design_shows_the_advisors_reasons_and_the_way_back(client, org):
    run = start_run(client, "jwt-bearer", design=f"{NIGHTLY}&{RECORD}")

    page = run_page(client, run)

    (block,) = lxml.html.fromstring(page).find_class("design-handoff")
    text = " ".join(block.text_content().split())
    assert "From your design: Nightly reports" in text
    assert "The advisor graded JWT bearer flow Best for this design." in text
    assert "Given that no person is present." in text
    back = f'href="/advisor/?{NIGHTLY}&{RECORD}">Back to your design in the advisor</a>'
    assert back in unescape(page.decode())


def test_a_run_without_a_design_and_a_run_of_another_flow_show_no_hand_off(client, org):
    start_run(client, "jwt-bearer", design=NIGHTLY)
    other_flow = start_run(client, "client-credentials")
    visitor = Client()
    no_design = start_run(visitor, "jwt-bearer")

    assert b"From your design" not in run_page(client, other_flow)
    assert b"From your design" not in run_page(visitor, no_design)

from __future__ import annotations

from html import unescape
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from advisor.scenarios import SCENARIO_BY_ID
from tests.playground.conftest import start_run

NIGHTLY = SCENARIO_BY_ID["nightly-report-service"].to_query()
RECORD = "record-title=Nightly+reports&record-status=accepted"


def flow_page(client, slug, design=None):
    url = reverse("playground:flow_detail", args=[slug])
    if design is not None:
        url += "?" + urlencode({"design": design})
    return unescape(client.get(url).content.decode())


@pytest.mark.django_db
def test_a_flow_page_shows_the_reasons_the_design_gave_for_it(client):
    body = flow_page(client, "jwt-bearer", f"{NIGHTLY}&{RECORD}")

    assert "From your design: Nightly reports</h2>" in body
    assert "The advisor graded JWT bearer flow <strong>Best</strong> for this design." in body
    assert "Given that no person is present." in body
    back = f'href="/advisor/?{NIGHTLY}&{RECORD}">Back to your design in the advisor</a>'
    assert back in body
    assert f'href="/advisor/?{NIGHTLY}&{RECORD}">Check the fit with the advisor</a>' in body
    assert f'name="design" value="{NIGHTLY}&{RECORD}"' in body


@pytest.mark.django_db
def test_a_flow_the_design_did_not_pick_says_what_it_chose(client):
    body = flow_page(client, "username-password", NIGHTLY)

    assert "The advisor graded Username-password flow <strong>Avoid</strong>" in body
    assert "its choice there is JWT bearer flow." in body


@pytest.mark.django_db
def test_the_design_is_read_by_the_advisor_and_never_shown_raw(client):
    raw = 'person=no&client=<script>alert(1)</script>&record-title="><img src=x>&bogus=1'

    body = client.get(
        reverse("playground:flow_detail", args=["jwt-bearer"]) + "?" + urlencode({"design": raw})
    ).content.decode()

    assert "<script>alert(1)" not in body
    assert "<img src=x>" not in body
    assert "bogus" not in body
    assert 'href="/advisor/?person=no&amp;record-title=%22%3E%3Cimg+src%3Dx%3E"' in body


@pytest.mark.django_db
def test_a_design_with_nothing_the_advisor_reads_is_ignored(client):
    body = flow_page(client, "device", "x=1&" + "a" * 20000)

    assert "From your design" not in body
    assert 'href="/advisor/?initiator=external&person=yes&client=limited-input&secret=no">' in body


@pytest.mark.django_db
def test_without_a_design_check_the_fit_opens_the_answers_the_flow_implies(client):
    body = flow_page(client, "client-credentials")

    assert "From your design" not in body
    implied = (
        "initiator=external&person=no&client=backend&secret=yes&certificates=no&run-as=one-user"
    )
    assert f'href="/advisor/?{implied}">Check the fit with the advisor</a>' in body
    advisor = client.get(f"/advisor/?{implied}").content.decode()
    assert 'data-decision="flow">Client credentials flow<' in advisor


@pytest.mark.django_db
def test_a_run_started_from_a_design_keeps_it_for_the_flow_page(client, org):
    start_run(client, "jwt-bearer", design=f"{NIGHTLY}&junk=<b>")

    body = flow_page(client, "jwt-bearer")

    assert f'href="/advisor/?{NIGHTLY}">Back to your design in the advisor</a>' in body
    assert "From your design</h2>" in body
    assert "From your design" not in flow_page(client, "device")

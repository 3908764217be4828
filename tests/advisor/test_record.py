from __future__ import annotations

import io
import json
import string
import zipfile
from dataclasses import replace
from datetime import date
from urllib.parse import parse_qsl, urlencode

from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.record import KEYS, MAX_LINE, MAX_OVERRIDE, RecordDetails, parse_record
from advisor.scenarios import SCENARIO_BY_ID

NIGHTLY = SCENARIO_BY_ID["nightly-erp-sync"].to_query()
RECORD = urlencode(
    {
        "record-title": "ERP nightly sync",
        "record-owner": "Integration team",
        "record-status": "accepted",
        "record-date": "2026-02-01",
        "record-override": "We chose the client credentials flow because the ERP can't sign.",
    }
)
HTMX = {"HX-Request": "true"}


def test_the_record_reads_its_fields_and_writes_them_back_in_order():
    record = parse_record(
        {"record-override": "Line one\n\n  line\ttwo ", "record-title": " ERP \x00 sync "}
    )

    assert record == RecordDetails(title="ERP sync", override="Line one\nline two")
    assert record.to_query() == "record-title=ERP+sync&record-override=Line+one%0Aline+two"


def test_the_record_reports_a_status_and_date_it_cannot_use():
    record = parse_record({"record-status": "approved", "record-date": "2026-02-30"})

    assert record.status == "proposed"
    assert record.date is None
    assert record.error("record-status") == "Choose proposed, accepted or superseded."
    assert record.error("record-date") == "“2026-02-30” is not a date like 2026-03-01."


def test_a_field_cut_at_its_limit_reads_back_the_same():
    record = parse_record({"record-title": "a" * 119 + " b", "record-override": "x" * 999 + "\ny"})

    assert record.title == "a" * 119
    assert record.override == "x" * 999
    assert parse_record(dict(parse_qsl(record.to_query()))) == replace(record, errors=())


def test_the_record_takes_only_a_plain_calendar_date():
    assert parse_record({"record-date": "2026-03-01"}).date == date(2026, 3, 1)
    assert parse_record({"record-date": "20260301"}).date is None


record_text = st.text(alphabet=string.printable + "é€\u202e<>\"'%&=#\x00\x7f", max_size=2500)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), record_text))
def test_parsing_the_record_never_raises_and_round_trips(raw):
    record = parse_record(raw)

    assert len(record.title) <= MAX_LINE
    assert len(record.owner) <= MAX_LINE
    assert len(record.override) <= MAX_OVERRIDE
    assert not any(ord(c) < 0x20 and c != "\n" for c in record.title + record.override)
    again = parse_record(dict(parse_qsl(record.to_query())))
    assert (again.title, again.owner, again.status, again.date, again.override) == (
        record.title,
        record.owner,
        record.status,
        record.date,
        record.override,
    )


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(st.sampled_from(KEYS), record_text, max_size=5),
    st.sampled_from(
        [
            "/advisor/",
            "/advisor/decision-record.md",
            "/advisor/decision-record.zip",
            "/advisor/recommendation.json",
        ]
    ),
)
def test_any_record_input_is_answered_without_a_server_error(raw, path):
    client = Client(raise_request_exception=False)

    query = urlencode(raw)
    assert client.get(f"{path}?{query}").status_code in {200, 302}
    assert client.get(f"{path}?{query}", headers=HTMX).status_code in {200, 302}


def test_the_permalink_keeps_the_record_after_the_answers(client):
    form = f"{RECORD}&ordering=&{NIGHTLY}"

    response = client.get(f"{reverse('advisor:wizard')}?{form}")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('advisor:wizard')}?{NIGHTLY}&{RECORD}"


def test_the_advisor_fills_the_record_fields_from_the_permalink(client):
    body = client.get(f"{reverse('advisor:wizard')}?{NIGHTLY}&{RECORD}").content.decode()

    assert 'name="record-title" value="ERP nightly sync"' in body
    assert 'name="record-status" value="accepted" checked' in body
    assert 'name="record-date" value="2026-02-01"' in body
    assert "the ERP can&#x27;t sign.</textarea>" in body
    zip_url = f"{reverse('advisor:adr_zip')}?{NIGHTLY}&{RECORD}".replace("&", "&amp;")
    assert f'href="{zip_url}" download>' in body


def test_a_bad_record_field_is_shown_beside_it_and_not_redirected(client):
    query = f"{NIGHTLY}&record-date=next+tuesday&record-status=<b>"

    page = client.get(f"{reverse('advisor:wizard')}?{query}")
    live = client.get(f"{reverse('advisor:wizard')}?{query}", headers=HTMX)

    body = page.content.decode()
    assert page.status_code == 200
    assert '<p class="field__error" id="error-record-date" aria-live="polite">' in body
    assert "“next tuesday” is not a date like 2026-03-01." in body
    assert "Choose proposed, accepted or superseded." in body
    assert "<b>" not in body
    assert (
        '<p class="field__error" id="error-record-date" aria-live="polite" hx-swap-oob="true">'
        "“next tuesday” is not a date like 2026-03-01.</p>" in live.content.decode()
    )


def test_the_zip_download_holds_the_record_and_its_svg(client):
    response = client.get(f"{reverse('advisor:adr_zip')}?{NIGHTLY}&{RECORD}")

    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="integration-decision.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == ["integration-decision.md", "integration-diagram.svg"]
    markdown = archive.read("integration-decision.md").decode()
    assert "# ERP nightly sync: JWT bearer flow" in markdown
    assert f"<http://127.0.0.1:8000/advisor/?{NIGHTLY}&{RECORD}>" in markdown


def test_the_json_export_carries_the_record(client):
    data = json.loads(
        client.get(f"{reverse('advisor:recommendation_json')}?{NIGHTLY}&{RECORD}").content
    )

    assert data["record"]["owner"] == "Integration team"
    assert data["permalink"].endswith(f"?{NIGHTLY}&{RECORD}")

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile

import pytest
from playwright.sync_api import Page, expect

from advisor.scenarios import SCENARIO_BY_ID

NIGHTLY = SCENARIO_BY_ID["nightly-erp-sync"].to_query()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reviewer_fills_the_record_and_downloads_it_with_its_diagram(live_server, page: Page):
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_server.url}/advisor/?{NIGHTLY}")

    page.get_by_label("The integration's name").fill("ERP nightly sync")
    page.get_by_label("Owner").fill("Integration team")
    page.get_by_label("Accepted").check()
    page.get_by_label("Date", exact=True).fill("2026-02-01")
    page.get_by_label("Where the team chose differently").fill(
        "We chose the client credentials flow over the advisor's pick because the ERP can't sign."
    )
    download_link = page.get_by_role("link", name="Download the record with its diagram (.zip)")
    expect(download_link).to_have_attribute("href", re.compile(r"record-override=We\+chose"))
    expect(page).to_have_url(re.compile(r"&record-title=ERP\+nightly\+sync&record-owner="))

    with page.expect_download() as info:
        download_link.click()

    download = info.value
    assert download.suggested_filename == "integration-decision.zip"
    archive = zipfile.ZipFile(download.path())
    assert archive.namelist() == ["integration-decision.md", "integration-diagram.svg"]
    markdown = archive.read("integration-decision.md").decode()
    assert "\n# ERP nightly sync: JWT bearer flow," in markdown
    assert "status: accepted\ndate: 2026-02-01\n" in markdown
    assert "```mermaid\nflowchart LR\n" in markdown
    assert "> We chose the client credentials flow over the advisor's pick because" in markdown
    svg = ET.fromstring(archive.read("integration-diagram.svg"))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"

    page.reload()

    expect(page.get_by_label("The integration's name")).to_have_value("ERP nightly sync")
    expect(page.get_by_label("Accepted")).to_be_checked()
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_date_that_is_not_one_is_said_beside_the_field_at_once(live_server, page: Page):
    page.goto(f"{live_server.url}/advisor/?{NIGHTLY}&record-date=soon")

    expect(page.locator("#error-record-date")).to_have_text("“soon” is not a date like 2026-03-01.")

    page.get_by_label("Date", exact=True).fill("2026-02-01")

    expect(page.locator("#error-record-date")).to_have_text("")
    expect(page).to_have_url(re.compile(r"record-date=2026-02-01"))

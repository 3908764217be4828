from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from advisor.scenarios import SCENARIO_BY_ID

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORTS = SCENARIO_BY_ID["nightly-report-service"].to_query()
PERMALINK = f"/advisor/?{REPORTS}&record-title=Nightly+reports"


def outcomes(page: Page) -> list[str]:
    return page.locator(".summary__choice").all_inner_texts()


def test_the_design_goes_to_the_run_and_the_way_back_lands_on_the_same_recommendation(
    site, page: Page
):
    page.goto(site + PERMALINK)
    recommended = outcomes(page)
    assert recommended[0] == "JWT bearer flow"

    page.locator("#decision-flow").get_by_role("link", name="Run this flow live").click()

    expect(page).to_have_url(re.compile(r"/playground/flows/jwt-bearer/\?design="))
    design = page.get_by_role("region", name="From your design: Nightly reports")
    expect(design).to_contain_text("The advisor graded JWT bearer flow Best for this design.")
    expect(design).to_contain_text("Given that no person is present.")

    page.get_by_role("button", name="Start a run").click()
    expect(page).to_have_url(re.compile(r"/playground/runs/"))
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="JWT bearer flow"
    ).click()
    design = page.get_by_role("region", name="From your design: Nightly reports")
    expect(design).to_contain_text("Given that no person is present.")
    design.get_by_role("link", name="Back to your design in the advisor").click()

    expect(page).to_have_url(site + PERMALINK)
    expect(page.get_by_label("The integration's name")).to_have_value("Nightly reports")
    assert outcomes(page) == recommended


def test_check_the_fit_opens_the_advisor_with_the_answers_the_flow_implies(site, page: Page):
    page.goto(site + "/playground/flows/device/")

    page.get_by_role("link", name="Check the fit with the advisor").click()

    expect(
        page.get_by_label("A device with no browser or keyboard (TV, kiosk, appliance)")
    ).to_be_checked()
    expect(page.locator('.summary__choice[data-decision="flow"]')).to_have_text("Device flow")

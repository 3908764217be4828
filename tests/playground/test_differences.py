from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from playground.differences import SALESFORCE_DIFFERENCES, difference
from playground.flows import FLOWS
from tests.playground.conftest import run_step, start_run, watch_page


def test_difference_slugs_are_unique_and_kebab_case():
    slugs = [row.slug for row in SALESFORCE_DIFFERENCES]

    assert len(slugs) == len(set(slugs))
    assert all(slug == slug.lower() and " " not in slug for slug in slugs)


@pytest.mark.parametrize("row", SALESFORCE_DIFFERENCES, ids=lambda row: row.slug)
def test_every_difference_has_a_one_sentence_short_form_for_step_cards(row):
    assert row.short.endswith(".")
    assert ". " not in row.short
    assert len(row.short) <= 200


def test_a_difference_is_found_by_its_slug():
    assert difference("iss-parameter").topic == "iss in authorization responses"


def test_an_unknown_difference_slug_is_a_bug_and_raises():
    with pytest.raises(LookupError, match="no-such-difference"):
        difference("no-such-difference")


@pytest.mark.parametrize("flow", FLOWS.values(), ids=FLOWS.keys())
def test_every_difference_a_step_names_is_in_the_catalogue(flow):
    for step in flow.steps:
        for slug in step.differences:
            assert difference(slug).slug == slug, (step.slug, slug)


@pytest.mark.django_db
def test_a_step_card_shows_its_differences_from_the_catalogue_with_links(client, org):
    run = start_run(client, "device")
    run_step(client, run, "device-authorization")

    body = client.get(reverse("playground:run_detail", args=[run.id])).content.decode()
    page = reverse("playground:differences")
    card = body[body.index('id="step-device-authorization"') : body.index('id="step-device-poll"')]
    for slug in ("device-flow-shape", "device-flow-fields"):
        row = difference(slug)
        assert f'<a href="{page}#{slug}">{row.topic}</a>: {row.short}' in card
    # device-flow-fields is not confirmed; device-flow-shape is.
    assert card.count("Not confirmed</span>") == 1


@pytest.mark.django_db
def test_differences_page_lists_every_difference_and_says_which_are_unconfirmed(client):
    response = client.get(reverse("playground:differences"))

    body = response.content.decode()
    assert response.status_code == 200
    for row in SALESFORCE_DIFFERENCES:
        assert f'<li id="{row.slug}">' in body
    unconfirmed = sum(not row.confirmed for row in SALESFORCE_DIFFERENCES)
    assert unconfirmed > 0
    assert body.count("Not confirmed</span>") == unconfirmed


@pytest.mark.django_db
def test_flow_list_links_to_the_differences(client):
    body = client.get(reverse("playground:flow_list")).content.decode()

    assert f'href="{reverse("playground:differences")}"' in body


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_reaches_the_differences_from_the_playground(site, page: Page):
    problems = watch_page(page, site)
    page.goto(site + "/playground/")
    page.get_by_role("link", name="See the differences").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("part ways")
    row = page.locator("#iss-parameter")
    expect(row).to_contain_text("RFC 9207")
    expect(row).to_contain_text("Not confirmed")
    expect(row).to_contain_text("follows the standard")
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_step_card_links_each_difference_to_its_row(site, page: Page):
    problems = watch_page(page, site)
    page.goto(site + "/playground/flows/device/")
    page.get_by_role("button", name="Start a run").click()
    page.locator("#step-device-authorization").get_by_role("button").click()

    notes = page.locator("#step-device-authorization .note--salesforce")
    expect(notes).to_contain_text(difference("device-flow-fields").short)
    expect(notes.locator("li", has_text="verification_uri_complete")).to_contain_text(
        "Not confirmed"
    )
    notes.get_by_role("link", name=difference("device-flow-fields").topic).click()

    expect(page).to_have_url(re.compile(r"/playground/differences/#device-flow-fields$"))
    expect(page.locator("#device-flow-fields")).to_contain_text("RFC 8628 §3.2")
    assert problems == []

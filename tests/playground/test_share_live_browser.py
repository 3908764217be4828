"""The live follow-along page in a real browser: an attendee's page shows each step as the
trainer, in another browser context, runs it, without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.playground.conftest import watch_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_attendee_sees_each_step_appear_as_the_trainer_runs_it(site, browser: Browser):
    trainer = browser.new_context().new_page()
    trainer.goto(site + "/playground/flows/client-credentials/")
    trainer.get_by_role("button", name="Start a run").click()
    trainer.get_by_role("button", name="Create a read-only share link").click()
    share_link = trainer.locator("#share-link").input_value()

    attendee_context = browser.new_context()
    attendee = attendee_context.new_page()
    problems = watch_page(attendee, site)
    attendee.goto(share_link)
    expect(attendee.locator("#transcript")).to_contain_text("Nothing has been sent")

    trainer.locator("#step-token").get_by_role("button").click()
    expect(trainer.locator("#step-token .step__headline")).to_be_visible()
    expect(attendee.locator("#transcript")).to_contain_text("Ask for a token", timeout=15_000)
    expect(attendee.locator("#transcript")).to_contain_text("<access_token>")

    trainer.locator("#step-call-api").get_by_role("button").click()
    expect(attendee.locator("#transcript .step--done")).to_have_count(2, timeout=15_000)
    assert problems == []
    attendee_context.close()


def _send(page, step: str) -> None:
    page.locator(f"#step-{step} form.step__action button[type=submit]").first.click()
    expect(page.locator(f"#step-{step} .step__headline")).to_be_visible()


def test_the_attendee_sees_decoded_claims_and_what_happened_and_the_next_step(
    site, browser: Browser
):
    trainer = browser.new_context().new_page()
    trainer.goto(site + "/playground/flows/jwt-bearer/")
    trainer.get_by_role("button", name="Start a run").click()
    trainer.get_by_role("button", name="Create a read-only share link").click()
    share_link = trainer.locator("#share-link").input_value()
    _send(trainer, "certificate")

    attendee_context = browser.new_context()
    attendee = attendee_context.new_page()
    problems = watch_page(attendee, site)
    attendee.goto(share_link)
    token = attendee.locator("#step-token")
    expect(token).not_to_have_class("step step--done step--ok")

    _send(trainer, "token")
    payload = token.locator(".jwt__part--payload").first
    expect(payload).to_contain_text("sub", timeout=15_000)
    expect(payload).to_contain_text("aud")
    expect(token.locator(".note").first).to_contain_text("What just happened")
    expect(token).to_contain_text("stays hidden on a shared page")
    expect(attendee.locator("#step-call-api")).not_to_contain_text("What just happened")

    _send(trainer, "call-api")
    expect(attendee.locator("#step-call-api .note").first).to_contain_text(
        "What just happened", timeout=15_000
    )
    expect(attendee.locator("#step-call-api")).to_contain_text("<access_token>")
    assert attendee.locator("#transcript form").count() == 0
    assert problems == []
    attendee_context.close()

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect


def winner(page: Page, decision: str):
    return page.locator(f'.summary__choice[data-decision="{decision}"]')


def watch_console(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_trainer_loads_a_scenario_and_sees_one_answer_change_the_flow_live(
    live_server, page: Page
):
    problems = watch_console(page)
    page.goto(live_server.url + "/advisor/scenarios/")

    page.get_by_role("link", name="Load this scenario: Nightly ERP sync").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Integration advisor")
    expect(winner(page, "flow")).to_have_text("JWT bearer flow")
    expect(winner(page, "pattern")).to_have_text("Batch data synchronization")
    page.evaluate("window.advisorPageMarker = 'still the same page'")

    page.get_by_label("Salesforce calls another system").check()

    expect(winner(page, "flow")).to_have_text("Client credentials flow")
    expect(page).to_have_url(re.compile(r"[?&]initiator=salesforce(&|$)"))
    assert page.evaluate("window.advisorPageMarker") == "still the same page"
    expect(page.get_by_label("Salesforce calls another system")).to_be_checked()
    expect(page.get_by_role("status").filter(has_text="Recommendation updated")).to_contain_text(
        "Authentication flow, Client credentials flow"
    )
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_answers_questions_and_the_result_and_permalink_follow(live_server, page: Page):
    problems = watch_console(page)
    page.goto(live_server.url + "/advisor/")
    expect(page.get_by_text("Nothing answered yet, so this is general guidance.")).to_be_visible()
    page.evaluate("window.advisorPageMarker = 'no reload'")

    page.get_by_label("No, it runs unattended").check()
    expect(winner(page, "flow")).to_have_text("JWT bearer flow")

    page.get_by_label("How many systems take part, counting Salesforce?").fill("9")
    page.get_by_label("What are the other systems called?").fill("SAP ERP, <script>x</script>")

    expect(winner(page, "topology")).to_have_text("Middleware (ESB)")
    expect(page.get_by_text("With your 9 systems: up to 36 direct links")).to_be_visible()
    expect(page.locator(".diagram__links")).to_contain_text("<script>x</script> to Middleware")
    expect(page).to_have_url(re.compile(r"person=no&system-count=9&system-names=SAP"))
    assert page.evaluate("window.advisorPageMarker") == "no reload"
    image = page.locator("img.diagram__image")
    expect(image).to_have_attribute("src", re.compile(r"^/advisor/diagram\.svg\?person=no"))
    assert page.evaluate("document.querySelector('img.diagram__image').naturalWidth") > 0

    page.reload()

    expect(winner(page, "topology")).to_have_text("Middleware (ESB)")
    expect(page.get_by_label("No, it runs unattended")).to_be_checked()
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_submit_button_gives_the_same_result(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/advisor/")

    page.get_by_label("No, it runs unattended").check()
    page.get_by_role("button", name="Show the recommendation").click()

    expect(page).to_have_url(re.compile(r"/advisor/\?person=no$"))
    expect(winner(page, "flow")).to_have_text("JWT bearer flow")
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_live_update_that_cannot_reach_the_server_says_so_and_the_next_one_clears_it(
    live_server, page: Page
):
    page.goto(live_server.url + "/advisor/")
    page.wait_for_load_state()
    # The connection drops for the live updates only; the page itself is already here.
    page.route(re.compile(r"/advisor/\?"), lambda route: route.abort())

    page.get_by_label("No, it runs unattended").check()

    result = page.locator("#result")
    expect(result.get_by_role("alert")).to_contain_text("did not reach the server")
    expect(result.get_by_role("alert")).to_contain_text("from before your last change")
    expect(winner(page, "flow")).not_to_have_text("JWT bearer flow")

    page.unroute(re.compile(r"/advisor/\?"))
    page.get_by_label("Yes, someone is signed in and waiting").check()

    expect(page).to_have_url(re.compile(r"/advisor/\?person=yes$"))
    expect(result.get_by_role("alert")).to_have_count(0)

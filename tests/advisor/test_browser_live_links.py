from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from advisor.decisions import (
    DECISIONS,
    HANDSHAKE_LAB,
    PLAYGROUND_FLOW_PATH,
    REFRESH_TOKEN_SLUG,
)
from playground.labs.events.lab import FOCUSES

EVENT_LAB = "/playground/events/"

# With nothing answered the flow decision is a tie, so every option offers its live link.
EVERY_LINK = "/advisor/?offline=yes&person=yes&client=mobile"


def live_paths():
    paths = {choice.live.path for d in DECISIONS for choice in d.choices if choice.live}
    return paths | {PLAYGROUND_FLOW_PATH.format(slug=REFRESH_TOKEN_SLUG)}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_decisions_live_link_is_offered_and_opens_its_live_counterpart(
    live_server, page: Page
):
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    offered: set[str] = set()
    for query in ("/advisor/", EVERY_LINK):
        page.goto(live_server.url + query)
        # A flow's link carries the design along (?design=…); the path is what opens.
        offered |= {
            (link.get_attribute("href") or "").split("?design=")[0]
            for link in page.locator("a.live-link, .companion a").all()
        }
    assert offered == live_paths()

    for path in sorted(offered):
        start = EVERY_LINK if REFRESH_TOKEN_SLUG in path else "/advisor/"
        page.goto(live_server.url + start)
        link = page.locator(f'a[href="{path}"], a[href^="{path}?design="]').first
        if not link.is_visible():  # inside an option's folded reasons: unfold them first
            page.locator("details", has=link).locator("summary").first.click()
        link.click()
        if path.startswith("#"):
            expect(page).to_have_url(re.compile(re.escape(path) + "$"))
            expect(page.locator(path)).to_be_in_viewport()
            expect(page.locator(path)).to_contain_text("direct link")
        elif path.startswith(EVENT_LAB):
            expect(page).to_have_url(live_server.url + path)
            expect(page.get_by_role("heading", level=1)).to_have_text("The event lab")
            focus = parse_qs(urlsplit(path).query).get("focus")
            if focus:  # the lab opens on what the recommendation was about
                expect(page.locator("main")).to_contain_text(FOCUSES[focus[0]][:40])
        elif path == HANDSHAKE_LAB.path:
            expect(page).to_have_url(live_server.url + path)
            expect(page.get_by_role("heading", level=1)).to_have_text("The handshake lab")
        else:
            expect(page).to_have_url(live_server.url + path)
            expect(page.get_by_role("button", name=re.compile("Start a run"))).to_be_visible()
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_systems_chart_grows_and_shrinks_with_and_without_javascript(live_server, browser):
    for javascript in (True, False):
        context = browser.new_context(java_script_enabled=javascript)
        page = context.new_page()
        page.goto(live_server.url + "/advisor/?system-count=4&system-names=ERP")
        chart = page.locator("#systems-chart")
        expect(chart).to_contain_text("Your 4 systems: 6 direct links point-to-point, or 4")

        chart.get_by_role("link", name="One system more").click()

        expect(chart).to_contain_text("Your 5 systems: 10 direct links point-to-point, or 5")
        expect(page).to_have_url(re.compile(r"system-count=5"))
        expect(page.locator('.summary__choice[data-decision="topology"]')).to_have_text(
            "Middleware (ESB)"
        )
        chart.get_by_role("link", name="One system fewer").click()
        expect(chart).to_contain_text("Your 4 systems: 6 direct links")
        context.close()

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Response, expect

# Playwright drives the page from a thread with a running event loop; Django's ORM refuses
# that unless told it is safe (the live_server tests use transactional databases).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
PLAYWRIGHT_FIXTURES = {"page", "context", "browser", "new_context", "playwright", "browser_type"}

# Chromium and the live server share two CPUs in CI; a stall of a few seconds there is load,
# not a failure, so assertions wait up to 15 s (a passing one returns as soon as it holds).
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # `playwright install` cannot download browsers here: use Debian's chromium, quietly.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def page(page: Page) -> Page:
    """Playwright's page, printing every answer it gets: pytest shows the list when a test
    fails, so a step that never came back can be told from one that came back wrong."""
    started = time.monotonic()

    def stamp() -> str:
        return f"+{time.monotonic() - started:6.2f}s"

    def answered(response: Response) -> None:
        path = urlsplit(response.url).path
        if not path.startswith("/static/"):
            print(stamp(), response.request.method, path, "→", response.status)

    page.on("response", answered)
    page.on(
        "requestfailed",
        lambda request: print(
            stamp(), request.method, urlsplit(request.url).path, "failed:", request.failure
        ),
    )
    return page


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests that drive a browser run last. Once one has run, Playwright's sync API leaves its
    event loop marked running in the main thread, and Django's test client then refuses to
    call an async view (the CometD endpoint) through async_to_sync. Moving them after
    pytest-django's own ordering keeps every other test's order as it was."""
    items.sort(key=lambda item: bool(PLAYWRIGHT_FIXTURES & set(item.fixturenames)))

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIGHTHOUSE = (
    Path(__file__).resolve().parents[1] / "interop" / "node_modules" / ".bin" / "lighthouse"
)
PERFORMANCE = 0.95
# Chrome started by Lighthouse itself, as quiet as the Playwright one (tests/conftest.py).
CHROME_FLAGS = " ".join(
    (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    )
)


@pytest.fixture
def site(live_server, settings):
    from org.seed import seed_org

    settings.HANDSHAKE_BASE_URL = live_server.url
    seed_org()
    return live_server.url


def _lighthouse_once(url: str, tmp_path: Path, *, cookie: str = "") -> dict[str, float]:
    if not LIGHTHOUSE.exists():
        pytest.fail("Lighthouse is not installed: run `make setup-dev` (it installs interop/).")
    assert urlsplit(url).hostname in {"127.0.0.1", "localhost"}, url
    report = tmp_path / f"report-{len(list(tmp_path.iterdir()))}.json"
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        "--only-categories=performance,accessibility",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if cookie:
        # The page belongs to the browser that started the run: Lighthouse's Chrome sends its
        # session cookie.
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    environment = {**os.environ, "CHROME_PATH": CHROMIUM}
    for _ in range(2):
        finished = subprocess.run(
            command, env=environment, capture_output=True, text=True, timeout=240, check=False
        )
        # A trace Chrome lost under load (NO_NAVSTART, NO_FCP) is Lighthouse's own failure to
        # measure, and it says to run it again; once more, then it counts.
        if "Please run Lighthouse again" not in finished.stderr:
            break
    assert finished.returncode == 0, finished.stderr[-3000:]
    result = json.loads(report.read_text())
    assert result["finalDisplayedUrl"].partition("#")[0] == url.partition("#")[0]
    scores = {name: category["score"] for name, category in result["categories"].items()}
    # What a score short of the mark is made of, for the assertion's message.
    metrics = (
        "first-contentful-paint",
        "largest-contentful-paint",
        "total-blocking-time",
        "cumulative-layout-shift",
        "speed-index",
    )
    return scores | {name: result["audits"][name]["numericValue"] for name in metrics}


def _lighthouse(url: str, tmp_path: Path, *, cookie: str = "") -> dict[str, float]:
    """The median of three runs by performance, as Lighthouse's own guide advises for a score
    that varies from run to run with the machine's load; it stops once two runs agree on
    which side of 0.95 it falls. Accessibility does not vary: every run must reach 1."""
    runs: list[dict[str, float]] = []
    while len(runs) < 3:
        runs.append(_lighthouse_once(url, tmp_path, cookie=cookie))
        assert runs[-1]["accessibility"] == 1.0, str(runs[-1])
        passing = sum(run["performance"] >= PERFORMANCE for run in runs)
        if passing >= 2 or len(runs) - passing >= 2:
            break
    runs.sort(key=lambda run: run["performance"])
    return runs[1] if len(runs) == 3 else runs[0]


def _finished_run(site: str, browser: Browser) -> tuple[str, str]:
    """A client credentials run with every step sent, and the cookie of the browser that owns it."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(site + "/playground/flows/client-credentials/")
    page.get_by_role("button", name="Start a run").click()
    for slug in ("token", "call-api", "introspect", "revoke-access-token", "call-api-again"):
        page.locator(f"#step-{slug}").get_by_role("button", name=re.compile("^(?!Break)")).click()
        expect(page.locator(f"#step-{slug} .step__headline")).to_be_visible()
    url = page.url.partition("#")[0]
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
    context.close()
    return url, cookie


@pytest.mark.parametrize("query", ["", "?view=presenter"], ids=["full", "presenter"])
def test_a_finished_run_page_scores_well_in_lighthouse(site, browser: Browser, tmp_path, query):
    url, cookie = _finished_run(site, browser)

    scores = _lighthouse(url + query, tmp_path, cookie=cookie)

    assert scores["accessibility"] == 1.0, str(scores)
    assert scores["performance"] >= PERFORMANCE, str(scores)


def test_the_advisor_scores_well_in_lighthouse(site, tmp_path):
    scores = _lighthouse(site + "/advisor/", tmp_path)

    assert scores["accessibility"] == 1.0, str(scores)
    assert scores["performance"] >= PERFORMANCE, str(scores)

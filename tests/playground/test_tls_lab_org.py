"""The lab's last step against the org's real TLS port: gunicorn serves the lab, `serve_tls`
the org's mutual-TLS port, one database (tests/org/tls_site.py). Catalogue row J8 from the
trainee's side: a stolen bound token is refused without its certificate."""

from __future__ import annotations

import html
import re

import httpx
import pytest
from django.urls import reverse

from bench.servers import free_port
from playground.models import TlsLabRun
from tests.org.tls_site import start_tls_site


@pytest.fixture(scope="module")
def lab_site():
    with start_tls_site() as site:
        yield site


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


def _part(page: str, element: str, anchor: str) -> str:
    # Exchanges hold <section>s of their own: the bound-token section ends where Break it starts.
    end = {"section": 'id="break-heading"', "article": "</article>"}[element]
    start = page.index(f'id="{anchor}"')
    return _text(page[start : page.index(end, start)])


class Browser:
    """A person's browser, without JavaScript: forms, cookies, 303s."""

    def __init__(self, base: str) -> None:
        self.client = httpx.Client(base_url=base, follow_redirects=False, timeout=30)

    def get(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, response.text[:500]
        return response.text

    def post(self, path: str, page: str) -> str:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token
        response = self.client.post(path, data={"csrfmiddlewaretoken": token.group(1)})
        assert response.status_code == 303, response.text[:500]
        return response.headers["Location"]


def _started(lab_site) -> tuple[Browser, str, str]:
    browser = Browser(lab_site.http_url)
    lab = browser.get(reverse("playground:tls_lab"))
    run_url = browser.post(reverse("playground:start_tls_lab"), lab)
    return browser, run_url, browser.get(run_url)


def test_the_lab_gets_a_bound_token_over_mutual_tls_and_calls_the_api_with_it(lab_site):
    browser, run_url, page = _started(lab_site)
    run_id = run_url.rstrip("/").rsplit("/", 1)[-1]

    location = browser.post(reverse("playground:bound_tls_token", args=[run_id]), page)

    assert location.endswith("#bound-token")
    section = _part(browser.get(run_url), "section", "bound-token")
    assert "Download the org's CA" in section
    assert f"POST 127.0.0.1:{lab_site.tls_port}/services/oauth2/token" in section
    assert "client_secret" not in section
    assert "They match: the token is bound to that certificate" in section
    assert "query?q=SELECT+Name+FROM+Account" in section
    assert section.count("200 OK") >= 3  # the CA, the token, the query
    assert '"totalSize"' in section


def test_b_j8_a_stolen_bound_token_is_refused_without_its_certificate(lab_site):
    browser, run_url, page = _started(lab_site)
    run_id = run_url.rstrip("/").rsplit("/", 1)[-1]

    location = browser.post(reverse("playground:steal_tls_token", args=[run_id]), page)

    assert location.endswith("#fault-stolen-token")
    article = _part(browser.get(run_url), "article", "fault-stolen-token")
    assert "Use the stolen token without the certificate" in article
    assert "TLS, no client certificate" in article
    assert "401" in article
    assert 'error="invalid_token"' in article
    assert "The lesson." in article


@pytest.mark.django_db
def test_with_the_tls_port_down_the_step_says_so_and_keeps_the_run(client, settings):
    from org.seed import seed_org

    seed_org()
    settings.HANDSHAKE_BASE_URL = "http://testserver"
    settings.HANDSHAKE_TLS_URL = f"https://127.0.0.1:{free_port()}"  # nothing listens there
    started = client.post(reverse("playground:start_tls_lab"))
    run = TlsLabRun.objects.get()

    response = client.post(reverse("playground:bound_tls_token", args=[run.pk]))

    assert response.status_code == 303
    section = _part(client.get(started["Location"]).content.decode(), "section", "bound-token")
    assert "no response" in section
    assert "Ask for a token with the certificate, no secret" in section
    run.refresh_from_db()
    assert run.client_id
    assert len(run.token_attempts) == 1

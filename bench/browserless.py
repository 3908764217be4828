"""Sign in, consent and create apps on the org's pages over plain HTTP, as a browser would.

The multi-process test, the race tests, the flow benchmark, the training-room load test and
the OIDC client check all need a person to log in and click Allow or fill in Setup; this
module reads the real forms (fields, hidden inputs, CSRF token) and submits them, so it breaks
if the pages stop working for people.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx

DEMO_PASSWORD = "handshake-demo"  # noqa: S105 — the seeded demo org's published password
# A new app's page shows its consumer secret once, behind a <details>.
SECRET_ON_APP_PAGE = re.compile(r"<summary>Show the secret</summary><code[^>]*>([0-9A-F]{64})<")


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(
                Form(action=attributes.get("action", ""), method=attributes.get("method", "get"))
            )
        elif self.forms and tag == "input" and attributes.get("name"):
            self.forms[-1].fields[attributes["name"]] = attributes.get("value", "")
        elif self.forms and tag == "button" and attributes.get("name"):
            self.forms[-1].buttons.append((attributes["name"], attributes.get("value", "")))


def forms_in(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def csrf_token(html: str) -> str:
    for form in forms_in(html):
        if "csrfmiddlewaretoken" in form.fields:
            return form.fields["csrfmiddlewaretoken"]
    raise AssertionError("the page has no CSRF token")


def create_app_in_setup(
    browser: httpx.Client, fields: dict[str, str | list[str]]
) -> tuple[str, str]:
    """Fill in Setup's new-app form as a person would; return the app's client id and the
    consumer secret its page shows. `browser` has the org as its base URL."""
    setup = browser.get("/setup/")
    created = browser.post(
        "/setup/", data={"csrfmiddlewaretoken": csrf_token(setup.text), **fields}
    )
    location = created.headers["Location"]
    found = SECRET_ON_APP_PAGE.search(browser.get(location).text)
    if found is None:
        raise AssertionError("the app page shows no consumer secret")
    return location.rstrip("/").rsplit("/", 1)[1], found[1]


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        # RFC 7636 §4.2: BASE64URL(SHA256(verifier)) without padding.
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii"))


def authorization_url(
    base_url: str, *, client_id: str, redirect_uri: str, pkce: Pkce, state: str, scope: str
) -> str:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
            "nonce": secrets.token_urlsafe(16),
            "code_challenge": pkce.challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{base_url}/services/oauth2/authorize?{query}"


def sign_in_and_allow(
    browser: httpx.Client,
    start_url: str,
    *,
    redirect_uri: str,
    username: str,
    password: str = DEMO_PASSWORD,
    max_hops: int = 12,
) -> dict[str, str]:
    """Follow the authorization request through login and consent to the redirect URI.

    Returns the query parameters the client's callback receives (code, state, iss…).
    """

    def at_callback(
        location: str | None, _page: httpx.Response | None, _allowed: bool
    ) -> dict[str, str] | None:
        if location is not None and location.startswith(redirect_uri):
            return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        return None

    return _walk(browser, start_url, username, password, max_hops, at_callback)


def approve_device(
    browser: httpx.Client,
    verification_url: str,
    *,
    username: str,
    password: str = DEMO_PASSWORD,
    max_hops: int = 8,
) -> str:
    """Open a device flow's verification link as the person would (RFC 8628 §3.3): sign in
    if asked, press Allow, and return the page the org shows afterwards."""

    def after_allow(
        _location: str | None, page: httpx.Response | None, allowed: bool
    ) -> str | None:
        return page.text if page is not None and allowed else None

    return _walk(browser, verification_url, username, password, max_hops, after_allow)


def _walk[T](
    browser: httpx.Client,
    url: str,
    username: str,
    password: str,
    max_hops: int,
    finished: Callable[[str | None, httpx.Response | None, bool], T | None],
) -> T:
    """Follow redirects and submit the login and consent forms until `finished` returns a
    result; it sees each redirect's location, or each page and whether Allow was pressed."""
    method, data, allowed = "GET", None, False
    for _ in range(max_hops):
        response = browser.request(method, url, data=data)
        if response.is_redirect:
            location = urljoin(url, response.headers["Location"])
            result = finished(location, None, allowed)
            if result is not None:
                return result
            url, method, data = location, "GET", None
            continue
        if response.status_code != 200:
            raise RuntimeError(f"{method} {url} answered {response.status_code}")
        result = finished(None, response, allowed)
        if result is not None:
            return result
        url, method, data = _next_submission(url, response.text, username, password)
        allowed = data.get("decision") == "allow"
    raise RuntimeError(f"too many hops from {url} through login and consent")


def _next_submission(
    page_url: str, html: str, username: str, password: str
) -> tuple[str, str, dict[str, str]]:
    for form in forms_in(html):
        if "username" in form.fields and "password" in form.fields:
            data = {**form.fields, "username": username, "password": password}
            return urljoin(page_url, form.action), "POST", data
        if ("decision", "allow") in form.buttons:
            return urljoin(page_url, form.action), "POST", {**form.fields, "decision": "allow"}
    raise RuntimeError(f"no login or consent form on {page_url}")

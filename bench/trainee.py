"""One trainee's full web-server flow with PKCE, checking the org's promises on the way.

Used by the flow benchmark and the training-room load test. Every request is timed and
its status kept; every promise the org makes (a replayed code or rotated refresh token is
refused, a revoked token stops working, an ID token verifies) is checked and any broken
one recorded as a violation.
"""

from __future__ import annotations

import json
import random
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx
import jwt

from bench.browserless import Pkce, approve_device, authorization_url, sign_in_and_allow
from bench.servers import manage

REDIRECT_URI = "https://trainee.example/callback"
TOKEN = "/services/oauth2/token"
DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"
DEMO_USERS = ("ada@handshake.example", "grace@handshake.example")

CREATE_APPS = """
import json
from org.connected_apps import create_connected_app
apps = [
    create_connected_app(
        name=f"Trainee {n}",
        redirect_uris=["{redirect_uri}"],
        grants=["authorization_code", "refresh_token", "{device_code}"],
        scopes=["api", "refresh_token", "openid"],
        require_pkce=True,
    )
    for n in range({count})
]
print(json.dumps([[a.client_id, a.client_secret] for a in apps]))
"""


@dataclass(frozen=True)
class App:
    client_id: str
    client_secret: str


def create_trainee_apps(env: dict[str, str], count: int) -> list[App]:
    """One connected app per trainee, created in one process (the command is per app)."""
    code = (
        CREATE_APPS.replace("{redirect_uri}", REDIRECT_URI)
        .replace("{device_code}", DEVICE_CODE)
        .replace("{count}", str(count))
    )
    output = manage(env, "shell", "-c", code)
    last_line = output.strip().splitlines()[-1]  # the shell may print its auto-imports first
    return [App(client_id, secret) for client_id, secret in json.loads(last_line)]


@dataclass
class Tally:
    """What one trainee saw: per-request latencies and statuses, and broken promises."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    flows: int = 0
    id_tokens: list[str] = field(default_factory=list)

    def record(self, response: httpx.Response, started: float) -> httpx.Response:
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        return response

    def merge(self, other: Tally) -> None:
        self.latencies_ms.extend(other.latencies_ms)
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.violations.extend(other.violations)
        self.failures.extend(other.failures)
        self.flows += other.flows
        self.id_tokens.extend(other.id_tokens)


class Trainee:
    """Runs flows against a set of server processes, picking one at random for each request."""

    def __init__(self, servers: Sequence[str], app: App, username: str, tally: Tally) -> None:
        self.servers = list(servers)
        self.issuer = self.servers[0]
        self.app = app
        self.username = username
        self.tally = tally
        self.browser = httpx.Client(timeout=60, event_hooks={"request": [self._start_clock]})
        self.browser.event_hooks["response"] = [self._stop_clock]

    def _start_clock(self, request: httpx.Request) -> None:
        request.extensions["started"] = time.perf_counter()

    def _stop_clock(self, response: httpx.Response) -> None:
        self.tally.record(response, response.request.extensions["started"])

    def _server(self) -> str:
        return random.choice(self.servers)

    def _post(self, path: str, data: dict[str, str]) -> httpx.Response:
        return self.browser.post(
            self._server() + path, data=data, auth=(self.app.client_id, self.app.client_secret)
        )

    def _api(self, token: str) -> httpx.Response:
        return self.browser.get(
            self._server() + "/services/data/v62.0/sobjects/Account/",
            headers={"Authorization": f"Bearer {token}"},
        )

    def _active(self, token: str) -> bool:
        return bool(self._post("/services/oauth2/introspect", {"token": token}).json()["active"])

    def _expect(self, condition: bool, promise: str) -> None:
        if not condition:
            self.tally.violations.append(promise)

    def _authorize_and_redeem(self) -> tuple[dict[str, str], dict[str, str]] | None:
        """authorize → login → consent → code → token; returns (tokens, the code grant)."""
        pkce, state = Pkce.new(), secrets.token_urlsafe(16)
        callback = sign_in_and_allow(
            self.browser,
            authorization_url(
                self._server(),
                client_id=self.app.client_id,
                redirect_uri=REDIRECT_URI,
                pkce=pkce,
                state=state,
                scope="api refresh_token openid",
            ),
            redirect_uri=REDIRECT_URI,
            username=self.username,
        )
        self._expect(callback.get("state") == state, "state comes back unchanged")
        grant = {
            "grant_type": "authorization_code",
            "code": callback["code"],
            "redirect_uri": REDIRECT_URI,
            "code_verifier": pkce.verifier,
        }
        issued = self._post(TOKEN, grant)
        if issued.status_code != 200:
            self.tally.failures.append(f"token {issued.status_code}: {issued.text[:200]}")
            return None
        tokens = issued.json()
        self.tally.id_tokens.append(tokens["id_token"])
        self._expect(self._api(tokens["access_token"]).status_code == 200, "a new token works")
        return tokens, grant

    def revoke_round(self) -> None:
        """The benchmark flow: … → API → introspect → revoke, and the revoked token fails."""
        redeemed = self._authorize_and_redeem()
        if redeemed is None:
            return
        access = redeemed[0]["access_token"]
        self._expect(self._active(access), "a new token introspects active")
        revoked = self._post("/services/oauth2/revoke", {"token": access})
        self._expect(revoked.status_code == 200, "revocation answers 200")
        self._expect(self._api(access).status_code == 401, "a revoked token is refused")
        self.tally.flows += 1

    def replay_round(self) -> None:
        """RFC 6749 §4.1.2: a replayed code is refused and revokes what it issued."""
        redeemed = self._authorize_and_redeem()
        if redeemed is None:
            return
        tokens, grant = redeemed
        replay = self._post(TOKEN, grant)
        self._expect(replay.status_code == 400, "a replayed code is refused")
        self._expect(not self._active(tokens["access_token"]), "a replay revokes its tokens")
        self._expect(self._api(tokens["access_token"]).status_code == 401, "and they fail")
        self.tally.flows += 1

    def rotation_round(self) -> None:
        """RFC 9700 §4.14.2: rotation, then reuse of the old refresh token kills the family."""
        redeemed = self._authorize_and_redeem()
        if redeemed is None:
            return
        old_refresh = redeemed[0]["refresh_token"]
        refresh = {"grant_type": "refresh_token", "refresh_token": old_refresh}
        rotated = self._post(TOKEN, refresh)
        if rotated.status_code != 200:
            self.tally.failures.append(f"refresh {rotated.status_code}: {rotated.text[:200]}")
            return
        newer = rotated.json()["access_token"]
        self._expect(self._api(newer).status_code == 200, "a refreshed token works")
        reuse = self._post(TOKEN, refresh)
        self._expect(reuse.status_code == 400, "a rotated refresh token is refused")
        self._expect(not self._active(newer), "reuse revokes the whole family")
        self._expect(self._api(newer).status_code == 401, "a revoked family is refused")
        self.tally.flows += 1

    def device_round(self) -> None:
        """RFC 8628: start, poll (pending), the person allows on /setup/connect, poll again
        at the server's interval for tokens; the device code is then spent (§3.5)."""
        started = self._post("/services/oauth2/device/authorize", {"scope": "api openid"})
        if started.status_code != 200:
            self.tally.failures.append(f"device {started.status_code}: {started.text[:200]}")
            return
        device = started.json()
        poll = {"grant_type": DEVICE_CODE, "device_code": device["device_code"]}
        pending = self._post(TOKEN, poll)
        self._expect(
            pending.status_code == 400 and pending.json().get("error") == "authorization_pending",
            "an undecided device code is pending",
        )
        # The link names the first process; the person may reach any of them.
        link = device["verification_uri_complete"].replace(self.issuer, self._server(), 1)
        approve_device(self.browser, link, username=self.username)
        time.sleep(device["interval"])  # a well-behaved device keeps to the interval
        issued = self._post(TOKEN, poll)
        if issued.status_code != 200:
            self.tally.failures.append(f"device poll {issued.status_code}: {issued.text[:200]}")
            return
        tokens = issued.json()
        self.tally.id_tokens.append(tokens["id_token"])
        self._expect(self._api(tokens["access_token"]).status_code == 200, "a device token works")
        spent = self._post(TOKEN, poll)
        self._expect(
            spent.status_code == 400 and spent.json().get("error") == "invalid_grant",
            "a device code is redeemed once",
        )
        self.tally.flows += 1

    def close(self) -> None:
        self.browser.close()


def verify_everywhere(servers: Sequence[str], id_tokens: Sequence[str]) -> list[str]:
    """Every ID token must verify with the JWKS of every server process."""
    problems = []
    for server in servers:
        jwks = httpx.get(server + "/id/keys", timeout=30).json()
        keys = {key["kid"]: jwt.PyJWK(key) for key in jwks["keys"]}
        for token in id_tokens:
            kid = jwt.get_unverified_header(token)["kid"]
            try:
                jwt.decode(
                    token,
                    keys[kid].key,
                    algorithms=["RS256"],
                    issuer=servers[0],
                    # The audience is each trainee's own client; signature and issuer are
                    # what must hold on every process.
                    options={"verify_exp": False, "verify_aud": False},
                )
            except (KeyError, jwt.PyJWTError) as error:
                problems.append(f"{server}: {type(error).__name__}")
    return problems


def run_trainees(
    servers: Sequence[str],
    apps: Sequence[App],
    *,
    seconds: float,
    rounds: Sequence[str] = ("revoke_round",),
) -> tuple[Tally, float]:
    """Each app gets one trainee thread running `rounds` in turn until time runs out.

    Returns the merged tally and the wall-clock seconds taken.
    """
    tallies = [Tally() for _ in apps]
    deadline = time.monotonic() + seconds

    def trainee(number: int) -> None:
        person = Trainee(servers, apps[number], DEMO_USERS[number % 2], tallies[number])
        turn = number  # spread the round kinds across trainees from the first second
        try:
            while time.monotonic() < deadline:
                try:
                    getattr(person, rounds[turn % len(rounds)])()
                except (httpx.HTTPError, RuntimeError, KeyError, ValueError) as error:
                    person.tally.failures.append(f"{type(error).__name__}: {error}"[:200])
                turn += 1
        finally:
            person.close()

    threads = [threading.Thread(target=trainee, args=(n,)) for n in range(len(apps))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    return total, time.perf_counter() - started

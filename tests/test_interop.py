"""panva's openid-client (OpenID-certified) drives the org end to end, device flow included.

The Node script does the protocol; Playwright plays the person who signs in and clicks
Allow. Everything the client library verifies — discovery, state, iss, PKCE, the id_token's
signature against the JWKS, nonce — is verified by the library, not by us.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route

from bench.servers import ROOT, free_port, gunicorn, manage, prepare_site, production_env

SCRIPT = ROOT / "interop" / "oidc_interop.mjs"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (shutil.which("node") and (ROOT / "interop" / "node_modules").exists()),
        reason="`make test` installs Node and openid-client",
    ),
]


def _app(env, *args):
    return json.loads(manage(env, "create_connected_app", "--json", *args))


class NodeClient:
    def __init__(self, env):
        self.process = subprocess.Popen(
            ["node", str(SCRIPT)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.stdout:
            self.lines.put(line)

    def next_step(self):
        try:
            line = self.lines.get(timeout=90)
        except queue.Empty:
            raise AssertionError("openid-client said nothing for 90 s") from None
        report = json.loads(line)
        assert report["step"] != "error", report
        return report

    def answer(self, text):
        self.stdin.write(text + "\n")
        self.stdin.flush()

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def _sign_in_and_allow(page: Page, url: str, callback_prefix: str) -> str:
    landed: list[str] = []

    def capture(route: Route) -> None:
        landed.append(route.request.url)
        route.fulfill(status=200, content_type="text/plain", body="callback received")

    page.route(f"{callback_prefix}**", capture)
    page.goto(url)
    page.get_by_label("Username").fill("ada@handshake.example")
    page.get_by_label("Password").fill("handshake-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(f"{callback_prefix}**")
    return landed[0]


def _approve_device(page: Page, verification_uri: str, user_code: str) -> None:
    # The person opens the link on a second device; this browser is still signed in.
    page.goto(f"{verification_uri}?user_code={user_code}")
    if page.get_by_label("Username").count():
        page.get_by_label("Username").fill("ada@handshake.example")
        page.get_by_label("Password").fill("handshake-demo")
        page.get_by_role("button", name="Sign in", exact=True).click()
    if page.get_by_role("button", name="Continue").count():
        page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Allow").click()


def test_openid_client_completes_every_flow_against_the_org(page: Page):
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    callback = f"http://127.0.0.1:{free_port()}/callback"
    with tempfile.TemporaryDirectory(prefix="handshake-interop-") as tmp:
        env = production_env(issuer)
        env["HANDSHAKE_SQLITE_PATH"] = str(Path(tmp) / "interop.sqlite3")
        prepare_site(env)
        web = _app(
            env,
            "--name=openid-client web",
            f"--redirect-uri={callback}",
            "--grant=authorization_code",
            "--grant=refresh_token",
            "--scope=openid",
            "--scope=api",
            "--scope=refresh_token",
        )
        device = _app(
            env,
            "--name=openid-client device",
            "--grant=urn:ietf:params:oauth:grant-type:device_code",
            "--scope=api",
        )
        machine = _app(
            env,
            "--name=openid-client machine",
            "--grant=client_credentials",
            "--scope=api",
            "--run-as=grace@handshake.example",
        )
        with gunicorn(env, port=port, workers=2):
            node_env = {
                "PATH": os.environ["PATH"],
                "ISSUER": issuer,
                "REDIRECT_URI": callback,
                "WEB_CLIENT_ID": web["client_id"],
                "WEB_CLIENT_SECRET": web["client_secret"],
                "CC_CLIENT_ID": machine["client_id"],
                "CC_CLIENT_SECRET": machine["client_secret"],
                "DEVICE_CLIENT_ID": device["client_id"],
                "DEVICE_CLIENT_SECRET": device["client_secret"],
            }
            client = NodeClient(node_env)
            try:
                found = client.next_step()
                assert found["issuer"] == issuer
                assert found["code_challenge_methods_supported"] == ["S256"]
                assert set(found["grant_types_supported"]) >= {
                    "authorization_code",
                    "refresh_token",
                    "client_credentials",
                }

                authorize = client.next_step()
                client.answer(_sign_in_and_allow(page, authorize["url"], callback))

                token = client.next_step()
                assert token["id_token_verified"] is True
                assert token["has_refresh_token"] is True
                assert token["sub"]
                userinfo = client.next_step()
                assert userinfo["sub"] == token["sub"]
                assert userinfo["email"] == "ada@handshake.example"
                assert client.next_step() == {
                    "step": "introspect",
                    "active": True,
                    "client_id": web["client_id"],
                }
                refresh = client.next_step()
                assert refresh["new_access_token"] is True
                assert refresh["rotated_refresh_token"] is True
                assert client.next_step() == {
                    "step": "revoke",
                    "access_token_active_after_revoke": False,
                }
                assert client.next_step() == {
                    "step": "client_credentials",
                    "has_refresh_token": False,
                    "active": True,
                }
                started = client.next_step()
                assert started["step"] == "device"
                assert started["verification_uri"] == issuer + "/setup/connect"
                _approve_device(page, started["verification_uri"], started["user_code"])
                assert client.next_step() == {"step": "device_token", "has_access_token": True}
                assert client.next_step() == {"step": "done"}
            finally:
                client.stop()

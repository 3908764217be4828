"""Client-credentials token requests: the org against panva's oidc-provider (OpenID
Certified, from the npm registry), on this machine, with the same load generator.

Both answer over loopback HTTP with keep-alive. The org runs on the server `make run` uses
(`--server` picks another of bench/servers.py's), 2 workers, on SQLite, and signs a
Salesforce-shaped response; oidc-provider runs one Node process with
its in-memory adapter (its development default), so the comparison flatters it on storage.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import Figures, Request, run_load  # noqa: E402
from bench.servers import (  # noqa: E402
    ROOT,
    add_server_option,
    free_port,
    manage,
    serve,
    sqlite_site_env,
    stop,
    wait_until_listening,
)

PROVIDER = ROOT / "interop" / "provider"
USERS = 8
REQUESTS_PER_USER = 150


def _token_request(path: str, client_id: str, secret: str) -> Request:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return (
        "POST",
        path,
        b"grant_type=client_credentials",
        {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
    )


def _measure(base_url: str, label: str, request: Request) -> Figures:
    run_load(base_url, lambda _: request, label="warm-up", users=2, requests_per_user=20)
    return run_load(
        base_url, lambda _: request, label=label, users=USERS, requests_per_user=REQUESTS_PER_USER
    )


def measure_oidc_provider() -> Figures:
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "PORT": str(port),
        "CLIENT_ID": "bench",
        "CLIENT_SECRET": "bench-secret-for-loopback-only",
    }
    # Its start-up warnings (development adapter and keys, Node version) are expected here.
    process = subprocess.Popen(
        ["node", "server.mjs"],
        cwd=PROVIDER,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_listening(port, process)
        base_url = f"http://127.0.0.1:{port}"
        with urlopen(f"{base_url}/.well-known/openid-configuration", timeout=10) as answer:
            metadata = json.load(answer)
        path = urlsplit(metadata["token_endpoint"]).path
        request = _token_request(path, env["CLIENT_ID"], env["CLIENT_SECRET"])
        return _measure(base_url, "oidc-provider 9 (Node, in-memory)", request)
    finally:
        stop(process)


def measure_org(server: str) -> tuple[Figures, Figures]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with sqlite_site_env(base_url) as env:
        app = json.loads(
            manage(
                env,
                "create_connected_app",
                "--json",
                "--name=Comparison",
                "--grant=client_credentials",
                "--scope=api",
                "--run-as=ada@handshake.example",
            )
        )
        with serve(env, port=port, workers=2, server=server):
            baseline = _measure(
                base_url, "org: baseline view (/baseline/)", ("GET", "/baseline/", None, {})
            )
            request = _token_request(
                "/services/oauth2/token", app["client_id"], app["client_secret"]
            )
            return baseline, _measure(base_url, "org: client_credentials token", request)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_server_option(parser)
    options = parser.parse_args()
    if not (PROVIDER / "node_modules").exists():
        raise SystemExit("run `make setup-dev` first: it installs oidc-provider")
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{USERS} keep-alive clients; the org on {options.server}, 2 workers"
    )
    baseline, org = measure_org(options.server)
    provider = measure_oidc_provider()
    for figures in (baseline, org, provider):
        print(figures.line())
    print(f"org tokens ÷ oidc-provider tokens: {org.rps / provider.rps:.2f}×")


if __name__ == "__main__":
    main()

"""REST API reads and writes per second under gunicorn, against the baseline view.

Starts gunicorn (2 workers) in the foreground of its own process on a throwaway SQLite file
with production-like settings, gets a client-credentials token for an app with the `api`
scope, then loads /baseline/, a record read, a SOQL query and a record create from a bounded
pool of keep-alive connections, prints the figures, and stops gunicorn by its process id.
Every REST call counts against the space's 15,000 daily requests: the run stays well below.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import Request, run_load  # noqa: E402
from bench.servers import free_port, gunicorn, sqlite_site_env  # noqa: E402
from bench.token_endpoint import client_credentials_request  # noqa: E402
from config.org_paths import API_VERSION  # noqa: E402

USERS = 8
REQUESTS_PER_USER = 100
WORKERS = 2
API = f"/services/data/v{API_VERSION}"


def _call(url: str, request: Request) -> dict[str, Any]:
    method, path, body, headers = request
    sent = urllib.request.Request(url + path, data=body, headers=headers, method=method)
    with urllib.request.urlopen(sent, timeout=30) as answer:
        found: dict[str, Any] = json.loads(answer.read())
        return found


def main() -> None:
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"gunicorn {WORKERS} workers, SQLite (WAL), {USERS} keep-alive clients"
    )
    port = free_port()
    with sqlite_site_env(f"http://127.0.0.1:{port}") as env:
        token_request = client_credentials_request(env)
        with gunicorn(env, port=port, workers=WORKERS) as url:
            token = _call(url, token_request)["access_token"]
            bearer = {"Authorization": f"Bearer {token}"}
            json_bearer = {**bearer, "Content-Type": "application/json"}
            first = json.dumps({"Name": "Bench read"}).encode()
            created = _call(url, ("POST", f"{API}/sobjects/Account/", first, json_bearer))
            soql = quote("SELECT Id, Name FROM Account WHERE Name = 'Bench read'")
            loads: tuple[tuple[str, Callable[[int], Request], set[int]], ...] = (
                ("baseline view (/baseline/)", lambda _: ("GET", "/baseline/", None, {}), {200}),
                ("REST read (sobjects/Account/{id})",
                 lambda _: ("GET", f"{API}/sobjects/Account/{created['id']}", None, bearer),
                 {200}),
                ("REST query (one match)",
                 lambda _: ("GET", f"{API}/query?q={soql}", None, bearer), {200}),
                ("REST write (create Account)",
                 lambda n: ("POST", f"{API}/sobjects/Account/",
                            json.dumps({"Name": f"Bench {n}"}).encode(), json_bearer),
                 {201}),
            )  # fmt: skip
            run_load(url, loads[1][1], label="warm-up", users=4, requests_per_user=20)
            for label, make, ok in loads:
                figures = run_load(
                    url,
                    make,
                    label=label,
                    users=USERS,
                    requests_per_user=REQUESTS_PER_USER,
                    ok_statuses=frozenset(ok),
                )
                print(figures.line())


if __name__ == "__main__":
    main()

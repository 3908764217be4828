"""Client credentials token requests per second under gunicorn, against the baseline view.

Starts gunicorn (2 workers) in the foreground of its own process on a throwaway SQLite
file with production-like settings, creates a client-credentials app with the
management command, loads /services/oauth2/token and /baseline/ from a bounded pool of
keep-alive connections, prints the figures, and stops gunicorn by its process id.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import Request, run_load  # noqa: E402
from bench.servers import free_port, gunicorn, manage, sqlite_site_env  # noqa: E402

USERS = 8
REQUESTS_PER_USER = 150
WORKERS = 2
FORM = "application/x-www-form-urlencoded"


def client_credentials_request(env: dict[str, str]) -> Request:
    """A token request for a new client-credentials app on the site `env` describes."""
    credentials = json.loads(
        manage(
            env,
            "create_connected_app",
            "--json",
            "--name",
            "Token bench",
            "--grant",
            "client_credentials",
            "--scope",
            "api",
            "--run-as",
            "ada@handshake.example",
        )
    )
    body = urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
        }
    ).encode()
    return ("POST", "/services/oauth2/token", body, {"Content-Type": FORM})


def main() -> None:
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"gunicorn {WORKERS} workers, SQLite (WAL), {USERS} keep-alive clients"
    )
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with sqlite_site_env(base_url) as env:
        request = client_credentials_request(env)

        def token(_: int) -> Request:
            return request

        def baseline(_: int) -> Request:
            return ("GET", "/baseline/", None, {})

        with gunicorn(env, port=port, workers=WORKERS) as url:
            # Warm both workers (imports, the parsed key cache, connections) first.
            run_load(url, token, label="warm-up", users=4, requests_per_user=20)
            for label, make in (
                ("baseline view (/baseline/)", baseline),
                ("client_credentials token", token),
            ):
                figures = run_load(
                    url, make, label=label, users=USERS, requests_per_user=REQUESTS_PER_USER
                )
                print(figures.line())


if __name__ == "__main__":
    main()

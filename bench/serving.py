"""The same load against each candidate server: gunicorn's sync and gthread workers, uvicorn
workers under gunicorn (ASGI), and granian (WSGI and ASGI), two worker processes each.

One throwaway SQLite site; for each server the baseline view and a client-credentials token
from 8 keep-alive clients, then the token endpoint from 64 clients (a room's worth of open
connections on two cores). Prints one line per measurement; the baseline view measured on
the same server is the reference for its other lines.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import run_load  # noqa: E402
from bench.servers import SERVERS, free_port, serve, sqlite_site_env  # noqa: E402
from bench.token_endpoint import client_credentials_request  # noqa: E402

WORKERS = 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests-per-user", type=int, default=150)
    parser.add_argument("--server", action="append", choices=sorted(SERVERS))
    options = parser.parse_args()
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{WORKERS} workers per server, SQLite (WAL)"
    )
    port = free_port()
    with sqlite_site_env(f"http://127.0.0.1:{port}") as env:
        token = client_credentials_request(env)
        for server in options.server or list(SERVERS):
            print(f"\n== {server} ==")
            with serve(env, port=port, workers=WORKERS, server=server) as url:
                run_load(url, lambda _: token, label="warm-up", users=4, requests_per_user=20)
                for label, users, make in (
                    ("baseline view, 8 clients", 8, lambda _: ("GET", "/baseline/", None, {})),
                    ("client_credentials, 8 clients", 8, lambda _: token),
                    ("client_credentials, 64 clients", 64, lambda _: token),
                ):
                    per_user = max(10, options.requests_per_user * 8 // users)
                    figures = run_load(
                        url, make, label=label, users=users, requests_per_user=per_user
                    )
                    print(figures.line())


if __name__ == "__main__":
    main()

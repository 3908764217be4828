"""Home page throughput and latency under gunicorn, against the bare baseline view."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import Request, run_load  # noqa: E402
from bench.servers import sqlite_site  # noqa: E402

USERS = 8
REQUESTS_PER_USER = 250


def main() -> None:
    print(f"Python {platform.python_version()} on {platform.machine()}, gunicorn 2 workers")
    with sqlite_site(workers=2) as base_url:
        # Warm both workers before measuring.
        run_load(
            base_url,
            lambda _: ("GET", "/", None, {}),
            label="warm-up",
            users=4,
            requests_per_user=25,
        )
        for label, path in (("baseline view (/baseline/)", "/baseline/"), ("home page (/)", "/")):

            def get(_: int, path: str = path) -> Request:
                return ("GET", path, None, {})

            figures = run_load(
                base_url,
                get,
                label=label,
                users=USERS,
                requests_per_user=REQUESTS_PER_USER,
            )
            print(figures.line())


if __name__ == "__main__":
    main()

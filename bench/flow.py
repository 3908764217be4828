"""Full web-server flows with PKCE per second, 50 virtual users, against the baseline view.

Each flow: authorize → login → consent → token → API → introspect → revoke → API (401),
over real HTTP to the server `make run` uses (`--server` picks another; 2 workers, SQLite,
production-like settings).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cpu import measured  # noqa: E402
from bench.load import percentile, run_load  # noqa: E402
from bench.servers import add_server_option, free_port, serve, sqlite_site_env  # noqa: E402
from bench.trainee import create_trainee_apps, run_trainees  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    add_server_option(parser)
    options = parser.parse_args()
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{options.server}, {options.workers} workers, SQLite (WAL), "
        f"{options.users} virtual users, {options.seconds:.0f} s"
    )
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with sqlite_site_env(base_url) as env:
        apps = create_trainee_apps(env, options.users)
        with serve(env, port=port, workers=options.workers, server=options.server):
            baseline = run_load(
                base_url,
                lambda _: ("GET", "/baseline/", None, {}),
                label="baseline view (/baseline/)",
                users=options.users,
                requests_per_user=40,
            )
            with measured() as cpu:
                tally, elapsed = run_trainees([base_url], apps, seconds=options.seconds)
    print(baseline.line())
    latencies = tally.latencies_ms
    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    print(
        f"{'full PKCE flow (8+ requests each)':<34} {tally.flows / elapsed:8.1f} flows/s  "
        f"{len(latencies) / elapsed:8.1f} req/s   p50 {statistics.median(latencies):7.2f} ms   "
        f"p95 {percentile(latencies, 0.95):7.2f} ms   p99 {percentile(latencies, 0.99):7.2f} ms   "
        f"flows={tally.flows} 5xx={server_errors} failures={len(tally.failures)} "
        f"violations={len(tally.violations)}"
    )
    print(cpu.line(per=max(1, tally.flows), unit="flow"))
    for problem in (tally.failures + tally.violations)[:5]:
        print("  ", problem)


if __name__ == "__main__":
    main()

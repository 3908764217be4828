"""The training room: 200 trainees, each with their own connected app, running full flows
at once against several server processes (the server `make run` uses, unless `--server`
names another) — on SQLite, then on PostgreSQL.

Every trainee cycles through four rounds (revoke, code replay, refresh-token reuse, and a
device flow polled at the server's interval), each request going to a random process.
The run is bounded in time (five minutes per database by default, catalogue row H3); it
reports requests, server errors (there must be none), latency percentiles next to the
baseline view's measured on the same processes just before, and every broken promise, and
exits non-zero if any 5xx or violation was seen.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cpu import measured  # noqa: E402
from bench.load import percentile, run_load  # noqa: E402
from bench.servers import (  # noqa: E402
    add_server_option,
    free_port,
    postgres,
    postgres_available,
    prepare_site,
    production_env,
    serve,
    sqlite_site_env,
)
from bench.trainee import create_trainee_apps, run_trainees, verify_everywhere  # noqa: E402

ROUNDS = ("revoke_round", "replay_round", "rotation_round", "device_round")


def run_room(
    database: str, *, trainees: int, seconds: float, processes: int, workers: int, server: str
) -> bool:
    ports = [free_port() for _ in range(processes)]
    issuer = f"http://127.0.0.1:{ports[0]}"
    with ExitStack() as stack:
        if database == "postgres":
            cluster = stack.enter_context(postgres())
            env = production_env(issuer, database_url=cluster.url)
            prepare_site(env)
        else:
            env = stack.enter_context(sqlite_site_env(issuer))
        apps = create_trainee_apps(env, trainees)
        servers = [
            stack.enter_context(serve(env, port=port, workers=workers, server=server))
            for port in ports
        ]
        baseline = run_load(
            servers[0],
            lambda _: ("GET", "/baseline/", None, {}),
            label="baseline view (/baseline/)",
            users=8,
            requests_per_user=150,
        )
        with measured() as cpu:
            tally, elapsed = run_trainees(servers, apps, seconds=seconds, rounds=ROUNDS)
        unverified = verify_everywhere(servers, tally.id_tokens)

    latencies = tally.latencies_ms
    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(tally.statuses.items()))
    print(
        f"\n== {database}: {trainees} trainees, {processes} processes × {workers} workers, "
        f"{server} =="
    )
    print(baseline.line())
    print(f"wall time         {elapsed:8.1f} s")
    print(f"requests          {len(latencies):8d}   ({len(latencies) / elapsed:.1f} req/s)")
    print(f"completed rounds  {tally.flows:8d}   ({tally.flows / elapsed:.2f} rounds/s)")
    print(f"statuses          {statuses}")
    print(f"5xx responses     {server_errors:8d}")
    if latencies:
        print(
            f"latency           p50 {statistics.median(latencies):.1f} ms   "
            f"p95 {percentile(latencies, 0.95):.1f} ms   p99 {percentile(latencies, 0.99):.1f} ms"
        )
    print(cpu.line(per=max(1, len(latencies)), unit="request"))
    print(f"broken promises   {len(tally.violations):8d}")
    print(f"failed rounds     {len(tally.failures):8d}")
    print(
        f"ID tokens checked {len(tally.id_tokens):8d} on each of {processes} processes, "
        f"{len(unverified)} failed"
    )
    for problem in (tally.violations + tally.failures + unverified)[:10]:
        print("   ", problem)
    return server_errors == 0 and not tally.violations and not unverified


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trainees", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    add_server_option(parser)
    options = parser.parse_args()
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{options.seconds:.0f} s per database; rounds: {', '.join(ROUNDS)}"
    )
    databases = ["sqlite", "postgres"] if options.database == "both" else [options.database]
    if "postgres" in databases and not postgres_available():
        raise SystemExit("PostgreSQL binaries are missing: apt-get install postgresql")
    results = [
        run_room(
            database,
            trainees=options.trainees,
            seconds=options.seconds,
            processes=options.processes,
            workers=options.workers,
            server=options.server,
        )
        for database in databases
    ]
    if not all(results):
        raise SystemExit("the training room saw server errors or broken promises")


if __name__ == "__main__":
    main()

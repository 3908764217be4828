"""A small, bounded HTTP load generator and a gunicorn launcher for the bench scripts.

Each virtual user is a thread with one keep-alive connection. Runs are bounded both by
request count and by time, and only ever target loopback addresses.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

# A request is (method, path, body, headers); a factory makes one per call.
Request = tuple[str, str, bytes | None, dict[str, str]]


@dataclass(frozen=True)
class Figures:
    label: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (
            f"{self.label:<34} {self.rps:8.1f} req/s   p50 {self.p50_ms:7.2f} ms   "
            f"p95 {self.p95_ms:7.2f} ms   p99 {self.p99_ms:7.2f} ms   "
            f"n={self.requests} errors={self.errors}"
        )


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return 0.0
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_load(
    base_url: str,
    make_request: Callable[[int], Request],
    *,
    label: str,
    users: int,
    requests_per_user: int,
    max_seconds: float = 30.0,
    ok_statuses: frozenset[int] = frozenset({200}),
) -> Figures:
    """Send requests from `users` threads until each sent its share or time runs out."""
    parts = urlsplit(base_url)
    if parts.hostname not in LOOPBACK:
        raise SystemExit(f"refusing to load a non-loopback address: {base_url}")
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds

    def user(number: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        mine: list[float] = []
        failed = 0
        for i in range(requests_per_user):
            if time.monotonic() > deadline:
                break
            method, path, body, headers = make_request(number * requests_per_user + i)
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status not in ok_statuses:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
            mine.append((time.perf_counter() - started) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return Figures(
        label=label,
        requests=len(latencies),
        errors=errors,
        seconds=elapsed,
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p95_ms=percentile(latencies, 0.95),
        p99_ms=percentile(latencies, 0.99),
    )


def production_env(base_url: str, database_path: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-only-secret-key-" + "b" * 40,
        DJANGO_SECURE_SSL_REDIRECT="false",
        HANDSHAKE_BASE_URL=base_url,
        HANDSHAKE_SQLITE_PATH=database_path,
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


@contextmanager
def gunicorn(*, workers: int = 2, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Migrate, seed and collect static into a throwaway database, then serve with gunicorn.

    Gunicorn runs in the foreground of its own process and is stopped by that process id.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="handshake-bench-") as tmp:
        env = production_env(base_url, str(Path(tmp) / "bench.sqlite3"))
        env.update(extra_env or {})
        manage(env, "migrate", "--noinput")
        if (ROOT / "playground" / "org" / "management" / "commands" / "seed_org.py").exists():
            manage(env, "seed_org")
        manage(env, "collectstatic", "--noinput")
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            _wait_until_listening(port, process)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited early with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start listening within 30 s")

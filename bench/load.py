"""A small, bounded HTTP load generator for the bench scripts.

Each virtual user is a thread with one keep-alive connection. Runs are bounded both by
request count and by time, and only ever target loopback addresses.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

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

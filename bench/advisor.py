"""Server time per live advisor update (the htmx partial), against the bare baseline view.

In-process through Django's test client: the full middleware stack, no network, no server.
Each live update is a different answer set, as a person clicking through the questions makes.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# Production-like (DEBUG off) but with plain static storage, so no collectstatic is needed.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from advisor import diagrams  # noqa: E402
from advisor.questions import QUESTIONS, parse_permalink  # noqa: E402
from advisor.recommendation import recommend  # noqa: E402
from advisor.scenarios import SCENARIOS  # noqa: E402

ROUNDS = 2000
WARM_UP = 200


def _live_update_queries() -> list[str]:
    """Every scenario answered one question at a time: the queries a clicking person sends."""
    order = [question.id for question in QUESTIONS]
    queries: list[str] = []
    for scenario in SCENARIOS:
        given: list[str] = []
        for question_id in order:
            if question_id in scenario.answers:
                value = scenario.answers[question_id].replace(" ", "+").replace(",", "%2C")
                given.append(f"{question_id}={value}")
                queries.append("&".join(given))
    return queries


def _measure(request: Callable[[int], int], rounds: int, *, warm_up: int = WARM_UP) -> list[float]:
    for index in range(warm_up):
        request(index)
    timings: list[float] = []
    for index in range(rounds):
        start = time.perf_counter()
        status = request(index)
        timings.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
    return timings


def _line(label: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(len(ordered) * 0.99))]
    return f"{label:<44} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   (n={len(ordered)})"


def main() -> None:
    client = Client(HTTP_HOST="127.0.0.1")
    queries = _live_update_queries()
    print(f"Python {platform.python_version()} on {platform.machine()}, in-process test client")
    print(f"{len(queries)} distinct answer sets, cycled over {ROUNDS} requests each\n")

    baseline = _measure(lambda _: client.get("/baseline/").status_code, ROUNDS)
    live = _measure(
        lambda i: (
            client.get(
                f"/advisor/?{queries[i % len(queries)]}", headers={"HX-Request": "true"}
            ).status_code
        ),
        ROUNDS,
    )
    full = _measure(
        lambda i: client.get(f"/advisor/?{queries[i % len(queries)]}").status_code, ROUNDS // 4
    )
    # One answer set per distinct drawing, from an empty cache: every request runs dot.
    distinct = list(
        {
            diagrams.build_graph(recommend(parse_permalink(query))).source: query
            for query in queries
        }.values()
    )
    diagrams._render.cache_clear()
    cold = _measure(
        lambda i: client.get(f"/advisor/diagram.svg?{distinct[i]}").status_code,
        len(distinct),
        warm_up=0,
    )
    cached = _measure(
        lambda i: client.get(f"/advisor/diagram.svg?{queries[i % len(queries)]}").status_code,
        ROUNDS // 4,
    )

    print(_line("baseline view (/baseline/)", baseline))
    print(_line("live update (htmx partial, /advisor/)", live))
    print(_line("full page (/advisor/)", full))
    print(_line("diagram, first drawing (runs dot)", cold))
    print(_line("diagram, cached drawing", cached))
    extra = statistics.median(live) - statistics.median(baseline)
    print(f"\nA live update costs {extra:.2f} ms more than the baseline at the median.")


if __name__ == "__main__":
    main()

"""The event bus under a room's worth of subscribers, on the server `make run` starts.

One throwaway site (SQLite, or PostgreSQL with --database postgres) served by uvicorn with
config.asgi, 2 workers. 200 CometD subscribers (each with its own client-credentials token,
long polls as Salesforce's clients make them, asyncio + httpx in a process of their own) listen
on /event/Order_Placed__e; one publisher POSTs events over the REST API at a steady rate. Prints
the events published per second, the time from publish (the POST sent) to each delivery (p50 and
p99 over every subscriber's copy), and the baseline view measured idle, with the subscribers
connected, and while publishing: the baseline is the reference for the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import queue
import sys
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import Figures, Request, percentile, run_load  # noqa: E402
from bench.servers import (  # noqa: E402
    free_port,
    manage,
    postgres,
    postgres_available,
    prepare_site,
    production_env,
    serve,
    sqlite_site_env,
)
from config.org_paths import API_VERSION  # noqa: E402

CHANNEL = "/event/Order_Placed__e"
SERVER = "uvicorn (config.asgi)"  # what `make run` serves
WORKERS = 2
BASELINE: Request = ("GET", "/baseline/", None, {})
# Handshakes in flight at once while the room connects (each one checks a token and writes).
JOINING_AT_ONCE = 20
# After the last subscriber joined, the time its first connects take to be answered and the
# next ones to be held: "connected" is measured once they are waiting, not while they join.
SETTLE_SECONDS = 3


@dataclass
class Swarm:
    """What the subscribers' process reports: how many connected, and every delivery."""

    connected: int = 0
    failures: list[str] = field(default_factory=list)
    # Order number → the monotonic time of each copy a subscriber received.
    deliveries: dict[str, list[float]] = field(default_factory=dict)


async def _bayeux(client: httpx.AsyncClient, url: str, message: dict[str, Any]) -> list[Any]:
    answer = await client.post(url, json=[message])
    answer.raise_for_status()
    replies: list[Any] = answer.json()
    return replies


async def _subscribe(client: httpx.AsyncClient, url: str) -> str:
    (shook,) = await _bayeux(
        client,
        url,
        {
            "channel": "/meta/handshake",
            "version": "1.0",
            "supportedConnectionTypes": ["long-polling"],
            "ext": {"replay": True},
        },
    )
    if not shook.get("successful"):
        raise RuntimeError(f"handshake refused: {shook}")
    client_id = str(shook["clientId"])
    subscribe = {
        "channel": "/meta/subscribe",
        "clientId": client_id,
        "subscription": CHANNEL,
        "ext": {"replay": {CHANNEL: -1}},
    }
    (subscribed,) = await _bayeux(client, url, subscribe)
    if not subscribed.get("successful"):
        raise RuntimeError(f"subscribe refused: {subscribed}")
    return client_id


async def _listen(client: httpx.AsyncClient, url: str, client_id: str, swarm: Swarm) -> None:
    connect = {"channel": "/meta/connect", "clientId": client_id, "connectionType": "long-polling"}
    while True:
        for reply in await _bayeux(client, url, connect):
            if reply.get("channel") == CHANNEL:
                number = reply["data"]["payload"]["Order_Number__c"]
                swarm.deliveries.setdefault(number, []).append(time.monotonic())
            elif reply.get("channel") == "/meta/connect" and not reply.get("successful"):
                raise RuntimeError(f"connect refused: {reply}")


async def _subscriber(url: str, token: str, swarm: Swarm, joining: asyncio.Semaphore) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    # Longer than the server's 110 s hold: a quiet long poll is not a failure.
    async with httpx.AsyncClient(headers=headers, timeout=130) as client:
        try:
            async with joining:
                client_id = await _subscribe(client, url)
            swarm.connected += 1
            await _listen(client, url, client_id, swarm)
        except (httpx.HTTPError, RuntimeError, ValueError, KeyError) as failed:
            swarm.failures.append(f"{type(failed).__name__}: {str(failed).splitlines()[0]}")


async def _swarm(url: str, tokens: list[str], control: Any, results: Any) -> None:
    swarm = Swarm()
    joining = asyncio.Semaphore(JOINING_AT_ONCE)
    tasks = [asyncio.create_task(_subscriber(url, t, swarm, joining)) for t in tokens]
    while swarm.connected + len(swarm.failures) < len(tokens):
        await asyncio.sleep(0.1)
    await asyncio.sleep(SETTLE_SECONDS)
    results.put(("ready", swarm.connected, list(swarm.failures)))
    # The main process sends the order numbers it published, then waits for the report.
    expected = await asyncio.to_thread(control.get)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(
        len(swarm.deliveries.get(number, ())) < swarm.connected for number in expected
    ):
        await asyncio.sleep(0.2)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    results.put(("done", swarm.connected, list(swarm.failures), swarm.deliveries))


def _run_swarm(url: str, tokens: list[str], control: Any, results: Any) -> None:
    asyncio.run(_swarm(f"{url}/cometd/{API_VERSION}", tokens, control, results))


@dataclass(frozen=True)
class Published:
    number: str
    sent: float
    answered: float
    ok: bool


def _publish(url: str, token: str, *, rate: float, seconds: float) -> list[Published]:
    """POST Order_Placed__e events at `rate` per second for `seconds`, one at a time."""
    path = f"/services/data/v{API_VERSION}/sobjects/Order_Placed__e/"
    published = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        start = time.monotonic()
        for n in range(int(rate * seconds)):
            # A steady schedule: wait for the event's slot, unless the last POST overran it;
            # a publisher that falls behind stops at the end of the time all the same.
            time.sleep(max(0.0, start + n / rate - time.monotonic()))
            if time.monotonic() > start + seconds:
                break
            number = f"BENCH-{n}"
            sent = time.monotonic()
            answer = client.post(
                path, json={"Order_Number__c": number, "Amount__c": n, "Customer__c": "Bench"}
            )
            published.append(Published(number, sent, time.monotonic(), answer.status_code == 201))
    return published


def _token(url: str, app: dict[str, str]) -> str:
    form = {"grant_type": "client_credentials", **app}
    answer = httpx.post(f"{url}/services/oauth2/token", data=form, timeout=30)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def _baseline(url: str, label: str, *, requests: int) -> Figures:
    return run_load(url, lambda _: BASELINE, label=label, users=4, requests_per_user=requests)


def _report(published: list[Published], swarm: tuple[Any, ...], baselines: list[Figures]) -> None:
    _, connected, failures, deliveries = swarm
    for figures in baselines:
        print(figures.line())
    idle = baselines[0]
    for figures in baselines[1:]:
        print(
            f"  {figures.label}: p50 {figures.p50_ms / idle.p50_ms:.2f}× idle, "
            f"p99 {figures.p99_ms / idle.p99_ms:.2f}× idle"
        )
    ok = [p for p in published if p.ok]
    elapsed = published[-1].answered - published[0].sent if published else 0.0
    posts = [(p.answered - p.sent) * 1000 for p in published]
    print(
        f"published: {len(ok)} of {len(published)} events in {elapsed:.1f} s = "
        f"{len(ok) / elapsed if elapsed else 0:.1f} events/s; "
        f"POST p50 {percentile(posts, 0.5):.1f} ms, p99 {percentile(posts, 0.99):.1f} ms"
    )
    latencies = [
        (received - p.sent) * 1000 for p in ok for received in deliveries.get(p.number, ())
    ]
    copies = {p.number: len(deliveries.get(p.number, ())) for p in ok}
    print(
        f"subscribers: {connected} connected; {len(failures)} failures {sorted(set(failures))}; "
        "deliveries "
        f"{sum(copies.values())} of {len(ok) * connected}, "
        f"{sum(1 for n in copies.values() if n > connected)} events delivered twice to someone"
    )
    print(
        f"publish → delivery: p50 {percentile(latencies, 0.5):.1f} ms, "
        f"p99 {percentile(latencies, 0.99):.1f} ms, max {max(latencies, default=0):.1f} ms"
    )


def _site(stack: ExitStack, database: str, base_url: str) -> dict[str, str]:
    if database == "sqlite":
        return stack.enter_context(sqlite_site_env(base_url))
    env = production_env(base_url, database_url=stack.enter_context(postgres()).url)
    prepare_site(env)
    return env


def run(database: str, *, subscribers: int, rate: float, seconds: float) -> None:
    port = free_port()
    with ExitStack() as stack:
        env = _site(stack, database, f"http://127.0.0.1:{port}")
        app = json.loads(
            manage(env, "create_connected_app", "--json", "--name=Events bench",
                   "--grant=client_credentials", "--scope=api", "--run-as=ada@handshake.example")
        )  # fmt: skip
        app = {key: app[key] for key in ("client_id", "client_secret")}
        url = stack.enter_context(serve(env, port=port, workers=WORKERS, server=SERVER))
        tokens = [_token(url, app) for _ in range(subscribers + 1)]
        _baseline(url, "warm-up", requests=50)
        baselines = [_baseline(url, "baseline view, idle", requests=250)]

        spawn = multiprocessing.get_context("spawn")
        control, results = spawn.Queue(), spawn.Queue()
        swarm = spawn.Process(target=_run_swarm, args=(url, tokens[1:], control, results))
        swarm.start()
        try:
            _, connected, failures = results.get(timeout=300)
            refused = sorted(set(failures))
            print(f"{connected} subscribers connected; {len(failures)} failed {refused}")
            label = f"baseline view, {connected} subscribers connected"
            baselines.append(_baseline(url, label, requests=250))
            out: queue.Queue[list[Published]] = queue.Queue()
            publisher = threading.Thread(
                target=lambda: out.put(_publish(url, tokens[0], rate=rate, seconds=seconds))
            )
            publisher.start()
            baselines.append(_baseline(url, "baseline view, while publishing", requests=250))
            publisher.join()
            published = out.get()
            control.put([p.number for p in published if p.ok])
            _report(published, results.get(timeout=120), baselines)
        finally:
            swarm.join(timeout=10)
            if swarm.is_alive():
                swarm.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20, help="events published per second")
    parser.add_argument("--seconds", type=float, default=15)
    options = parser.parse_args()
    databases = ["sqlite", "postgres"] if options.database == "both" else [options.database]
    if "postgres" in databases and not postgres_available():
        raise SystemExit("PostgreSQL binaries are missing: apt-get install postgresql")
    for database in databases:
        print(
            f"\n== {database}: Python {platform.python_version()}, {os.cpu_count()} CPUs, "
            f"{SERVER}, {WORKERS} workers; {options.subscribers} subscribers on {CHANNEL}, "
            f"{options.rate:g} events/s for {options.seconds:g} s =="
        )
        run(database, subscribers=options.subscribers, rate=options.rate, seconds=options.seconds)


if __name__ == "__main__":
    main()

"""Under ASGI, a request body reaches Django no longer than one byte past the largest cap."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from hypothesis import given
from hypothesis import strategies as st

from config.asgi_bodies import CappedBodies


def _run_alone(coroutine):
    # In a thread of its own: Playwright's tests leave an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _run(app, messages):
    """Send `messages` to `app` as a server would; returns the body the app read and what
    the app's later receive() calls got."""
    queue = list(messages) + [{"type": "http.disconnect"}]
    read = bytearray()
    after = []

    async def receive():
        return queue.pop(0)

    async def inner(scope, receive, send):
        while True:  # as Django's ASGIHandler.read_body does
            message = await receive()
            read.extend(message.get("body", b""))
            if not message.get("more_body", False):
                break
        after.append(await receive())  # as Django's listen_for_disconnect does

    async def send(message):
        pass

    _run_alone(CappedBodies(inner, limit=app)({"type": "http"}, receive, send))
    return bytes(read), after


def _chunks(body: bytes, size: int):
    parts = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    return [
        {"type": "http.request", "body": part, "more_body": n < len(parts) - 1}
        for n, part in enumerate(parts)
    ]


@given(
    body=st.binary(max_size=400),
    size=st.integers(min_value=1, max_value=64),
    limit=st.integers(min_value=0, max_value=300),
)
def test_the_app_reads_the_body_whole_or_one_byte_past_the_limit(body, size, limit):
    read, after = _run(limit, _chunks(body, size))

    assert read == body[: limit + 1]
    # What came past the cap was dropped; the app's next receive() sees the disconnect.
    assert after == [{"type": "http.disconnect"}]


def test_other_scopes_pass_untouched():
    seen = []

    async def inner(scope, receive, send):
        seen.append(await receive())

    async def receive():
        return {"type": "lifespan.startup"}

    async def send(message):
        pass

    _run_alone(CappedBodies(inner, limit=0)({"type": "lifespan"}, receive, send))
    assert seen == [{"type": "lifespan.startup"}]

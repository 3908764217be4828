"""config.asgi sends CometD streaming to Django's async handler and the rest to the WSGI site."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.local import Local

from config.serving import SiteRouter, threaded_wsgi


def _run_alone(coroutine):
    # In a thread of its own: Playwright's tests leave an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _route(scope):
    reached = []

    def app(name):
        async def called(scope, receive, send):
            reached.append(name)

        return called

    async def nothing():
        return {}

    async def ignore(message):
        pass

    router = SiteRouter(streaming=app("streaming"), site=app("site"))
    _run_alone(router(scope, nothing, ignore))
    return reached


@pytest.mark.parametrize("path", ["/cometd/62.0", "/cometd", "/cometd/", "/cometd/replay/36.0"])
def test_streaming_paths_go_to_the_async_handler(path):
    assert _route({"type": "http", "path": path}) == ["streaming"]


@pytest.mark.parametrize("path", ["/", "/cometdx", "/services/oauth2/token", "/baseline/"])
def test_other_paths_go_to_the_wsgi_site(path):
    assert _route({"type": "http", "path": path}) == ["site"]


def test_lifespan_goes_to_the_wsgi_site():
    assert _route({"type": "lifespan"}) == ["site"]


def _get(path="/"):
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "http_version": "1.1",
        "headers": [],
    }


async def _request(app, scope):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    return sent


def test_a_pool_thread_keeps_its_context_local_state_from_one_request_to_the_next():
    local = Local()  # where Django keeps its database connections
    seen = []

    def wsgi(environ, start_response):
        seen.append(getattr(local, "connection", None))
        local.connection = "kept"
        start_response("200 OK", [])
        return InContextProbe(local, seen)

    class InContextProbe(list[bytes]):
        def __init__(self, local, seen):
            super().__init__([b"ok"])
            self.local, self.seen = local, seen

        def close(self):  # Django's request_finished runs here, where the request ran
            self.seen.append(getattr(self.local, "connection", None))

    app = threaded_wsgi(wsgi, threads=1)

    async def twice():
        await _request(app, _get())
        await _request(app, _get())

    _run_alone(twice())
    # Without a context per thread the second request starts with nothing, and close() runs
    # where the connection cannot be seen.
    assert seen == [None, "kept", "kept", "kept"]


def test_the_wsgi_site_sees_a_terminated_input_and_its_body():
    seen = {}

    def wsgi(environ, start_response):
        seen["terminated"] = environ["wsgi.input_terminated"]
        seen["body"] = environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    messages = [
        {"type": "http.request", "body": b"a=", "more_body": True},
        {"type": "http.request", "body": b"1", "more_body": False},
    ]
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "query_string": b"",
        "http_version": "1.1",
        "headers": [(b"transfer-encoding", b"chunked")],
    }
    _run_alone(threaded_wsgi(wsgi, threads=1)(scope, receive, send))

    assert seen == {"terminated": True, "body": b"a=1"}
    assert sent[0]["status"] == 200
    assert b"".join(message.get("body", b"") for message in sent[1:]) == b"ok"

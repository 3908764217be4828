"""Request bodies sent chunked (no Content-Length) are read like sized ones, with the same caps."""

from __future__ import annotations

import http.client
import io
import json
import urllib.parse
from collections.abc import Iterator
from wsgiref.util import is_hop_by_hop

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.servers import free_port, manage, serve, sqlite_site_env
from config.chunked_bodies import ChunkedBodies

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Recorder:
    """A WSGI app that answers with what it was given."""

    def __init__(self):
        self.environ = {}
        self.body = b""

    def __call__(self, environ, start_response):
        self.environ = environ
        self.body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


def _call(app, environ):
    seen = {}

    def start_response(status, headers):
        # PEP 3333: an application sends no hop-by-hop header (wsgiref refuses one).
        assert not any(is_hop_by_hop(name) for name, _ in headers), headers
        seen["status"] = status

    answer = app(environ, start_response)
    body = b"".join(answer)
    getattr(answer, "close", lambda: None)()
    return seen["status"], body


def _chunked_environ(body: bytes, **extra):
    return {
        "REQUEST_METHOD": "POST",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        **extra,
    }


@given(body=st.binary(max_size=300), limit=st.integers(min_value=0, max_value=200))
def test_a_chunked_body_reaches_the_app_whole_or_one_byte_past_the_limit(body, limit):
    inner = Recorder()
    status, _ = _call(ChunkedBodies(inner, limit=limit), _chunked_environ(body))
    assert status == "200 OK"
    expected = body[: limit + 1]
    assert inner.body == expected
    assert inner.environ["CONTENT_LENGTH"] == str(len(expected))


def test_a_body_past_the_limit_is_not_read_further():
    stream = io.BytesIO(b"x" * 10_000)
    inner = Recorder()
    _call(ChunkedBodies(inner, limit=100), _chunked_environ(b"", **{"wsgi.input": stream}))
    assert stream.tell() == 101
    assert inner.environ["CONTENT_LENGTH"] == "101"


def test_a_sized_body_is_left_to_django():
    stream = io.BytesIO(b"a=1")
    environ = {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": "3", "wsgi.input": stream}
    inner = Recorder()
    _call(ChunkedBodies(inner, limit=1), environ)
    assert inner.environ["wsgi.input"] is stream
    assert inner.body == b"a=1"


def test_a_server_that_does_not_decode_chunks_gets_length_required():
    inner = Recorder()
    environ = _chunked_environ(b"5\r\nhello\r\n0\r\n\r\n", **{"wsgi.input_terminated": False})
    status, body = _call(ChunkedBodies(inner, limit=100), environ)
    assert status == "411 Length Required"
    assert b"Content-Length" in body
    assert inner.environ == {}


def test_gzip_then_chunked_is_still_chunked_and_chunked_then_gzip_is_not():
    inner = Recorder()
    _call(
        ChunkedBodies(inner, limit=100),
        _chunked_environ(b"a=1", HTTP_TRANSFER_ENCODING="gzip, chunked"),
    )
    assert inner.environ["CONTENT_LENGTH"] == "3"
    inner = Recorder()
    _call(
        ChunkedBodies(inner, limit=100),
        _chunked_environ(b"a=1", HTTP_TRANSFER_ENCODING="chunked, gzip"),
    )
    assert "CONTENT_LENGTH" not in inner.environ


# gunicorn decodes the chunks for config.wsgi; uvicorn for config.asgi, as `make run` serves it.
@pytest.fixture(scope="module", params=["gunicorn sync", "uvicorn (config.asgi)"])
def site(request) -> Iterator[tuple[int, dict[str, str]]]:
    port = free_port()
    with sqlite_site_env(f"http://127.0.0.1:{port}") as env:
        app = json.loads(
            manage(
                env,
                "create_connected_app",
                "--json",
                "--name=chunked",
                "--grant=client_credentials",
                "--scope=api",
                "--run-as=ada@handshake.example",
            )
        )
        with serve(env, port=port, workers=1, server=request.param):
            yield port, app


def _post(port, path, body: bytes, *, chunked: bool, headers=FORM):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        if chunked:
            # Two chunks, as a streaming client sends them; http.client adds no length.
            parts = iter([body[: len(body) // 2], body[len(body) // 2 :]])
            connection.request("POST", path, body=parts, headers=headers, encode_chunked=True)
        else:
            connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


def _form(**fields):
    return urllib.parse.urlencode(fields).encode()


def test_a_chunked_token_request_gets_a_token(site):
    port, app = site
    body = _form(grant_type="client_credentials", **app)
    status, _, answer = _post(port, "/services/oauth2/token", body, chunked=True)
    assert status == 200, answer
    assert json.loads(answer)["access_token"]


def test_chunked_revoke_and_introspect_read_their_bodies(site):
    port, app = site
    _, _, answer = _post(
        port, "/services/oauth2/token", _form(grant_type="client_credentials", **app), chunked=True
    )
    token = json.loads(answer)["access_token"]
    introspect = _form(token=token, **app)
    status, _, answer = _post(port, "/services/oauth2/introspect", introspect, chunked=True)
    assert (status, json.loads(answer)["active"]) == (200, True)
    status, _, _ = _post(port, "/services/oauth2/revoke", _form(token=token, **app), chunked=True)
    assert status == 200
    status, _, answer = _post(port, "/services/oauth2/introspect", introspect, chunked=True)
    assert (status, json.loads(answer)["active"]) == (200, False)


def test_an_oversized_chunked_token_request_is_refused_as_a_sized_one_is(site):
    port, app = site
    body = _form(grant_type="client_credentials", padding="p" * (3 * 1024 * 1024), **app)
    sized = _post(port, "/services/oauth2/token", body, chunked=False)
    chunked = _post(port, "/services/oauth2/token", body, chunked=True)
    assert sized[0] >= 400
    assert chunked[:2] == sized[:2]


def _bearer(port, app):
    _, _, answer = _post(
        port, "/services/oauth2/token", _form(grant_type="client_credentials", **app), chunked=True
    )
    return {"Authorization": f"Bearer {json.loads(answer)['access_token']}"}


def test_a_chunked_rest_write_creates_the_record(site):
    port, app = site
    headers = {**_bearer(port, app), "Content-Type": "application/json"}
    body = json.dumps({"Name": "Sent in chunks"}).encode()

    status, _, answer = _post(port, "/services/data/v62.0/sobjects/Account/", body, chunked=True,
                              headers=headers)  # fmt: skip

    assert status == 201, answer
    assert json.loads(answer)["success"] is True


def test_an_oversized_chunked_rest_write_gets_the_same_413_as_a_sized_one(site):
    port, app = site
    headers = {**_bearer(port, app), "Content-Type": "application/json"}
    body = json.dumps({"Name": "x", "Description": "d" * (1024 * 1024)}).encode()
    path = "/services/data/v62.0/sobjects/Account/"

    sized = _post(port, path, body, chunked=False, headers=headers)
    chunked = _post(port, path, body, chunked=True, headers=headers)

    assert sized[0] == chunked[0] == 413
    assert json.loads(chunked[2])[0]["errorCode"] == "REQUEST_ENTITY_TOO_LARGE"

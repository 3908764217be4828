"""WSGI middleware that gives Django a sized body when a request's body arrives chunked.

Django's WSGIRequest reads `CONTENT_LENGTH` bytes and no more, so a body sent with
`Transfer-Encoding: chunked` and no length (what Node's fetch sends) reads as empty. Servers
that decode the chunks themselves and end the stream at the body's end say so with
`wsgi.input_terminated` (gunicorn does); for them the body is copied, up to one byte past the
largest body any endpoint accepts, into a spooled file, and its length becomes the request's
`CONTENT_LENGTH`. An endpoint then applies its own cap exactly as it does to a sized body (one
byte past the largest cap is enough for every cap to see that it is exceeded).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from django.conf import settings

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

BLOCK = 64 * 1024

LENGTH_REQUIRED = (
    b"This server cannot read a chunked request body here: send it with a Content-Length.\n"
)


def is_chunked(environ: dict[str, Any]) -> bool:
    # RFC 9112 §6.1: chunked is the final transfer coding; §6.3: with it, a Content-Length
    # is ignored, and servers that pass one on have already decoded the chunks.
    codings = environ.get("HTTP_TRANSFER_ENCODING", "").lower().split(",")
    return codings[-1].strip() == "chunked" and not environ.get("CONTENT_LENGTH")


def spool(stream: IO[bytes], *, limit: int) -> tuple[IO[bytes], int]:
    """Copy at most `limit` + 1 bytes of `stream`; returns the copy (rewound) and its size."""
    # Closed with the response (ClosingAlso), so no `with` here.
    copy = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
    size = 0
    while size <= limit:
        block = stream.read(min(BLOCK, limit + 1 - size))
        if not block:
            break
        copy.write(block)
        size += len(block)
    copy.seek(0)
    return copy, size


class ChunkedBodies:
    """Wraps a WSGI application so that chunked request bodies reach Django with a length."""

    def __init__(self, application: WsgiApp, *, limit: int) -> None:
        self.application = application
        self.limit = limit

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not is_chunked(environ):
            return self.application(environ, start_response)
        if not environ.get("wsgi.input_terminated"):
            # RFC 9112 §6.3: a server that cannot tell where the body ends may answer 411.
            # No Connection header: PEP 3333 leaves hop-by-hop headers to the server.
            start_response("411 Length Required", [("Content-Type", "text/plain; charset=utf-8")])
            return [LENGTH_REQUIRED]
        body, size = spool(environ["wsgi.input"], limit=self.limit)
        environ["wsgi.input"] = body
        environ["CONTENT_LENGTH"] = str(size)
        return ClosingAlso(self.application(environ, start_response), body)


class ClosingAlso:
    """A response iterable whose close() (PEP 3333: the server calls it) also closes `extra`."""

    def __init__(self, response: Iterable[bytes], extra: IO[bytes]) -> None:
        self.response = response
        self.extra = extra

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.response)

    def close(self) -> None:
        try:
            close = getattr(self.response, "close", None)
            if close is not None:
                close()
        finally:
            self.extra.close()

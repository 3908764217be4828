"""Reading a response body up to a cap, decompressing no further than the cap.

httpx decompresses each network chunk whole before anyone can count it, so 64 KiB of gzip
can become 64 MiB in one step. Here the raw bytes go through zlib with a limit on its
output, and reading stops as soon as the cap is passed.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import httpx


class UnreadableBody(Exception):
    """The body is compressed in a way this reader does not undo, or is corrupt."""


@dataclass(frozen=True)
class CappedBody:
    content: bytes  # at most `limit` bytes
    cut: bool  # more followed, and was not read


def _is_zlib(start: bytes) -> bool:
    # RFC 1950 §2.2: method 8 in CMF, and CMF·256 + FLG a multiple of 31.
    return len(start) >= 2 and start[0] & 0x0F == 8 and (start[0] * 256 + start[1]) % 31 == 0


def _decompressor(encoding: str, start: bytes) -> zlib._Decompress | None:
    # RFC 9110 §8.4.1: gzip and deflate (the zlib format) are the codings the client offers.
    coding = encoding.strip().lower()
    if coding in {"", "identity"}:
        return None
    if coding in {"gzip", "x-gzip"}:
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if coding == "deflate":
        # Some servers send raw deflate without the zlib wrapper, as browsers tolerate.
        return zlib.decompressobj(zlib.MAX_WBITS if _is_zlib(start) else -zlib.MAX_WBITS)
    raise UnreadableBody(f"The body is encoded as {encoding!r}, which was not asked for.")


def read_capped(response: httpx.Response, limit: int) -> CappedBody:
    """Up to `limit` bytes of the decoded body; raises UnreadableBody."""
    if response.is_stream_consumed:
        # Read before it came here (a client's mock transport): already decoded, in memory.
        return CappedBody(response.content[:limit], cut=len(response.content) > limit)
    encoding = response.headers.get("Content-Encoding", "")
    decompressor: zlib._Decompress | None = None
    content = bytearray()
    for index, chunk in enumerate(response.iter_raw()):
        if index == 0:
            decompressor = _decompressor(encoding, chunk)
        pending = chunk
        while pending:
            room = limit + 1 - len(content)
            if decompressor is None:
                content += pending[:room]
                pending = b""
            else:
                try:
                    content += decompressor.decompress(pending, room)
                except zlib.error as problem:
                    raise UnreadableBody(f"The compressed body is corrupt ({problem}).") from None
                pending = decompressor.unconsumed_tail
            if len(content) > limit:
                return CappedBody(bytes(content[:limit]), cut=True)
    return CappedBody(bytes(content), cut=False)

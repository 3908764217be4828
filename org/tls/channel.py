"""TLS over one accepted connection, driven by hand through memory buffers.

Python's ssl runs the protocol (ssl.SSLObject over two ssl.MemoryBIO buffers, as
SSLContext.wrap_bio gives); this module only moves bytes between those buffers and the socket.
Doing it by hand, rather than through asyncio's start_tls, means a refused handshake still sends
its alert (RFC 8446 §6.2: unknown_ca, certificate_expired, bad_certificate…) before the
connection closes, so the client learns why.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl

READ_SIZE = 64 * 1024


class TlsChannel:
    def __init__(
        self,
        context: ssl.SSLContext,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self.tls = context.wrap_bio(self._incoming, self._outgoing, server_side=True)
        self._reader = reader
        self._writer = writer

    async def handshake(self) -> None:
        """Complete the handshake; raises ssl.SSLError (after sending the alert) or
        ConnectionResetError when the client hangs up."""
        while True:
            try:
                self.tls.do_handshake()
            except ssl.SSLWantReadError:
                await self._flush()
                await self._receive()
                continue
            except ssl.SSLError:
                await self._flush()  # the alert that says why
                raise
            await self._flush()
            return

    async def read(self) -> bytes:
        """Decrypted application data; b"" once the client has closed."""
        while True:
            try:
                return self.tls.read(READ_SIZE)
            except ssl.SSLWantReadError:
                await self._flush()  # TLS 1.3 may have something to say first (tickets, acks)
                if not await self._receive(allow_eof=True):
                    return b""
            except ssl.SSLZeroReturnError:
                return b""

    async def write(self, data: bytes) -> None:
        self.tls.write(data)
        await self._flush()

    async def close(self) -> None:
        """Send close_notify (RFC 8446 §6.1) without waiting for the client's."""
        with contextlib.suppress(ssl.SSLError):
            self.tls.unwrap()
        with contextlib.suppress(OSError, ConnectionError):
            await self._flush()

    async def _receive(self, *, allow_eof: bool = False) -> bool:
        data = await self._reader.read(READ_SIZE)
        if not data:
            if allow_eof:
                return False
            raise ConnectionResetError("the client closed the connection mid-handshake")
        self._incoming.write(data)
        return True

    async def _flush(self) -> None:
        data = self._outgoing.read()
        if data:
            self._writer.write(data)
            await self._writer.drain()

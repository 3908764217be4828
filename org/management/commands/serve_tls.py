from __future__ import annotations

import asyncio
import logging
import signal
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.wsgi import get_wsgi_application

from org.tls import authority, listener
from org.tls.contexts import ServerContexts


class Command(BaseCommand):
    help = (
        "Serve the site over TLS 1.2/1.3, asking every client for a certificate (RFC 8705 "
        "mutual TLS) without requiring one."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8443)
        parser.add_argument("--workers", type=int, default=8, help="threads running Django")
        parser.add_argument(
            "--handshake-timeout",
            type=float,
            default=listener.HANDSHAKE_SECONDS,
            help="seconds a client has to finish its handshake",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["port"] < 65536:
            raise CommandError("--port must be between 1 and 65535")
        # Each refused handshake is one line at INFO (Django's root logger shows WARNING up).
        logging.getLogger("org.tls").setLevel(logging.INFO)
        contexts = ServerContexts()
        contexts.current()  # make the CA and server certificate now, not on the first client
        server = listener.TlsListener(
            get_wsgi_application(),
            context=contexts.current,
            workers=options["workers"],
            limits=listener.Limits(handshake_seconds=options["handshake_timeout"]),
        )
        url = f"https://{options['host']}:{options['port']}"

        def ready() -> None:
            self.stdout.write(
                f"Serving {url} over TLS (client certificates asked for, not required); "
                f"the org's CA: {settings.HANDSHAKE_BASE_URL}/setup/tls/ca.pem "
                f"(names: {', '.join(authority.server_names())})",
            )
            self.stdout.flush()

        try:
            asyncio.run(_serve(server, options["host"], options["port"], ready))
        except OSError as error:
            raise CommandError(f"cannot listen on {url}: {error.strerror}") from None
        finally:
            server.close()


async def _serve(server: listener.TlsListener, host: str, port: int, ready: Any) -> None:
    task = asyncio.ensure_future(server.serve(host, port, ready=ready))
    loop = asyncio.get_running_loop()
    for stop in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        return

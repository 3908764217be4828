"""ASGI entry point, what `make run` serves: `uvicorn config.asgi:application`.

CometD streaming (/cometd/) runs in Django's ASGI handler, every other request in the WSGI
site (config/wsgi.py, chunked bodies included) on a thread pool: config/serving.py says why.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

from config.asgi_bodies import CappedBodies
from config.serving import SiteRouter, close_connections_after_async_requests, threaded_wsgi
from config.wsgi import application as wsgi_application
from org.streaming.db_calls import pooled

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _threads() -> int:
    # Threads per process for the WSGI views; see bench/README.md for how 4 was chosen.
    raw = os.environ.get("HANDSHAKE_WSGI_THREADS", "4")
    if not raw.isdigit() or int(raw) < 1:
        raise ImproperlyConfigured(f"HANDSHAKE_WSGI_THREADS must be a whole number ≥ 1: {raw!r}")
    return int(raw)


close_connections_after_async_requests()
application = CappedBodies(
    SiteRouter(
        streaming=pooled(get_asgi_application()),
        site=threaded_wsgi(wsgi_application, threads=_threads()),
    ),
    limit=settings.MAX_REQUEST_BODY_BYTES,
)

"""WSGI entry point for gunicorn: `gunicorn config.wsgi`."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from config.chunked_bodies import ChunkedBodies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = ChunkedBodies(get_wsgi_application(), limit=settings.MAX_REQUEST_BODY_BYTES)

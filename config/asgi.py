"""ASGI entry point."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.asgi import get_asgi_application

from config.asgi_bodies import CappedBodies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = CappedBodies(get_asgi_application(), limit=settings.MAX_REQUEST_BODY_BYTES)

"""Fast, deterministic settings for pytest: only overrides."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-any-real-site")
os.environ.setdefault("HANDSHAKE_ALLOW_PRIVATE_TARGETS", "true")

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Serve static files straight from the source folders: tests never run collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Tests process Bulk API jobs themselves (org.bulk.processing.process_all), in their own
# transaction; servers started by tests run the worker thread.
HANDSHAKE_BULK_WORKER = False

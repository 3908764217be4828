"""Every setting, read from the environment through typed helpers that fail clearly."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, *, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, *, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_url(name: str, *, default: str) -> str:
    raw = os.environ.get(name, default).strip().rstrip("/")
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must be an absolute http(s) URL, not {raw!r}")
    if parts.query or parts.fragment:
        raise ImproperlyConfigured(f"{name} must not carry a query or fragment: {raw!r}")
    return raw


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false "
            "(for local development, `make run` sets DJANGO_DEBUG=true)."
        )
    SECRET_KEY = "development-only-insecure-key-never-use-in-production"  # noqa: S105

# The org's issuer and the base of every URL it hands out. RFC 8414 §3.3 / OIDC Discovery §4.3:
# the issuer must be exactly this value, so it is configured, never taken from the Host header.
HANDSHAKE_BASE_URL = env_url("HANDSHAKE_BASE_URL", default="http://127.0.0.1:8000")
_base = urlsplit(HANDSHAKE_BASE_URL)
HANDSHAKE_BASE_IS_LOOPBACK_HTTP = _base.scheme == "http" and _base.hostname in {
    "127.0.0.1",
    "localhost",
    "::1",
}

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", default=f"127.0.0.1,localhost,[::1],{_base.hostname}"
)
CSRF_TRUSTED_ORIGINS = env_list(
    "DJANGO_CSRF_TRUSTED_ORIGINS", default=f"{_base.scheme}://{_base.netloc}"
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "advisor",
    "playground",
    "org",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads a form: a non-UTF-8 form body gets one 400 (config/form_charset.py).
    "config.form_charset.FormCharsetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A 405 with no body becomes the site's 405 page (config/method_not_allowed.py).
    "config.method_not_allowed.MethodNotAllowedPageMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# SQLite by default, tuned for several server processes: WAL lets readers run beside a
# writer, IMMEDIATE takes the write lock at BEGIN (no upgrade deadlock), and the timeout
# makes a writer wait instead of failing with "database is locked".
_SQLITE_PATH = os.environ.get("HANDSHAKE_SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
DATABASES: dict[str, dict[str, Any]] = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": _SQLITE_PATH,
        # Keep each worker's connection: reopening costs the PRAGMAs below on every request.
        "CONN_MAX_AGE": env_int("DJANGO_CONN_MAX_AGE", default=300),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA foreign_keys=ON;"
            ),
        },
    }
}
if os.environ.get("DATABASE_URL"):
    DATABASES["default"] = dict(dj_database_url.parse(os.environ["DATABASE_URL"]))
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "DJANGO_DB_POOL", default=False
    ):
        # psycopg's pool keeps each process's connections open without the health-check
        # round trip every request would otherwise pay; a request waits at most `timeout`
        # seconds for a connection, then fails with a 503. Off by default: after a database
        # restart its dead connections fail requests until the pool's backed-off reconnect
        # succeeds, where a health-checked connection recovers on the next request (H5).
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": env_int("DJANGO_DB_POOL_SIZE", default=4, minimum=1),
            "timeout": 5,
        }
    else:
        DATABASES["default"].update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The first hasher makes every new hash; the others only check older hashes, which
# Django then rehashes with the first at the next sign-in.
PASSWORD_HASHERS = [
    "config.passwords.OwaspArgon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The largest request body any endpoint accepts (a Bulk API 2.0 CSV upload); every other
# body keeps Django's DATA_UPLOAD_MAX_MEMORY_SIZE or its endpoint's own smaller cap. A chunked
# body is read no further than one byte past this (config/chunked_bodies.py).
MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024
# Each server process runs a thread that works through Bulk API jobs (org/bulk/worker.py).
HANDSHAKE_BULK_WORKER = env_bool("HANDSHAKE_BULK_WORKER", default=True)
# The longest the streaming endpoint holds a CometD connect open (Salesforce: 110 s).
HANDSHAKE_COMETD_TIMEOUT_MS = env_int("HANDSHAKE_COMETD_TIMEOUT_MS", default=110_000)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
CSRF_COOKIE_HTTPONLY = True

# Security headers. CSP: scripts only from us or with the per-response nonce; no inline
# style attributes or blocks anywhere (catalogue G: no 'unsafe-inline').
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF, "http:", "https:"],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# A site served over https gets secure cookies, an https redirect and HSTS; a loopback
# http development site cannot use them, so they follow the public base URL's scheme.
_SECURE = _base.scheme == "https"
SESSION_COOKIE_SECURE = _SECURE
CSRF_COOKIE_SECURE = _SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=_SECURE)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", default=31536000 if _SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _SECURE
SECURE_HSTS_PRELOAD = _SECURE
if _SECURE:
    # The __Host- prefix makes browsers refuse the cookie unless Secure, Path=/ and host-only.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# authlib refuses plain-http endpoints; allow it only for a loopback development issuer.
if HANDSHAKE_BASE_IS_LOOPBACK_HTTP:
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

# The playground may talk to external servers; loopback and private addresses are refused
# unless this is set (tests start their own providers on loopback).
HANDSHAKE_ALLOW_PRIVATE_TARGETS = env_bool("HANDSHAKE_ALLOW_PRIVATE_TARGETS", default=False)
# What else `purge_expired` deletes besides the org's own artefacts: functions from a moment
# to org.purge.Rules, so the org never imports the rooms that keep these rows.
HANDSHAKE_PURGE_RULES = [
    "playground.purge.rules",
    "org.bulk.retention.rules",
    "org.events.expiry.rules",
    "org.streaming.clients.rules",
]

# The org's mutual-TLS port (`manage.py serve_tls`; `make run` starts it on 8443), named by
# discovery's mtls_endpoint_aliases (RFC 8705 §5) and Setup.
HANDSHAKE_TLS_URL = env_url("HANDSHAKE_TLS_URL", default=f"https://{_base.hostname}:8443")
# The TLS-terminating proxies (their REMOTE_ADDR) whose X-SSL-Client-Cert header, nginx's
# $ssl_client_escaped_cert, the org believes; from anyone else it is ignored. None by default.
HANDSHAKE_TLS_TRUSTED_PROXIES = env_list("HANDSHAKE_TLS_TRUSTED_PROXIES", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    # A 4xx is an answer, not an incident: the org gives thousands of deliberate 400/401s
    # (and their URLs could carry codes). Server errors are still logged.
    "loggers": {"django.request": {"level": "ERROR"}},
}

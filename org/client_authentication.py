"""How a connected app proves who it is at the token, revocation and introspection endpoints.

Salesforce's rules: the consumer key and secret come in the body (client_secret_post) or
in HTTP Basic (client_secret_basic); a secret that is sent is always checked, even where
the app does not require one; a public app, an app with "Require Secret" off for the
flow, or a flow whose request proves itself (assertions, device codes, asset tokens), may
send its consumer key alone.

At the token endpoint, a client_id that keeps failing to authenticate from one address is
answered 429 for a while (RFC 6819 §4.4.1.12).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from authlib.oauth2.rfc6749.util import extract_basic_authorization
from django.utils import timezone

from org import throttles
from org.connected_apps import DEVICE_CODE, JWT_BEARER, SAML2_BEARER, TOKEN_EXCHANGE
from org.errors import (
    InvalidClientCredentials,
    InvalidClientId,
    InvalidRequest,
    TemporarilyUnavailable,
)
from org.models import ConnectedApp
from org.tls.client_certificate import PresentedCertificate, identifies

TOKEN = "token"
REVOCATION = "revocation"
INTROSPECTION = "introspection"
DEVICE_AUTHORIZATION = "device_authorization"

# Grants whose request carries its own proof, so the consumer key alone identifies the
# app: a signed assertion (RFC 7523, RFC 7522 and Salesforce's older grant_type=assertion),
# an access token plus the device's JWT (asset tokens), or a device code, which Salesforce
# polls for with client_id and code only.
PROOF_CARRYING_GRANTS = frozenset(
    {JWT_BEARER, SAML2_BEARER, "assertion", TOKEN_EXCHANGE, DEVICE_CODE, "device"}
)


# RFC 6819 §4.4.1.12: rate-limit clients that send many invalid requests. Counted per
# presented client_id and address, so other apps, and other people behind the same address
# (a classroom behind NAT, each trainee with an app of their own), are never slowed. A
# short lock-out lets someone who fixed a mistyped secret go on within a minute; while the
# window lasts, each further failure locks again at once.
CLIENT_FAILURE_LIMIT = throttles.Limit(
    failures=30, window=timedelta(minutes=10), lockout=timedelta(minutes=1)
)
MAX_PRESENTED_CLIENT_ID = 256


def authenticate_client(request: Any, *, endpoint: str, find_app: Any) -> ConnectedApp | None:
    """The authenticated app (None only at the revocation endpoint, for a bare token).

    `request` is authlib's OAuth2Request; `find_app` looks an app up by consumer key.
    Raises TemporarilyUnavailable at the token endpoint while the presented client_id is
    locked out from the caller's address.
    """
    if endpoint != TOKEN:
        return _authenticate(request, endpoint=endpoint, find_app=find_app)
    key = throttles.key_of(
        "token-client", _presented_client_id(request), getattr(request, "remote_address", "")
    )
    now = timezone.now()

    def find_unlocked_app(client_id: str) -> ConnectedApp | None:
        # The app and the caller's lock-out come back in one query; a locked caller is
        # refused before its secret is compared, a right one included.
        app: ConnectedApp | None = find_app(client_id, lock_key=key)
        if app is not None:
            until = throttles.annotated_lock_end(app, now=now)
        else:
            until = throttles.locked_until(key, now=now)
        if until is not None:
            raise TemporarilyUnavailable(retry_after=throttles.retry_after(until, now=now))
        return app

    try:
        return _authenticate(request, endpoint=endpoint, find_app=find_unlocked_app)
    except (InvalidClientId, InvalidClientCredentials):
        if throttles.record_failure(key, CLIENT_FAILURE_LIMIT, now=now).already_locked:
            # Answered as locked, so no more than the limit of guesses is ever answered
            # (RFC 6819 §4.4.1.12), however many arrive at once.
            raise TemporarilyUnavailable(
                retry_after=throttles.retry_after(now + CLIENT_FAILURE_LIMIT.lockout, now=now)
            ) from None
        raise


def _presented_client_id(request: Any) -> str:
    """The client_id the caller claims, checked or not: what the lock-out is keyed on."""
    presented = request.form.get("client_id") or ""
    if (request.headers.get("Authorization") or "")[:6].lower() == "basic ":
        try:
            presented = extract_basic_authorization(request.headers)[0] or ""
        except (UnicodeDecodeError, ValueError):
            presented = ""
    return str(presented)[:MAX_PRESENTED_CLIENT_ID]


def _authenticate(request: Any, *, endpoint: str, find_app: Any) -> ConnectedApp | None:
    header = request.headers.get("Authorization") or ""
    uses_basic = header[:6].lower() == "basic "
    basic_id, basic_secret = None, None
    if uses_basic:
        try:
            basic_id, basic_secret = extract_basic_authorization(request.headers)
        except (UnicodeDecodeError, ValueError):
            raise InvalidClientCredentials() from None
    body_id = request.form.get("client_id")
    body_secret = request.form.get("client_secret")
    if uses_basic and body_secret is not None:
        # RFC 6749 §2.3: a client MUST NOT use more than one authentication method.
        raise InvalidRequest("use one client authentication method, not two")
    if uses_basic and not basic_id:
        raise InvalidClientCredentials()
    if basic_id and body_id and basic_id != body_id:
        raise InvalidRequest("client_id does not match the Authorization header")
    client_id = basic_id or body_id
    if not client_id:
        if endpoint == REVOCATION:
            return None
        if endpoint == INTROSPECTION:
            # RFC 7662 §2.1: the caller must be authorized to introspect.
            raise InvalidClientCredentials()
        raise InvalidClientId()
    app: ConnectedApp | None = find_app(client_id)
    if app is None:
        raise InvalidClientId()
    secret = basic_secret if uses_basic else body_secret
    if app.tls_client_auth:
        return _authenticate_with_certificate(request, app, secret_sent=bool(secret))
    if secret:
        if not app.check_client_secret(secret):
            raise InvalidClientCredentials()
        request.auth_method = "client_secret_basic" if uses_basic else "client_secret_post"
        return app
    if _secret_optional(app, endpoint=endpoint, grant_type=request.form.get("grant_type")):
        request.auth_method = "none"
        return app
    raise InvalidClientCredentials()


def _authenticate_with_certificate(
    request: Any, app: ConnectedApp, *, secret_sent: bool
) -> ConnectedApp:
    """RFC 8705 §2: an app registered with a client certificate proves itself with that
    certificate over mutual TLS, and with nothing else: no secret, no certificate, or another
    certificate is invalid_client. Its tokens are bound to the certificate (§3)."""
    if secret_sent:
        # RFC 6749 §2.3: one authentication method per request.
        raise InvalidClientCredentials(
            "this app authenticates with its client certificate, not a consumer secret"
        )
    presented: PresentedCertificate | None = getattr(request, "client_certificate", None)
    if presented is None:
        raise InvalidClientCredentials(
            "this app authenticates with its client certificate: connect over mutual TLS"
        )
    if not identifies(app, presented):
        raise InvalidClientCredentials("the client certificate is not the one this app registered")
    request.auth_method = app.tls_client_auth
    app.authenticated_certificate = presented.thumbprint
    return app


def _secret_optional(app: ConnectedApp, *, endpoint: str, grant_type: str | None) -> bool:
    if endpoint == INTROSPECTION:
        return False
    if endpoint in {REVOCATION, DEVICE_AUTHORIZATION} or app.is_public:
        return True
    if grant_type in PROOF_CARRYING_GRANTS:
        return True
    if grant_type == "authorization_code":
        return not app.require_secret_web_server
    if grant_type == "refresh_token":
        return not app.require_secret_refresh
    return False

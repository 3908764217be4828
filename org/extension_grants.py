"""The org's extension grants (RFC 6749 §4.5), with Salesforce's rules and wording.

- JWT bearer (RFC 7523) and SAML 2.0 bearer (RFC 7522), plus Salesforce's older
  grant_type=assertion form of the SAML one: a signed assertion instead of a secret.
- The device flow in both shapes: RFC 8628's device_code grant, and Salesforce's
  grant_type=device with the device code in `code`.
- Asset tokens: token exchange (RFC 8693) as Salesforce uses it for connected devices.

authlib's JWTBearerGrant and DeviceCodeGrant are not used: the first verifies with other
error wording and rules than Salesforce's, the second never consumes a device code. Each
assertion id and device code is single-use here, by a conditional write in the same
transaction that issues the tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from authlib.oauth2.rfc6749.grants import BaseGrant, TokenEndpointMixin
from authlib.oauth2.rfc6749.hooks import hooked
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from org import (
    assertions,
    asset_tokens,
    devices,
    errors,
    saml,
    tokens,
)
from org.client_authentication import TOKEN
from org.connected_apps import DEVICE_CODE, JWT_BEARER, SAML2_BEARER, TOKEN_EXCHANGE
from org.errors import InvalidGrant, InvalidRequest
from org.identity import base_url
from org.models import ConnectedApp, DeviceAuthorization, OrgUser
from org.scopes import REFRESH_SCOPES
from pki import certificates


@dataclass(frozen=True)
class _Spend:
    """An assertion id to mark used when its tokens are issued."""

    kind: str
    issuer: str
    identifier: str
    until: datetime


def _sent_client(grant: Any) -> ConnectedApp | None:
    """The app the request's own client credentials name, checked; None if it sent none.

    These grants identify the app by what they carry, so credentials are optional; but
    credentials that are sent are always checked, as everywhere in the org.
    """
    request = grant.request
    if request.form.get("client_id") is None and not request.headers.get("Authorization"):
        return None
    app: ConnectedApp = grant.server.authenticate_client(request, [], TOKEN)
    return app


def _require_active(user: OrgUser) -> None:
    if not user.user.is_active:
        raise InvalidGrant(errors.AUTHENTICATION_FAILURE)


class _AssertionGrant(BaseGrant, TokenEndpointMixin):  # type: ignore[misc]
    """Shared by the bearer assertion grants: tokens for an approved user, no refresh token
    (Salesforce issues none in these flows), the assertion spent in the same transaction."""

    spent: _Spend | None = None

    def _accept(self, app: ConnectedApp, username: str, grant: str) -> None:
        sent = _sent_client(self)
        if sent is not None and sent.pk != app.pk:
            raise InvalidGrant(errors.INVALID_ASSERTION)
        if not app.allows_grant(grant):
            raise errors.UnauthorizedClient()
        user, scope = assertions.approved_user(app, username)
        self.request.client = app
        self.request.user = user
        # Salesforce ignores the scope parameter here: the approval decides. No refresh
        # token is issued, so the refresh scopes are left out of what the token can do.
        self.request.scope = " ".join(s for s in scope.split() if s not in REFRESH_SCOPES) or scope

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        spent = self.spent
        with transaction.atomic():
            if spent is not None and not assertions.spend(
                spent.kind, spent.issuer, spent.identifier, until=spent.until
            ):
                # RFC 7522 §3 / RFC 7523 §3: an assertion is swapped for tokens once.
                raise InvalidGrant(errors.INVALID_ASSERTION)
            token = self.generate_token(
                user=self.request.user, scope=self.request.scope, include_refresh_token=False
            )
            self.save_token(token)
        return 200, token, self.TOKEN_RESPONSE_HEADER


class JwtBearerGrant(_AssertionGrant):
    """RFC 7523 §2.1, Salesforce's JWT bearer flow."""

    GRANT_TYPE = JWT_BEARER

    def validate_token_request(self) -> None:
        value = self.request.form.get("assertion")
        if not value:
            raise InvalidRequest("assertion is required")
        bearer = assertions.verify_jwt_bearer(
            value, find_app=self.server.query_client, now=timezone.now()
        )
        self._accept(bearer.app, bearer.subject, JWT_BEARER)
        jti = bearer.claims.get("jti")
        if isinstance(jti, str):
            # RFC 7523 §3 item 7 lets the server refuse a jti it has seen: it does here.
            self.spent = _Spend("jwt", bearer.app.client_id, jti, bearer.expires_at)


class SamlBearerGrant(_AssertionGrant):
    """RFC 7522 §2.1, Salesforce's SAML bearer assertion flow."""

    GRANT_TYPE = SAML2_BEARER

    def validate_token_request(self) -> None:
        value = self.request.form.get("assertion")
        if not value:
            raise InvalidRequest("assertion is required")
        xml = saml.decode(value)
        root = saml.parse(xml)
        app = self.server.query_client(saml.unverified_issuer(root))
        if app is None or not app.saml_idp_cert_pem:
            raise InvalidGrant(errors.INVALID_ASSERTION)
        try:
            certificate = certificates.load(app.saml_idp_cert_pem)
        except certificates.UnusableCertificate:
            raise InvalidGrant(errors.INVALID_ASSERTION) from None
        signed = saml.verify(xml, root, certificate)
        assertion = saml.read(signed, now=timezone.now())
        if assertion.issuer != app.client_id:
            raise InvalidGrant(errors.INVALID_ASSERTION)
        if base_url() not in assertion.audiences:
            raise InvalidGrant(errors.INVALID_AUDIENCE)
        if base_url() + reverse("org:token") not in assertion.recipients:
            # RFC 7522 §3 item 4: the Recipient is the token endpoint it is presented to.
            raise InvalidGrant(errors.INVALID_ASSERTION)
        self._accept(app, assertion.name_id, SAML2_BEARER)
        self.spent = _Spend("saml", app.client_id, assertion.assertion_id, assertion.expires_at)


class LegacySamlAssertionGrant(SamlBearerGrant):
    """Salesforce's older SAML assertion flow: grant_type=assertion, named by
    assertion_type, carrying the same assertion as the SAML bearer flow."""

    GRANT_TYPE = "assertion"

    def validate_token_request(self) -> None:
        if self.request.form.get("assertion_type") != saml.LEGACY_ASSERTION_TYPE:
            raise InvalidRequest(f"assertion_type must be {saml.LEGACY_ASSERTION_TYPE}")
        super().validate_token_request()


class DeviceGrant(BaseGrant, TokenEndpointMixin):  # type: ignore[misc]
    """RFC 8628 §3.4-3.5: the device polls until the person answers."""

    GRANT_TYPE = DEVICE_CODE
    CODE_PARAMETER = "device_code"
    device: DeviceAuthorization | None = None

    def validate_token_request(self) -> None:
        client: ConnectedApp = self.authenticate_token_endpoint_client()
        if not client.allows_grant(DEVICE_CODE):
            raise errors.UnauthorizedClient()
        value = self.request.form.get(self.CODE_PARAMETER)
        if not value:
            raise InvalidRequest(f"{self.CODE_PARAMETER} is required")
        device = devices.find(value)
        # Unknown, another app's, or already exchanged: RFC 6749 §5.2 invalid_grant (authlib
        # would say invalid_request for the first).
        if device is None or device.app_id != client.pk or device.redeemed_at is not None:
            raise InvalidGrant(errors.INVALID_DEVICE_CODE)
        now = timezone.now()
        if device.expires_at <= now:
            raise errors.ExpiredToken()
        if device.approved is False:
            raise errors.AccessDenied()
        if device.approved is None or device.user is None:
            if not devices.note_poll(device, now=now):
                raise errors.SlowDown()
            raise errors.AuthorizationPending()
        _require_active(device.user)
        self.request.client = client
        self.request.user = device.user
        self.request.scope = device.scope
        self.request.auth_time = device.auth_time
        self.device = device

    @hooked  # type: ignore[untyped-decorator]
    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        device = self.device
        assert device is not None
        with transaction.atomic():
            redeemed = devices.redeem(device)
            if redeemed:
                token = self.generate_token(user=self.request.user, scope=self.request.scope)
                self.save_token(token)
        if not redeemed:
            # Another poll exchanged it first: a device code is good for one set of tokens.
            raise InvalidGrant(errors.INVALID_DEVICE_CODE)
        return 200, token, self.TOKEN_RESPONSE_HEADER


class SalesforceDeviceGrant(DeviceGrant):
    """Salesforce's shape of the same poll: grant_type=device, the device code in `code`."""

    GRANT_TYPE = "device"
    CODE_PARAMETER = "code"


class AssetTokenGrant(BaseGrant, TokenEndpointMixin):  # type: ignore[misc]
    """RFC 8693 §2.1 as Salesforce's asset token flow uses it."""

    GRANT_TYPE = TOKEN_EXCHANGE
    actor: asset_tokens.Actor | None = None
    audience = ""

    def validate_token_request(self) -> None:
        form = self.request.form
        subject, subject_type = form.get("subject_token"), form.get("subject_token_type")
        actor, actor_type = form.get("actor_token"), form.get("actor_token_type")
        if not subject or not subject_type:
            raise InvalidRequest("subject_token and subject_token_type are required")
        if subject_type != asset_tokens.ACCESS_TOKEN_TYPE:
            raise InvalidRequest("unsupported subject_token_type: send an access token")
        if actor and not actor_type:
            # RFC 8693 §2.1: actor_token_type is REQUIRED when actor_token is present.
            raise InvalidRequest("actor_token_type is required with actor_token")
        if not actor:
            raise InvalidRequest("an asset token needs an actor_token describing the device")
        if actor_type != asset_tokens.JWT_TOKEN_TYPE:
            raise InvalidRequest("unsupported actor_token_type: send a JWT")
        requested = form.get("requested_token_type")
        if requested and requested != asset_tokens.JWT_TOKEN_TYPE:
            raise InvalidRequest("unsupported requested_token_type: asset tokens are JWTs")
        targets = [value for value in (form.get("audience"), form.get("resource")) if value]
        if not all(asset_tokens.audience_allowed(target) for target in targets):
            raise errors.InvalidTarget()
        now = timezone.now()
        token = tokens.find_access_token(subject)
        if token is None or not tokens.access_token_active(token, now=now):
            raise InvalidRequest("subject_token is not a valid access token")
        app = token.family.app
        sent = _sent_client(self)
        if sent is not None and sent.pk != app.pk:
            raise InvalidRequest("subject_token was issued to another app")
        if not app.allows_grant(TOKEN_EXCHANGE):
            raise errors.UnauthorizedClient()
        self.actor = asset_tokens.read_actor_token(actor, app=app, now=now)
        self.audience = targets[0] if targets else base_url()
        self.request.client = app
        self.request.user = token.family.user

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        actor = self.actor
        assert actor is not None
        value = asset_tokens.mint(
            app=self.request.client,
            user=self.request.user,
            actor=actor,
            audience=self.audience,
            issued_at=timezone.now(),
        )
        body = {
            "access_token": value,
            "issued_token_type": asset_tokens.JWT_TOKEN_TYPE,
            # Salesforce answers Bearer here; RFC 8693 §2.2.1 would allow N_A.
            "token_type": "Bearer",
            "expires_in": int(asset_tokens.LIFETIME.total_seconds()),
        }
        return 200, body, self.TOKEN_RESPONSE_HEADER

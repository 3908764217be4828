"""The org's state: users, connected apps, approvals, codes, tokens, keys and records.

Everything the authorization server knows lives here, so any number of processes can serve
one org. Codes and tokens are stored only as SHA-256 digests (RFC 6819 §5.1.4.1.3).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from org import vault
from org.redirect_uris import redirect_uri_matches


class Org(models.Model):
    org_id = models.CharField(max_length=18, unique=True)
    name = models.CharField(max_length=80)
    # Salesforce's OauthOidcSettings: blockOAuthUnPwFlow, blockOAuthUsrAgtFlow, isPkceRequired.
    allow_username_password_flow = models.BooleanField(default=False)
    allow_user_agent_flow = models.BooleanField(default=False)
    require_pkce_for_all_apps = models.BooleanField(default=False)
    # How far ahead a JWT bearer assertion's exp may lie; None: any time ahead, as real orgs
    # accept (Salesforce's documentation says "within 3 minutes").
    jwt_bearer_window_seconds = models.PositiveIntegerField(null=True, blank=True, default=None)
    # DailyApiRequests' Max for each data space (a Developer Edition org's 15,000 a day).
    daily_api_requests = models.PositiveIntegerField(default=15000)

    def __str__(self) -> str:
        return f"{self.name} ({self.org_id})"


class OrgUser(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_profile"
    )
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="users")
    record_id = models.CharField(max_length=18, unique=True)
    timezone = models.CharField(max_length=40, default="Europe/London")
    locale = models.CharField(max_length=10, default="en_GB")
    # SHA-256 of the user's security token, appended to the password by the
    # username-password flow when the caller's network is not trusted.
    security_token_hash = models.CharField(max_length=64, blank=True)
    # Salesforce's "Enforce SSL/TLS Mutual Authentication" permission: this user's API calls
    # are refused unless they come with a verified client certificate.
    enforce_mutual_tls = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.username

    @property
    def username(self) -> str:
        return str(self.user.get_username())

    @property
    def display_name(self) -> str:
        return str(self.user.get_full_name()) or self.username


class PermittedUsers(models.TextChoices):
    ALL_SELF_AUTHORIZE = "all", "All users may self-authorize"
    ADMIN_APPROVED = "admin_approved", "Admin approved users are pre-authorized"


class RefreshTokenPolicy(models.TextChoices):
    UNTIL_REVOKED = "until_revoked", "Valid until revoked"
    EXPIRE_AFTER = "expire_after", "Expire after a fixed time"
    EXPIRE_IF_UNUSED = "expire_if_unused", "Expire if not used for a while"


class TlsClientAuth(models.TextChoices):
    """RFC 8705 §2: how an app may authenticate with its client certificate."""

    NONE = "", "No client certificate"
    PKI = "tls_client_auth", "A certificate from a CA I trust, with this subject"
    SELF_SIGNED = "self_signed_tls_client_auth", "This self-signed certificate"


class ConnectedApp(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="connected_apps")
    owner = models.CharField(max_length=64, blank=True, db_index=True)
    name = models.CharField(max_length=80)
    client_id = models.CharField(max_length=100, unique=True)
    sealed_secret = models.TextField(blank=True)
    is_public = models.BooleanField(default=False)
    redirect_uris = models.JSONField(default=list)
    scopes = models.JSONField(default=list)
    grants = models.JSONField(default=list)
    require_secret_web_server = models.BooleanField(default=True)
    require_secret_refresh = models.BooleanField(default=True)
    require_pkce = models.BooleanField(default=False)
    rotate_refresh_tokens = models.BooleanField(default=True)
    refresh_token_policy = models.CharField(
        max_length=20, choices=RefreshTokenPolicy.choices, default=RefreshTokenPolicy.UNTIL_REVOKED
    )
    refresh_token_hours = models.PositiveIntegerField(default=24)
    session_timeout_minutes = models.PositiveIntegerField(default=120)
    jwt_access_tokens = models.BooleanField(default=False)
    permitted_users = models.CharField(
        max_length=20, choices=PermittedUsers.choices, default=PermittedUsers.ALL_SELF_AUTHORIZE
    )
    pre_authorized = models.ManyToManyField(OrgUser, blank=True, related_name="pre_authorized_apps")
    run_as = models.ForeignKey(
        OrgUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cert_pem = models.TextField(blank=True)
    saml_idp_cert_pem = models.TextField(blank=True)
    tls_client_auth = models.CharField(
        max_length=40, choices=TlsClientAuth.choices, blank=True, default=TlsClientAuth.NONE
    )
    # RFC 8705 §2.2: the app's own certificate (self-signed), or §2.1: the CA that issues it.
    tls_client_cert_pem = models.TextField(blank=True)
    # RFC 8705 §2.1.2 tls_client_auth_subject_dn, as an RFC 4514 string.
    tls_client_subject_dn = models.CharField(max_length=512, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # Not stored: the x5t#S256 of the certificate this request's app authenticated with,
    # set on the row loaded for one token request, so the tokens it mints are bound to it.
    authenticated_certificate: str = ""

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def client_secret(self) -> str | None:
        """The consumer secret in clear, or None for a public app (or a broken seal). Unsealed
        once per row read (a token request checks it, then signs with it); a row is read for
        one request, and an app's secret is sealed once, when the app is made."""
        if not self.sealed_secret:
            return None
        try:
            return vault.unseal(self.sealed_secret)
        except vault.SealBroken:
            return None

    def check_client_secret(self, candidate: str) -> bool:
        secret = self.client_secret
        return secret is not None and secrets.compare_digest(
            secret.encode("utf-8", "surrogatepass"), candidate.encode("utf-8", "surrogatepass")
        )

    def allows_grant(self, grant: str) -> bool:
        return grant in self.grants

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return any(
            redirect_uri_matches(registered, redirect_uri) for registered in self.redirect_uris
        )

    def user_is_permitted(self, user: OrgUser) -> bool:
        if self.permitted_users == PermittedUsers.ADMIN_APPROVED:
            return self.pre_authorized.filter(pk=user.pk).exists()
        return True

    # The rest is the ClientMixin duck type authlib's grants call.
    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        # Salesforce requires redirect_uri on every authorization request.
        return None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        if not scope:
            return " ".join(self.scopes)
        requested = scope.split()
        if not set(requested) <= set(self.scopes):
            return None
        return " ".join(dict.fromkeys(requested))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return True

    def check_response_type(self, response_type: str) -> bool:
        if response_type == "code":
            return self.allows_grant("authorization_code")
        return self.allows_grant("implicit")

    def check_grant_type(self, grant_type: str) -> bool:
        return self.allows_grant(grant_type)


class UserApproval(models.Model):
    user = models.ForeignKey(OrgUser, on_delete=models.CASCADE, related_name="approvals")
    app = models.ForeignKey(ConnectedApp, on_delete=models.CASCADE, related_name="approvals")
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "app"], name="one_approval_per_app")]

    def __str__(self) -> str:
        return f"{self.user} approved {self.app}"


class AuthorizationCode(models.Model):
    code_hash = models.CharField(max_length=64, unique=True)
    app = models.ForeignKey(ConnectedApp, on_delete=models.CASCADE, related_name="codes")
    user = models.ForeignKey(OrgUser, on_delete=models.CASCADE, related_name="codes")
    redirect_uri = models.TextField()
    scope = models.TextField()
    nonce = models.TextField(blank=True)
    code_challenge = models.CharField(max_length=128, blank=True)
    code_challenge_method = models.CharField(max_length=10, blank=True)
    auth_time = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # Set once, by a conditional UPDATE; the row stays as a tombstone so a replay can
    # revoke what the first redemption issued (RFC 6749 §4.1.2).
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for {self.app} / {self.user}"

    # The AuthorizationCodeMixin duck type authlib's grants call.
    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str:
        return self.nonce

    def get_auth_time(self) -> int:
        return int(self.auth_time.timestamp())


class TokenFamily(models.Model):
    """Every token that descends from one authorization: revoked together."""

    app = models.ForeignKey(ConnectedApp, on_delete=models.CASCADE, related_name="families")
    user = models.ForeignKey(OrgUser, on_delete=models.CASCADE, related_name="families")
    grant_type = models.CharField(max_length=100)
    code = models.ForeignKey(
        AuthorizationCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scope = models.TextField()
    # Refresh stops working once the user's password changes (Salesforce: "authentication
    # failure"); the fingerprint of the password hash at issue time tells.
    password_fingerprint = models.CharField(max_length=32, blank=True)
    auth_time = models.DateTimeField(null=True, blank=True)
    nonce = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=80, blank=True)

    def __str__(self) -> str:
        return f"{self.grant_type} tokens for {self.app} / {self.user}"


class AccessToken(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)
    family = models.ForeignKey(TokenFamily, on_delete=models.CASCADE, related_name="access_tokens")
    scope = models.TextField()
    jwt_kid = models.CharField(max_length=20, blank=True)
    # RFC 8705 §3: the x5t#S256 of the client certificate the token is bound to, if any.
    certificate_thumbprint = models.CharField(max_length=43, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"access token #{self.pk}"


class RefreshToken(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)
    family = models.ForeignKey(TokenFamily, on_delete=models.CASCADE, related_name="refresh_tokens")
    scope = models.TextField()
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"refresh token #{self.pk}"


class SigningKey(models.Model):
    kid = models.CharField(max_length=20, unique=True)
    sealed_private_key = models.TextField()
    public_jwk = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)
    # A retired key stays in the JWKS until the last token it signed has expired.
    publish_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"signing key {self.kid}"


class TlsKeyPair(models.Model):
    """The org's TLS certificate authority, and the server certificates it issued, each with
    its private key sealed like the signing keys."""

    # "authority", or "server:" and the certificate's host names.
    label = models.CharField(max_length=600, unique=True)
    certificate_pem = models.TextField()
    sealed_private_key = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"TLS {self.label}"


class LoginThrottle(models.Model):
    """Failed attempts per key, for lock-out: sign-ins per (username, address) (RFC 6819
    §4.4.3.6), device user codes per session and per address (RFC 8628 §5.1)."""

    key_hash = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.failures} failed sign-ins"


class DeviceAuthorization(models.Model):
    """One device flow (RFC 8628): the device polls with the device code while a person
    types the user code on another screen and approves or denies."""

    device_code_hash = models.CharField(max_length=64, unique=True)
    user_code_hash = models.CharField(max_length=64, unique=True)
    app = models.ForeignKey(
        ConnectedApp, on_delete=models.CASCADE, related_name="device_authorizations"
    )
    scope = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    # RFC 8628 §3.5: seconds between polls; grows by 5 after each slow_down.
    interval = models.PositiveIntegerField(default=5)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        OrgUser, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    auth_time = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True, blank=True)  # None until the person decides
    decided_at = models.DateTimeField(null=True, blank=True)
    # Set once, by a conditional UPDATE: a device code is exchanged for tokens only once.
    redeemed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"device authorization for {self.app}"


class SpentAssertion(models.Model):
    """An assertion already swapped for a token, remembered until it expires so it cannot
    be swapped again (RFC 7522 §3 item 7 for SAML IDs, RFC 7523 §3 item 7 for JWT jti)."""

    key_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return "spent assertion"


class Record(models.Model):
    """One record of any sObject (Account, Contact, Opportunity…): the REST API serves every
    object the same way, its schema in org/rest/schema.py, its values in `fields`.

    `space` is the data space: "" for the org's main data, a visitor id for the records a
    visitor's practice apps write. Seeded demo records are in the main space, marked `seeded`:
    every space reads them, no trainee changes them.
    """

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="records")
    space = models.CharField(max_length=64, blank=True)
    sobject = models.CharField(max_length=40)
    record_id = models.CharField(max_length=18, unique=True)
    fields = models.JSONField(default=dict)
    seeded = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        OrgUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_modified_by = models.ForeignKey(
        OrgUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_modified_at = models.DateTimeField(default=timezone.now)
    system_modstamp = models.DateTimeField(default=timezone.now)
    # queryAll still finds a deleted record and undelete brings it back (the Recycle Bin).
    is_deleted = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["org", "sobject", "space"], name="records_by_object")]
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.sobject} {self.record_id}"


class ApiUsage(models.Model):
    """REST API calls one data space made on one day (Salesforce's DailyApiRequests)."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    space = models.CharField(max_length=64, blank=True)
    day = models.DateField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "space", "day"], name="one_usage_row_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.used} API requests on {self.day}"


class QueryCursor(models.Model):
    """The rest of a query result past its first batch, read through nextRecordsUrl."""

    locator = models.CharField(max_length=18, unique=True)
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    space = models.CharField(max_length=64, blank=True)
    soql = models.TextField()
    include_deleted = models.BooleanField(default=False)
    record_ids = models.JSONField(default=list)
    batch_size = models.PositiveIntegerField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"query cursor {self.locator}"


# Bulk API 2.0's jobs live in their own package; Django finds models through this module.
from org.bulk.models import BulkChunk, BulkJob  # noqa: E402, F401

# The event bus's definitions and log live in their own package, found the same way.
from org.events.models import (  # noqa: E402, F401
    ChangeCapture,
    ChannelCounter,
    ChannelRetention,
    Event,
    EventDefinition,
)

# The streaming endpoint's clients and subscriptions, found the same way.
from org.streaming.models import StreamingClient, Subscription  # noqa: E402, F401

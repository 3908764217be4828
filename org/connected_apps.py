"""Connected apps: create, change and delete them, with the rules a real org would apply.

The Setup page, the `create_connected_app` command and the playground all come through
here, so every app obeys the same rules (RFC 9700 §2.1, §2.6; RFC 6749 §2.1, §4.4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from org import ids, vault
from org.models import (
    ConnectedApp,
    OrgUser,
    PermittedUsers,
    RefreshTokenPolicy,
)
from org.redirect_uris import redirect_uri_problem
from org.scopes import SCOPE_NAMES
from org.seed import current_org
from org.tls import registration as tls_registration
from pki import certificates


@dataclass(frozen=True)
class Flow:
    grant: str
    label: str
    hint: str
    available: bool


JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SAML2_BEARER = "urn:ietf:params:oauth:grant-type:saml2-bearer"
DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"

# A grant is the grant_type a client sends, or "implicit" for the user-agent flow.
FLOWS: tuple[Flow, ...] = (
    Flow(
        "authorization_code",
        "Web server flow (authorization code)",
        "A person signs in here and your server swaps the code for tokens. The default choice.",
        True,
    ),
    Flow(
        "refresh_token",
        "Refresh token flow",
        "Lets the app get new access tokens later; also needs the refresh_token scope.",
        True,
    ),
    Flow(
        "client_credentials",
        "Client credentials flow",
        "Server-to-server with no person present; tokens act as the run-as user.",
        True,
    ),
    Flow(
        "implicit",
        "User-agent flow (implicit)",
        "Tokens come back in the URL fragment. Discouraged: prefer the web server flow with PKCE.",
        True,
    ),
    Flow(
        "password",
        "Username-password flow",
        "The app handles the person's password itself. Discouraged and blocked in new orgs.",
        True,
    ),
    Flow(
        JWT_BEARER,
        "JWT bearer flow",
        "Server-to-server with a JWT signed by your private key instead of a secret. Needs "
        "the certificate below, and a user who approved the app or was pre-authorized.",
        True,
    ),
    Flow(
        SAML2_BEARER,
        "SAML bearer assertion flow",
        "Swap a SAML assertion signed by your identity provider for a token. Needs the "
        "identity provider's certificate below.",
        True,
    ),
    Flow(
        DEVICE_CODE,
        "Device flow",
        "For a TV, a command-line tool or a gadget: the device shows a short code and the "
        "person approves it at /setup/connect on another screen.",
        True,
    ),
    Flow(
        TOKEN_EXCHANGE,
        "Asset token flow (token exchange)",
        "A device swaps an access token and its own signed JWT for a one-minute asset "
        "token naming a demo asset (RFC 8693).",
        True,
    ),
)
GRANT_TYPES: frozenset[str] = frozenset(flow.grant for flow in FLOWS)
_CONFIDENTIAL_ONLY = frozenset({"client_credentials", "password"})
_REDIRECTING = frozenset({"authorization_code", "implicit"})

DEFAULT_GRANTS = ("authorization_code", "refresh_token")
DEFAULT_SCOPES = ("api", "refresh_token", "openid")


class ConnectedAppError(ValueError):
    """A request to create or change a connected app that cannot be honoured."""


class NotYourApp(ConnectedAppError):
    """No app with this consumer key belongs to the caller (it may belong to someone else)."""

    def __init__(self, client_id: str) -> None:
        super().__init__(f"No connected app with consumer key {client_id[:12]}… belongs to you.")


class InvalidSetting(ConnectedAppError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class IssuedApp:
    client_id: str
    client_secret: str | None  # None for a public app


def create_connected_app(
    *,
    name: str,
    owner: str = "",
    redirect_uris: Sequence[str] = (),
    grants: Sequence[str] = DEFAULT_GRANTS,
    scopes: Sequence[str] = DEFAULT_SCOPES,
    public: bool = False,
    require_pkce: bool = False,
    rotate_refresh_tokens: bool = True,
    jwt_access_tokens: bool = False,
    run_as: str | None = None,
    pre_authorize: Sequence[str] = (),
    cert_pem: str | None = None,
    saml_idp_cert_pem: str | None = None,
    client_certificate: str = "",
) -> IssuedApp:
    org = current_org()
    secret = None if public else ids.new_consumer_secret()
    app = ConnectedApp(
        org=org,
        owner=owner,
        client_id=ids.new_consumer_key(),
        sealed_secret=vault.seal(secret) if secret else "",
        is_public=public,
    )
    changes: dict[str, Any] = {
        "name": name,
        "redirect_uris": redirect_uris,
        "grants": grants,
        "scopes": scopes,
        "require_pkce": require_pkce,
        "rotate_refresh_tokens": rotate_refresh_tokens,
        "jwt_access_tokens": jwt_access_tokens,
        "run_as": run_as,
        "pre_authorize": pre_authorize,
        "cert_pem": cert_pem,
        "saml_idp_cert_pem": saml_idp_cert_pem,
        "client_certificate": client_certificate,
    }
    with transaction.atomic():
        _apply(app, changes)
    return IssuedApp(client_id=app.client_id, client_secret=secret)


UPDATABLE = frozenset(
    {
        "name",
        "redirect_uris",
        "grants",
        "scopes",
        "require_pkce",
        "rotate_refresh_tokens",
        "jwt_access_tokens",
        "run_as",
        "pre_authorize",
        "cert_pem",
        "saml_idp_cert_pem",
        "client_certificate",
        "require_secret_web_server",
        "require_secret_refresh",
        "refresh_token_policy",
        "refresh_token_hours",
        "session_timeout_minutes",
        "permitted_users",
    }
)


def update_connected_app(client_id: str, *, owner: str, **changes: Any) -> None:
    """Change the named settings of an app the owner holds; raises NotYourApp otherwise."""
    if "public" in changes:
        raise InvalidSetting(
            "public", "An app cannot switch between public and confidential; create a new one."
        )
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise InvalidSetting(sorted(unknown)[0], f"Unknown settings: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        app = owned_app(client_id, owner=owner)
        _apply(app, changes)


def delete_connected_app(client_id: str, *, owner: str) -> None:
    owned_app(client_id, owner=owner).delete()


def owned_app(client_id: str, *, owner: str) -> ConnectedApp:
    app = ConnectedApp.objects.filter(client_id=client_id, owner=owner).first()
    if app is None:
        raise NotYourApp(client_id)
    return app


def apps_owned_by(owner: str) -> QuerySet[ConnectedApp]:
    return ConnectedApp.objects.filter(owner=owner).order_by("-created_at", "-pk")


def client_secret_of(client_id: str, *, owner: str) -> str | None:
    return owned_app(client_id, owner=owner).client_secret


def _apply(app: ConnectedApp, changes: dict[str, Any]) -> None:
    """Validate every change first, then write them all (nothing half-applied)."""
    pre_authorized: list[OrgUser] | None = None
    if "name" in changes:
        app.name = _clean_name(changes["name"])
    if "grants" in changes:
        app.grants = _clean_grants(changes["grants"])
    if "scopes" in changes:
        app.scopes = _clean_scopes(changes["scopes"])
    if "redirect_uris" in changes:
        app.redirect_uris = _clean_redirect_uris(changes["redirect_uris"])
    for flag in (
        "require_pkce",
        "rotate_refresh_tokens",
        "jwt_access_tokens",
        "require_secret_web_server",
        "require_secret_refresh",
    ):
        if flag in changes:
            setattr(app, flag, bool(changes[flag]))
    if "refresh_token_policy" in changes:
        policy = changes["refresh_token_policy"]
        if policy not in RefreshTokenPolicy.values:
            raise InvalidSetting("refresh_token_policy", "Choose a refresh token policy.")
        app.refresh_token_policy = policy
    if "refresh_token_hours" in changes:
        app.refresh_token_hours = _clean_int(
            "refresh_token_hours", changes["refresh_token_hours"], low=1, high=24 * 365
        )
    if "session_timeout_minutes" in changes:
        app.session_timeout_minutes = _clean_int(
            "session_timeout_minutes", changes["session_timeout_minutes"], low=1, high=24 * 60
        )
    if "run_as" in changes:
        run_as = changes["run_as"]
        app.run_as = _org_user("run_as", run_as) if run_as else None
    if "pre_authorize" in changes:
        pre_authorized = [_org_user("pre_authorize", name) for name in changes["pre_authorize"]]
        if "permitted_users" not in changes:
            app.permitted_users = (
                PermittedUsers.ADMIN_APPROVED
                if pre_authorized
                else PermittedUsers.ALL_SELF_AUTHORIZE
            )
    if "permitted_users" in changes:
        if changes["permitted_users"] not in PermittedUsers.values:
            raise InvalidSetting("permitted_users", "Choose who may use the app.")
        app.permitted_users = changes["permitted_users"]
    for field in _CERTIFICATE_FIELDS:
        if field in changes:
            setattr(app, field, _clean_certificate(field, changes[field]))
    if "client_certificate" in changes:
        _register_client_certificate(app, str(changes["client_certificate"] or ""))

    if app.is_public:
        blocked = sorted(set(app.grants) & _CONFIDENTIAL_ONLY)
        if blocked:
            # RFC 6749 §4.4 and §4.3: these grants authenticate the client; a public app cannot.
            raise InvalidSetting(
                "grants", f"A public app has no secret, so it cannot use {', '.join(blocked)}."
            )
        # RFC 9700 §2.1.1: public clients MUST use PKCE.
        app.require_pkce = True
    if set(app.grants) & _REDIRECTING and not app.redirect_uris:
        raise InvalidSetting(
            "redirect_uris", "The web server and user-agent flows need at least one callback URL."
        )
    app.save()
    if pre_authorized is not None:
        app.pre_authorized.set(pre_authorized)


def _register_client_certificate(app: ConnectedApp, bundle: str) -> None:
    try:
        registration = tls_registration.register(bundle)
    except tls_registration.UnusableRegistration as error:
        raise InvalidSetting("client_certificate", str(error)) from None
    app.tls_client_auth = registration.method
    app.tls_client_cert_pem = registration.certificate_pem
    app.tls_client_subject_dn = registration.subject_dn


def _clean_name(value: object) -> str:
    name = str(value or "").strip()
    if not name:
        raise InvalidSetting("name", "Give the app a name.")
    if len(name) > 80:
        raise InvalidSetting("name", "A name can be at most 80 characters.")
    return name


def _distinct(values: Sequence[str]) -> list[str]:
    """Each value once, stripped, in the order given; blank ones dropped."""
    return list(dict.fromkeys(str(value).strip() for value in values if str(value).strip()))


def _clean_grants(values: Sequence[str]) -> list[str]:
    grants = _distinct(values)
    unknown = [grant for grant in grants if grant not in GRANT_TYPES]
    if unknown:
        raise InvalidSetting("grants", f"Unknown flow: {unknown[0]}.")
    if not grants:
        raise InvalidSetting("grants", "Enable at least one flow.")
    return grants


def _clean_scopes(values: Sequence[str]) -> list[str]:
    scopes = _distinct(values)
    unknown = [scope for scope in scopes if scope not in SCOPE_NAMES]
    if unknown:
        raise InvalidSetting("scopes", f"Unknown scope: {unknown[0]}.")
    if not scopes:
        raise InvalidSetting("scopes", "Select at least one scope.")
    return scopes


def _clean_redirect_uris(values: Sequence[str]) -> list[str]:
    uris = _distinct(values)
    for uri in uris:
        problem = redirect_uri_problem(uri)
        if problem:
            raise InvalidSetting("redirect_uris", f"{problem} ({uri[:100]})")
    if len(uris) > 20:
        raise InvalidSetting("redirect_uris", "Register at most 20 callback URLs.")
    return uris


def _clean_int(field: str, value: object, *, low: int, high: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise InvalidSetting(field, "Enter a whole number.") from None
    if not low <= number <= high:
        raise InvalidSetting(field, f"Enter a number from {low} to {high}.")
    return number


def _org_user(field: str, username: str) -> OrgUser:
    user = OrgUser.objects.filter(user__username__iexact=str(username).strip()).first()
    if user is None:
        raise InvalidSetting(field, f"There is no user {str(username)[:80]!r} in the org.")
    return user


_CERTIFICATE_FIELDS = ("cert_pem", "saml_idp_cert_pem")


def _clean_certificate(field: str, value: str | None) -> str:
    pem = (value or "").strip()
    if not pem:
        return ""
    try:
        certificates.load(pem + "\n")
    except certificates.UnusableCertificate as problem:
        raise InvalidSetting(field, str(problem)) from None
    return pem + "\n"


def generate_certificate_for(client_id: str, owner: str) -> str:
    """Give the app a new certificate for JWT bearer assertions; returns its private key.

    The key comes back in PEM once, for the visitor to download. The org keeps only the
    certificate: whoever signs assertions holds the key, and the org never needs it.
    """
    return _generate(client_id, owner=owner, field="cert_pem", purpose="JWT bearer")


def generate_saml_idp_certificate_for(client_id: str, owner: str) -> str:
    """The same for the SAML identity provider the app trusts; the returned key is the
    identity provider's, to sign SAML assertions with."""
    return _generate(client_id, owner=owner, field="saml_idp_cert_pem", purpose="SAML IdP")


def _generate(client_id: str, *, owner: str, field: str, purpose: str) -> str:
    with transaction.atomic():
        app = owned_app(client_id, owner=owner)
        generated = certificates.generate(f"{app.name} ({purpose})")
        setattr(app, field, generated.certificate_pem.strip() + "\n")
        app.save(update_fields=[field, "updated_at"])
    return generated.private_key_pem

"""The org's grants: authlib's grant classes with Salesforce's rules and the gaps closed.

What authlib leaves to us, and this module adds: atomic single-use codes whose replay
revokes what they issued; PKCE with S256 only, enforced at the authorization endpoint;
refresh token rotation with reuse detection; flows that stay off unless enabled.
"""

from __future__ import annotations

import re
from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.hooks import hooked
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7636.challenge import create_s256_code_challenge
from django.db import transaction
from django.utils import timezone

from org import codes, errors, identity, logins, tokens
from org.errors import InvalidGrant, InvalidRequest, OrgError
from org.models import AuthorizationCode, ConnectedApp, OrgUser, RefreshToken
from org.scopes import REFRESH_SCOPES

# RFC 6749 §3.1: request parameters MUST NOT be included more than once.
SINGLE_PARAMETERS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "prompt",
    "display",
    "login_hint",
    "immediate",
    "code_challenge",
    "code_challenge_method",
)
PROMPTS = frozenset({"none", "login", "consent", "select_account"})

# RFC 7636 §4.2: S256 challenges are base64url of 32 bytes: 43 characters, no padding.
_S256_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
# RFC 7636 §4.1: 43 to 128 unreserved characters.
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def _fail(error: OrgError, *, redirect_uri: str, fragment: bool) -> OrgError:
    error.redirect_uri = redirect_uri
    error.redirect_fragment = fragment
    return error


def validate_front_channel(grant: Any, *, fragment: bool) -> str:
    """Checks shared by every response type; returns the (already verified) redirect URI.

    The caller has verified client_id and redirect_uri, so every error here can be sent
    back to the app's callback (RFC 6749 §4.1.2.1).
    """
    request = grant.request
    payload = request.payload
    client: ConnectedApp | None = request.client
    if client is None or client.client_id != payload.client_id:
        # authlib validates twice per request (consent, then response): one lookup will do.
        client = grant.server.query_client(payload.client_id)
    redirect_uri = payload.redirect_uri
    if client is None:
        raise errors.InvalidClientId()
    if not redirect_uri:
        raise errors.RedirectUriMissing()
    if not client.check_redirect_uri(redirect_uri):
        raise errors.RedirectUriMismatch()
    request.client = client
    for name in SINGLE_PARAMETERS:
        if len(payload.datalist.get(name, [])) > 1:
            raise _fail(
                InvalidRequest(f"{name} must be sent once"),
                redirect_uri=redirect_uri,
                fragment=fragment,
            )
    if not client.check_response_type(payload.response_type):
        raise _fail(errors.UnauthorizedClient(), redirect_uri=redirect_uri, fragment=fragment)
    scope = client.get_allowed_scope(payload.scope)
    if scope is None:
        raise _fail(errors.InvalidScope(), redirect_uri=redirect_uri, fragment=fragment)
    prompts = set(payload.data.get("prompt", "").split())
    if prompts - PROMPTS:
        raise _fail(
            InvalidRequest("unsupported prompt value"), redirect_uri=redirect_uri, fragment=fragment
        )
    if "none" in prompts and len(prompts) > 1:
        # OpenID Connect Core §3.1.2.1: none cannot be combined with another value.
        raise _fail(
            InvalidRequest("prompt=none cannot be combined"),
            redirect_uri=redirect_uri,
            fragment=fragment,
        )
    request.scope = scope
    return str(redirect_uri)


class S256CodeChallenge(CodeChallenge):  # type: ignore[misc]
    """PKCE (RFC 7636) with S256 only, required where the app or the org says so."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        request = grant.request
        data = request.payload.data
        challenge = data.get("code_challenge")
        method = data.get("code_challenge_method")
        client: ConnectedApp = request.client
        required = client.is_public or client.require_pkce or client.org.require_pkce_for_all_apps
        if not challenge:
            if method:
                raise _fail(
                    InvalidRequest("code_challenge_method without code_challenge"),
                    redirect_uri=redirect_uri,
                    fragment=False,
                )
            if required:
                # RFC 9700 §2.1.1; ASVS 10.4.6: reject before the user is asked anything.
                raise _fail(
                    InvalidRequest("missing required code challenge"),
                    redirect_uri=redirect_uri,
                    fragment=False,
                )
            return
        # Salesforce's documentation never mentions the method; an absent one means S256
        # here (RFC 7636 §4.3 would default to plain, which ASVS 10.4.6 forbids).
        if method and method != "S256":
            raise _fail(
                InvalidRequest("unsupported code challenge method: use S256"),
                redirect_uri=redirect_uri,
                fragment=False,
            )
        if not _S256_CHALLENGE.match(challenge):
            raise _fail(
                InvalidRequest("invalid code challenge"), redirect_uri=redirect_uri, fragment=False
            )

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        request = grant.request
        verifier = request.form.get("code_verifier")
        code: AuthorizationCode = request.authorization_code
        if not code.code_challenge:
            if verifier is not None:
                # RFC 9700 §4.8.2: a verifier for a code issued without a challenge is a
                # downgrade attempt.
                raise InvalidRequest("code_verifier sent but no code_challenge was")
            return
        if not verifier:
            # Salesforce answers a missing verifier with invalid_grant.
            raise InvalidGrant("code verifier is missing")
        # Salesforce answers a wrong verifier with invalid_request, where RFC 7636 §4.6
        # says invalid_grant.
        if (
            not _VERIFIER.match(verifier)
            or create_s256_code_challenge(verifier) != code.code_challenge
        ):
            raise InvalidRequest("invalid code verifier")


class OpenIDConnect:
    """Adds an ID token to token responses whose scope includes openid (OIDC Core §3.1.3.3)."""

    def __call__(self, grant: Any) -> None:
        grant.register_hook("after_create_token_response", self.add_id_token)

    def add_id_token(self, grant: Any, response: tuple[int, dict[str, Any], Any]) -> None:
        _, token, _ = response
        if "openid" not in str(token.get("scope", "")).split():
            return
        request = grant.request
        family = request.token_family
        refreshing = grant.GRANT_TYPE == "refresh_token"
        token["id_token"] = identity.id_token(
            client_id=request.client.client_id,
            user=request.user,
            scope=token["scope"],
            issued_at=timezone.now(),
            auth_time=family.auth_time,
            # OIDC Core §12.2: a refreshed ID token need not repeat the nonce.
            nonce="" if refreshing else family.nonce,
            access_token=token["access_token"],
        )


def _issued(grant: Any, token: dict[str, Any]) -> tuple[int, dict[str, Any], Any]:
    """The token response, after the hooks authlib runs on one (the ID token)."""
    response = (200, token, grant.TOKEN_RESPONSE_HEADER)
    grant.execute_hook("after_create_token_response", response)
    return response


def _require_active(user: OrgUser) -> None:
    if not user.user.is_active:
        raise InvalidGrant(errors.AUTHENTICATION_FAILURE)


def _require_permitted(app: ConnectedApp, user: OrgUser) -> None:
    if not app.user_is_permitted(user):
        raise errors.InvalidAppAccess()


class WebServerGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    """The web server flow (RFC 6749 §4.1), with PKCE and OpenID Connect as extensions."""

    RESPONSE_TYPES = {"code"}

    def validate_authorization_request(self) -> str:
        redirect_uri = validate_front_channel(self, fragment=False)
        self.execute_hook("after_validate_authorization_request_payload", redirect_uri)
        return redirect_uri

    def generate_authorization_code(self) -> str:
        return codes.new_code_value()

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        challenge = data.get("code_challenge") or ""
        codes.issue_code(
            code,
            app=request.client,
            user=request.user,
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            nonce=data.get("nonce") or "",
            code_challenge=challenge,
            code_challenge_method="S256" if challenge else "",
            auth_time=request.auth_time,
        )

    @hooked  # type: ignore[untyped-decorator]
    def validate_token_request(self) -> None:
        client = self.authenticate_token_endpoint_client()
        if not client.allows_grant(self.GRANT_TYPE):
            raise errors.UnauthorizedClient()
        value = self.request.form.get("code")
        if not value:
            raise InvalidRequest("code is required")
        code = codes.find_code(value)
        # RFC 6749 §4.1.3: the code must have been issued to this client. Another app's
        # attempt does not burn the code: the app it belongs to can still redeem it.
        if code is None or code.app_id != client.pk:
            raise InvalidGrant(errors.INVALID_CODE)
        if code.used_at is not None:
            tokens.revoke_issued_from_code(code)
            raise InvalidGrant(errors.INVALID_CODE)
        if code.expires_at <= timezone.now():
            raise InvalidGrant(errors.EXPIRED_CODE)
        if self.request.form.get("redirect_uri") != code.redirect_uri:
            # RFC 6749 §4.1.3: identical to the one in the authorization request.
            raise InvalidGrant("redirect_uri does not match the authorization request")
        self.request.client = client
        self.request.authorization_code = code

    def create_token_response(self) -> Any:
        request = self.request
        code: AuthorizationCode = request.authorization_code
        request.user = self.authenticate_user(code)
        # The code is spent and its tokens stored in one transaction; the ID token is signed
        # after it commits, so no writer waits on the signature.
        with transaction.atomic():
            redeemed = codes.redeem_code(code)
            if redeemed:
                token = self.generate_token(
                    user=request.user,
                    scope=code.scope,
                    include_refresh_token=request.client.check_grant_type("refresh_token"),
                )
                self.save_token(token)
        if not redeemed:
            # Lost a race with another redemption of the same code: a replay.
            tokens.revoke_issued_from_code(code)
            raise InvalidGrant(errors.INVALID_CODE)
        return _issued(self, token)

    def authenticate_user(self, authorization_code: AuthorizationCode) -> OrgUser:
        user = authorization_code.user
        _require_active(user)
        return user


class UserAgentGrant(grants.ImplicitGrant):  # type: ignore[misc]
    """The user-agent flow (RFC 6749 §4.2): tokens in the fragment. Off unless enabled."""

    # authlib sorts the words of response_type, so "token id_token" arrives as this.
    RESPONSE_TYPES = {"token", "id_token token"}

    def validate_authorization_request(self) -> str:
        redirect_uri = validate_front_channel(self, fragment=True)
        request = self.request
        if not request.client.org.allow_user_agent_flow:
            raise _fail(errors.UnauthorizedClient(), redirect_uri=redirect_uri, fragment=True)
        if request.payload.response_type == "id_token token":
            if "openid" not in request.scope.split():
                raise _fail(
                    errors.InvalidScope("token id_token needs the openid scope"),
                    redirect_uri=redirect_uri,
                    fragment=True,
                )
            if not request.payload.data.get("nonce"):
                # OIDC Core §3.2.2.1: nonce is REQUIRED when an ID token comes back directly.
                raise _fail(
                    InvalidRequest("nonce is required with token id_token"),
                    redirect_uri=redirect_uri,
                    fragment=True,
                )
        return redirect_uri

    def create_authorization_response(self, redirect_uri: str, grant_user: OrgUser | None) -> Any:
        request = self.request
        if grant_user is None:
            raise errors.AccessDenied(redirect_uri=redirect_uri, redirect_fragment=True)
        request.user = grant_user
        # RFC 6749 §4.2.2: the authorization server MUST NOT issue a refresh token.
        token = self.server.generate_token(
            grant_type=self.GRANT_TYPE,
            client=request.client,
            user=grant_user,
            scope=request.scope,
            include_refresh_token=False,
        )
        self.server.save_token(token, request)
        if request.payload.response_type == "id_token token":
            token["id_token"] = identity.id_token(
                client_id=request.client.client_id,
                user=grant_user,
                scope=token["scope"],
                issued_at=timezone.now(),
                auth_time=request.auth_time,
                nonce=request.payload.data.get("nonce") or "",
                access_token=token["access_token"],
            )
        params = [(name, str(value)) for name, value in token.items()]
        if request.payload.state:
            params.append(("state", request.payload.state))
        return 302, "", [("Location", add_params_to_uri(redirect_uri, params, fragment=True))]


class ClientCredentialsGrant(grants.ClientCredentialsGrant):  # type: ignore[misc]
    """RFC 6749 §4.4; tokens act as the app's run-as user, and no refresh token is issued."""

    def validate_token_request(self) -> None:
        client: ConnectedApp = self.authenticate_token_endpoint_client()
        if not client.allows_grant(self.GRANT_TYPE) or client.is_public:
            raise errors.UnauthorizedClient()
        scope = client.get_allowed_scope(self.request.payload.scope)
        if scope is None:
            raise errors.InvalidScope()
        if client.run_as is None:
            raise InvalidGrant(errors.NO_RUN_AS_USER)
        run_as = client.run_as
        _require_active(run_as)
        _require_permitted(client, run_as)
        self.request.client = client
        self.request.user = run_as
        self.request.scope = " ".join(s for s in scope.split() if s not in REFRESH_SCOPES)

    def create_token_response(self) -> Any:
        token = self.generate_token(
            user=self.request.user, scope=self.request.scope, include_refresh_token=False
        )
        self.save_token(token)
        return 200, token, self.TOKEN_RESPONSE_HEADER


class PasswordGrant(grants.ResourceOwnerPasswordCredentialsGrant):  # type: ignore[misc]
    """The username-password flow (RFC 6749 §4.3). Off unless the org and the app allow it."""

    def validate_token_request(self) -> None:
        client: ConnectedApp = self.authenticate_token_endpoint_client()
        if not client.allows_grant(self.GRANT_TYPE) or client.is_public:
            raise errors.UnauthorizedClient()
        form = self.request.form
        username, password = form.get("username"), form.get("password")
        if not username or not password:
            raise InvalidRequest("username and password are required")
        if not client.org.allow_username_password_flow:
            # Salesforce reports a blocked flow as an authentication failure.
            raise InvalidGrant(errors.AUTHENTICATION_FAILURE)
        attempt = logins.check_password(username, password, address=self.request.remote_address)
        if attempt.user is None:
            # One answer for a wrong password, an unknown user and a lock-out: no enumeration.
            raise InvalidGrant(errors.AUTHENTICATION_FAILURE)
        _require_permitted(client, attempt.user)
        scope = client.get_allowed_scope(self.request.payload.scope)
        if scope is None:
            raise errors.InvalidScope()
        self.request.client = client
        self.request.user = attempt.user
        self.request.scope = scope

    def create_token_response(self) -> Any:
        # Salesforce issues no refresh token in this flow.
        token = self.generate_token(
            user=self.request.user, scope=self.request.scope, include_refresh_token=False
        )
        self.save_token(token)
        return 200, token, self.TOKEN_RESPONSE_HEADER


class RefreshGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    """RFC 6749 §6, with rotation where the app enables it (RFC 9700 §4.14.2)."""

    def _validate_request_token(self, client: ConnectedApp) -> RefreshToken:
        value = self.request.form.get("refresh_token")
        if not value:
            raise InvalidRequest("refresh_token is required")
        token = tokens.find_refresh_token(value)
        # RFC 6749 §6: bound to the client it was issued to.
        if token is None or token.family.app_id != client.pk:
            raise InvalidGrant(errors.EXPIRED_TOKEN)
        if token.rotated_at is not None and token.family.revoked_at is None:
            # A rotated-out token came back: someone holds a copy. Revoke the family.
            tokens.revoke_family_of(token, reason="rotated refresh token reused")
            raise InvalidGrant(errors.EXPIRED_TOKEN)
        if not tokens.refresh_token_usable(token, now=timezone.now()):
            raise InvalidGrant(errors.EXPIRED_TOKEN)
        user = token.family.user
        if not user.user.is_active or tokens.password_fingerprint(user) != (
            token.family.password_fingerprint
        ):
            raise InvalidGrant(errors.AUTHENTICATION_FAILURE)
        return token

    def _validate_token_scope(self, token: RefreshToken) -> None:
        requested = self.request.payload.scope
        # RFC 6749 §6: never broader than originally granted.
        if requested and not set(requested.split()) <= set(token.scope.split()):
            raise errors.InvalidScope()

    def create_token_response(self) -> Any:
        request = self.request
        token: RefreshToken = request.refresh_token
        client: ConnectedApp = request.client
        request.user = self.authenticate_user(token)
        # As for codes: retire and store in one transaction, sign an ID token after it.
        with transaction.atomic():
            if client.rotate_refresh_tokens:
                current = tokens.retire_refresh_token(token)
            else:
                tokens.touch_refresh_token(token)
                current = True
            if current:
                issued = self.issue_token(request.user, token)
                self.save_token(issued)
        if not current:
            # Two requests raced with one rotating token: only one may win; the family goes.
            tokens.revoke_family_of(token, reason="rotated refresh token reused")
            raise InvalidGrant(errors.EXPIRED_TOKEN)
        return _issued(self, issued)

    def issue_token(self, user: OrgUser, refresh_token: RefreshToken) -> Any:
        client: ConnectedApp = self.request.client
        return self.generate_token(
            user=user,
            scope=self.request.payload.scope or refresh_token.scope,
            # Salesforce sends a new refresh token only when rotation is on.
            include_refresh_token=client.rotate_refresh_tokens,
        )

    def authenticate_user(self, refresh_token: RefreshToken) -> OrgUser:
        return refresh_token.family.user

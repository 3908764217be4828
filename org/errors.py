"""OAuth errors with Salesforce's codes and descriptions (see the B.4 catalogue).

They are authlib OAuth2Error objects, so authlib's grants and endpoints render them:
JSON at the token endpoint, a redirect to the callback at the authorization endpoint.
RFC 6749 §5.2 allows only a restricted ASCII set in descriptions: no double quotes.
"""

from __future__ import annotations

from typing import Any

from authlib.oauth2 import OAuth2Error


class OrgError(OAuth2Error):  # type: ignore[misc]
    """An error this org raises on purpose, with a code and description of its own."""

    def __init__(self, description: str | None = None, **kwargs: Any) -> None:
        super().__init__(description=description or self.description, **kwargs)


class InvalidRequest(OrgError):
    error = "invalid_request"
    description = "invalid request"


class InvalidClientId(OrgError):
    error = "invalid_client_id"
    description = "client identifier invalid"


class InvalidClientCredentials(OrgError):
    # RFC 6749 §5.2: 401 with WWW-Authenticate naming the scheme the client may use.
    # Whether Salesforce answers 400 or 401 here is unconfirmed; 401 is the standard's choice.
    error = "invalid_client"
    description = "invalid client credentials"
    status_code = 401

    def get_headers(self) -> list[tuple[str, str]]:
        headers: list[tuple[str, str]] = super().get_headers()
        headers.append(("WWW-Authenticate", 'Basic realm="token endpoint"'))
        return headers


class TemporarilyUnavailable(OrgError):
    # Too many failed client authentications from one client_id and address. RFC 6749 §5.2
    # has no code for this; temporarily_unavailable is its §4.1.2.1 name for "try later",
    # and 429 with Retry-After is RFC 6585 §4. invalid_client would tell a client whose
    # secret is right that it is wrong.
    error = "temporarily_unavailable"
    description = "too many failed client authentications, try again later"
    status_code = 429

    def __init__(self, *, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after

    def get_headers(self) -> list[tuple[str, str]]:
        headers: list[tuple[str, str]] = super().get_headers()
        headers.append(("Retry-After", str(self.retry_after)))
        return headers


class RedirectUriMissing(OrgError):
    error = "redirect_uri_missing"
    description = "redirect_uri must be provided"


class RedirectUriMismatch(OrgError):
    error = "redirect_uri_mismatch"
    description = "redirect_uri must match configuration"


class AccessDenied(OrgError):
    error = "access_denied"
    description = "end-user denied authorization"


class ImmediateUnsuccessful(OrgError):
    error = "immediate_unsuccessful"
    description = "immediate unsuccessful"


class LoginRequired(OrgError):
    # OpenID Connect Core §3.1.2.6, for prompt=none.
    error = "login_required"
    description = "the user must sign in"


class ConsentRequired(OrgError):
    error = "consent_required"
    description = "the user must approve this app"


class InvalidGrant(OrgError):
    error = "invalid_grant"
    description = "invalid grant"


AUTHENTICATION_FAILURE = "authentication failure"
INVALID_CODE = "invalid authorization code"
EXPIRED_CODE = "expired authorization code"
EXPIRED_TOKEN = "expired access/refresh token"
NO_RUN_AS_USER = "no client credentials user enabled"
# JWT and SAML bearer flows. Salesforce answers an exp out of range with EXPIRED_CODE,
# although there is no authorization code in those flows.
NOT_APPROVED = "user hasn't approved this consumer"
INVALID_ASSERTION = "invalid assertion"
INVALID_AUDIENCE = "audience is invalid"
# Device flow: a device code that is unknown, another app's, or already exchanged.
INVALID_DEVICE_CODE = "invalid device code"


class InvalidAppAccess(OrgError):
    error = "invalid_app_access"
    description = "user is not admin approved to access this app"


class AppAccessDenied(OrgError):
    # The front-channel name Salesforce uses for the same refusal.
    error = "OAUTH_APP_ACCESS_DENIED"
    description = "user is not admin approved to access this app"


class AuthorizationPending(OrgError):
    # RFC 8628 §3.5: the person has not answered yet; poll again after the interval.
    error = "authorization_pending"
    description = "the user has not approved this device yet"


class SlowDown(OrgError):
    # RFC 8628 §3.5; the description is the one Salesforce sends.
    error = "slow_down"
    description = "polling too quickly for the token endpoint."


class ExpiredToken(OrgError):
    # RFC 8628 §3.5: the device code has expired; the device must start again.
    error = "expired_token"
    description = "the device code has expired"


class InvalidTarget(OrgError):
    # RFC 8693 §2.2.2: the audience or resource asked for is not one the org serves.
    error = "invalid_target"
    description = "the requested audience or resource is not allowed"


class UnsupportedResponseType(OrgError):
    error = "unsupported_response_type"
    description = "response type not supported"


class UnsupportedGrantType(OrgError):
    error = "unsupported_grant_type"
    description = "grant type not supported"


class InvalidScope(OrgError):
    error = "invalid_scope"
    description = "the requested scope is not allowed"


class UnauthorizedClient(OrgError):
    error = "unauthorized_client"
    description = "this app is not allowed to use this flow"


# authlib raises its own errors in a few places (an unknown grant_type, say); they are
# answered with Salesforce's description for the same code.
_DESCRIPTIONS = {
    "invalid_client": InvalidClientCredentials.description,
    "unsupported_grant_type": UnsupportedGrantType.description,
    "unsupported_response_type": UnsupportedResponseType.description,
    "invalid_scope": InvalidScope.description,
    "access_denied": AccessDenied.description,
    "unauthorized_client": UnauthorizedClient.description,
}


def as_org_error(error: OAuth2Error) -> OAuth2Error:
    """The error with Salesforce's wording; an OrgError is already worded."""
    if isinstance(error, OrgError):
        return error
    if error.error == "invalid_client":
        translated: OAuth2Error = InvalidClientCredentials(
            state=error.state, redirect_uri=error.redirect_uri
        )
        return translated
    description = _DESCRIPTIONS.get(error.error)
    if description:
        error.description = description
    return error

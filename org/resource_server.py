"""Bearer token checks for the org's protected resources (RFC 6750), built on authlib's
ResourceProtector: userinfo, the identity URL and the REST API.

A token bound to a client certificate (RFC 8705 §3) is good only on a connection that
presents that certificate; a user with "Enforce SSL/TLS Mutual Authentication" reaches the
API only over mutual TLS. Both refusals are invalid_token, 401, on either port.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from authlib.integrations.django_oauth2 import ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6750 import BearerTokenValidator, InsufficientScopeError, InvalidTokenError
from django.http import HttpRequest
from django.utils import timezone

from org import tokens
from org.models import AccessToken
from org.tls.client_certificate import PresentedCertificate, presented_certificate

REALM = "Handshake demo org"


class OrgBearerTokenValidator(BearerTokenValidator):  # type: ignore[misc]
    def authenticate_token(self, token_string: str) -> AccessToken | None:
        return tokens.find_access_token(token_string.strip())

    def validate_token(self, token: AccessToken | None, scopes: Any, request: Any) -> None:
        if token is None or not tokens.access_token_active(token, now=timezone.now()):
            raise InvalidTokenError(
                description="the access token is expired, revoked or unknown", realm=self.realm
            )
        if self.scope_insufficient(token.scope, scopes):
            raise InsufficientScopeError()


_protector = ResourceProtector()
_protector.register_token_validator(OrgBearerTokenValidator(realm=REALM))


@dataclass(frozen=True)
class BearerCheck:
    token: AccessToken | None
    status: int = 200
    error: str = ""
    description: str = ""

    @property
    def www_authenticate(self) -> str:
        # RFC 6750 §3: no error code when the request carried no credentials at all.
        if self.error in {"", "missing_authorization"}:
            return f'Bearer realm="{REALM}"'
        return (
            f'Bearer realm="{REALM}", error="{self.error}", error_description="{self.description}"'
        )


def check_bearer(request: HttpRequest, *, any_of: Collection[str]) -> BearerCheck:
    """The live access token the request carries, holding at least one of `any_of`."""
    if request.GET.get("access_token") or request.GET.get("oauth_token"):
        # RFC 6750 §2.3 / RFC 9700 §4.3.2: a token in a URL leaks into logs and history.
        return BearerCheck(
            token=None,
            status=400,
            error="invalid_request",
            description="send the access token in the Authorization header, not in the URL",
        )
    try:
        token = _protector.acquire_token(request, scopes=sorted(any_of))
    except InsufficientScopeError:
        return BearerCheck(
            token=None,
            status=403,
            error="insufficient_scope",
            description="the access token lacks the scope this resource needs",
        )
    except OAuth2Error as error:
        return BearerCheck(
            token=None, status=401, error=str(error.error), description=str(error.description)
        )
    refusal = _certificate_refusal(token, presented_certificate(request))
    if refusal:
        return BearerCheck(token=None, status=401, error="invalid_token", description=refusal)
    return BearerCheck(token=token)


def _certificate_refusal(token: AccessToken, presented: PresentedCertificate | None) -> str:
    """Why this connection may not use the token, or "" when it may."""
    bound_to = token.certificate_thumbprint
    if bound_to and (presented is None or presented.thumbprint != bound_to):
        # RFC 8705 §3: the resource server checks the binding on every request.
        return "the access token is bound to a client certificate this request did not present"
    if token.family.user.enforce_mutual_tls and presented is None:
        return "this user's API access requires mutual TLS: connect with a client certificate"
    return ""

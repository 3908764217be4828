"""The OAuth scopes the org knows, with what each lets an app do, in plain words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    name: str
    label: str
    consent_text: str
    hint: str


SCOPES: tuple[Scope, ...] = (
    Scope(
        "api",
        "Manage user data via APIs",
        "Read and change your records through the REST API",
        "Needed to call /services/data/…. Salesforce's most common scope.",
    ),
    Scope(
        "refresh_token",
        "Perform requests at any time",
        "Keep access while you are away, by getting new access tokens on its own",
        "Without it (or offline_access) no refresh token is issued.",
    ),
    Scope(
        "offline_access",
        "Perform requests at any time (OpenID name)",
        "Keep access while you are away, by getting new access tokens on its own",
        "The OpenID Connect name for the same permission as refresh_token.",
    ),
    Scope(
        "openid",
        "Sign in with OpenID Connect",
        "Confirm who you are to the app (an ID token)",
        "Adds a signed id_token to the response and unlocks the userinfo endpoint.",
    ),
    Scope(
        "id",
        "Access the identity URL service",
        "See your identity: your name, username and the org you belong to",
        "Lets the app read /id/<org>/<user>, Salesforce's own identity service.",
    ),
    Scope(
        "profile",
        "Access basic profile information",
        "See your name, time zone and locale",
        "Standard OpenID Connect claims about the person.",
    ),
    Scope(
        "email",
        "Access email address",
        "See your email address",
        "Adds email and email_verified to userinfo.",
    ),
    Scope(
        "address",
        "Access address",
        "See your postal address",
        "Adds the address claim to userinfo.",
    ),
    Scope(
        "phone",
        "Access phone number",
        "See your phone number",
        "Adds phone_number to userinfo.",
    ),
    Scope(
        "web",
        "Access the org in a browser",
        "Open pages of the org as you",
        "Salesforce uses it to let a token open web pages (frontdoor).",
    ),
    Scope(
        "full",
        "Full access",
        "Do anything you can do in the org, except get a refresh token",
        "Everything except refresh; ask for refresh_token separately.",
    ),
)

SCOPE_NAMES: frozenset[str] = frozenset(scope.name for scope in SCOPES)

REFRESH_SCOPES = frozenset({"refresh_token", "offline_access"})
API_SCOPES = frozenset({"api", "full"})
IDENTITY_SCOPES = frozenset({"id", "openid", "profile", "email", "address", "phone", "full"})


def describe(scope_string: str) -> list[Scope]:
    """The known scopes in a space-separated scope string, in catalogue order."""
    wanted = set(scope_string.split())
    return [scope for scope in SCOPES if scope.name in wanted]

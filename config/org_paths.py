"""Where a Salesforce org keeps its endpoints, below its base URL.

One home for Salesforce's published paths: the org routes them (org/urls.py) and publishes them
(discovery), and the playground, like any Salesforce client, knows them without asking. Plain
Python, so both sides may import it without knowing each other.
"""

from __future__ import annotations

# The newest REST API version the org serves (Winter '25), and the one the playground calls.
API_VERSION = "62.0"

ORG_PATHS = {
    "authorization": "/services/oauth2/authorize",
    "token": "/services/oauth2/token",
    "revocation": "/services/oauth2/revoke",
    "introspection": "/services/oauth2/introspect",
    "userinfo": "/services/oauth2/userinfo",
    "device_authorization": "/services/oauth2/device/authorize",
    "jwks": "/id/keys",
    "discovery": "/.well-known/openid-configuration",
}


def route(name: str) -> str:
    """The path as a Django URL pattern writes it: without the leading slash."""
    return ORG_PATHS[name].removeprefix("/")

"""OpenID Connect Discovery 1.0 / RFC 8414 metadata for the org."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from config.org_paths import ORG_PATHS
from org.connected_apps import DEVICE_CODE, FLOWS, SAML2_BEARER
from org.identity import base_url
from org.models import TlsClientAuth
from org.scopes import SCOPES

CLAIMS = (
    "active",
    "address",
    "email",
    "email_verified",
    "family_name",
    "given_name",
    "language",
    "locale",
    "name",
    "nickname",
    "organization_id",
    "phone_number",
    "phone_number_verified",
    "photos",
    "picture",
    "preferred_username",
    "profile",
    "sub",
    "urls",
    "user_id",
    "user_type",
    "zoneinfo",
)


# RFC 8705 §2.1.1 and §2.2.1, on the TLS port.
TLS_AUTH_METHODS = (TlsClientAuth.PKI.value, TlsClientAuth.SELF_SIGNED.value)

SALESFORCE_GRANT_NAMES = ((DEVICE_CODE, "device"), (SAML2_BEARER, "assertion"))


def openid_configuration() -> dict[str, Any]:
    base = base_url()
    tls_base = str(settings.HANDSHAKE_TLS_URL)
    # RFC 8414 §2 names the authorization-endpoint-only user-agent grant "implicit". The
    # org also takes Salesforce's own names for two of them: "device" (the device flow's
    # poll) and "assertion" (the older SAML assertion flow).
    grant_types = [flow.grant for flow in FLOWS if flow.available]
    grant_types += [name for grant, name in SALESFORCE_GRANT_NAMES if grant in grant_types]
    return {
        # OIDC Discovery §4.3: exactly the configured issuer, never the Host header.
        "issuer": base,
        "authorization_endpoint": base + ORG_PATHS["authorization"],
        "token_endpoint": base + ORG_PATHS["token"],
        "revocation_endpoint": base + ORG_PATHS["revocation"],
        "introspection_endpoint": base + ORG_PATHS["introspection"],
        "userinfo_endpoint": base + ORG_PATHS["userinfo"],
        # RFC 8628 §4; real Salesforce starts the device flow at the token endpoint instead.
        "device_authorization_endpoint": base + ORG_PATHS["device_authorization"],
        "jwks_uri": base + ORG_PATHS["jwks"],
        "response_types_supported": ["code", "token", "token id_token"],
        "response_modes_supported": ["query", "fragment"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "display_values_supported": ["page", "popup", "touch", "mobile"],
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "client_secret_basic",
            "none",
            *TLS_AUTH_METHODS,
        ],
        "revocation_endpoint_auth_methods_supported": [
            "client_secret_post",
            "client_secret_basic",
            "none",
            *TLS_AUTH_METHODS,
        ],
        "introspection_endpoint_auth_methods_supported": [
            "client_secret_post",
            "client_secret_basic",
            *TLS_AUTH_METHODS,
        ],
        "claims_supported": list(CLAIMS),
        "scopes_supported": [scope.name for scope in SCOPES],
        # Real Salesforce leaves these two out; standard clients look for them.
        "grant_types_supported": grant_types,
        "code_challenge_methods_supported": ["S256"],
        # RFC 9207 §3: every authorization response carries iss.
        "authorization_response_iss_parameter_supported": True,
        # RFC 8705 §3.3 and §5: tokens bound to client certificates, and where to get them.
        "tls_client_certificate_bound_access_tokens": True,
        "mtls_endpoint_aliases": {
            f"{name}_endpoint": tls_base + ORG_PATHS[name]
            for name in ("token", "revocation", "introspection", "userinfo")
        },
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "claims_parameter_supported": False,
    }

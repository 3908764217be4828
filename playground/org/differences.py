"""Where this org, a real Salesforce org and the RFCs part ways: data the playground shows.

`follows` says whose behaviour the simulator copies; `confirmed` is False where Salesforce's
behaviour is not confirmed from its documentation, and the standard behaviour was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Difference:
    slug: str
    topic: str
    salesforce: str
    standard: str
    simulator: str
    follows: Literal["salesforce", "standard", "both"]
    confirmed: bool
    reference: str


SALESFORCE_DIFFERENCES: tuple[Difference, ...] = (
    Difference(
        "expires-in",
        "expires_in in token responses",
        "Leaves expires_in out; clients learn the lifetime from the introspection endpoint.",
        "RFC 6749 §5.1 recommends expires_in.",
        "Adds expires_in so standard client libraries can schedule refreshes.",
        "standard",
        True,
        "RFC 6749 §5.1",
    ),
    Difference(
        "extra-token-fields",
        "Extra fields in token responses",
        "Adds instance_url, id (the identity URL), issued_at in milliseconds as a string, "
        "and signature, an HMAC-SHA256 of id + issued_at keyed by the consumer secret.",
        "RFC 6749 §5.1 defines access_token, token_type, expires_in, refresh_token, scope.",
        "Sends the same extra fields. A public app has no consumer secret here, so its "
        "responses carry no signature.",
        "salesforce",
        True,
        "RFC 6749 §5.1",
    ),
    Difference(
        "error-codes",
        "Error codes outside the RFC registry",
        "Uses invalid_client_id, redirect_uri_missing, redirect_uri_mismatch, "
        "immediate_unsuccessful, invalid_app_access and OAUTH_APP_ACCESS_DENIED.",
        "RFC 6749 §4.1.2.1 and §5.2 list a small fixed set of codes.",
        "Uses Salesforce's codes and descriptions.",
        "salesforce",
        True,
        "RFC 6749 §5.2",
    ),
    Difference(
        "pkce-mismatch",
        "Wrong PKCE code_verifier",
        "Answers invalid_request.",
        "RFC 7636 §4.6 says invalid_grant.",
        "Answers invalid_request, as Salesforce does; a missing verifier is invalid_grant.",
        "salesforce",
        True,
        "RFC 7636 §4.6",
    ),
    Difference(
        "pkce-method",
        "code_challenge_method",
        "Its documentation never mentions the parameter; clients send S256.",
        "RFC 7636 §4.3: an absent method means plain.",
        "Accepts only S256; an absent method is read as S256, plain is refused.",
        "both",
        False,
        "RFC 7636 §4.3; ASVS 10.4.6",
    ),
    Difference(
        "discovery-metadata",
        "Discovery document",
        "Leaves out grant_types_supported, code_challenge_methods_supported and "
        "authorization_response_iss_parameter_supported.",
        "RFC 8414 §2 defines them; RFC 9207 §3 the iss one.",
        "Publishes them, because standard clients look for them.",
        "standard",
        True,
        "RFC 8414 §2",
    ),
    Difference(
        "iss-parameter",
        "iss in authorization responses",
        "Not documented.",
        "RFC 9207 §2: the authorization server names itself in every authorization response.",
        "Adds iss to every redirect back to the app, errors included.",
        "standard",
        False,
        "RFC 9207 §2",
    ),
    Difference(
        "revocation",
        "Token revocation",
        "Also accepts GET ?token= and JSONP, and answers an unknown token with 400 invalid_token.",
        "RFC 7009 §2.1: POST only; §2.2: an invalid token still gets 200.",
        "POST only, and 200 for every token it cannot or may not revoke; a token in a URL "
        "would land in logs (RFC 9700 §4.3).",
        "standard",
        True,
        "RFC 7009 §2",
    ),
    Difference(
        "revocation-auth",
        "Who may revoke",
        "Revokes on the bare token, with no client authentication.",
        "RFC 7009 §2.1: confidential clients authenticate.",
        "Accepts a bare token; when the app identifies itself, only its own tokens are revoked.",
        "salesforce",
        True,
        "RFC 7009 §2.1",
    ),
    Difference(
        "introspection-shape",
        "Introspection response",
        "sub is the identity URL and token_type is access_token or refresh_token.",
        "RFC 7662 §2.2: token_type is the RFC 6749 type, such as Bearer.",
        "Answers in Salesforce's shape.",
        "salesforce",
        True,
        "RFC 7662 §2.2",
    ),
    Difference(
        "refresh-without-rotation",
        "Refresh response",
        "Leaves refresh_token out of a refresh response unless rotation is on.",
        "RFC 6749 §6 lets the server choose.",
        "Same: rotation is a per-app setting, on by default for new apps here.",
        "salesforce",
        True,
        "RFC 6749 §6; RFC 9700 §4.14.2",
    ),
    Difference(
        "refresh-scope",
        "Refresh tokens need a scope",
        "Issues a refresh token only when refresh_token or offline_access is granted.",
        "RFC 6749 leaves it to the server.",
        "Same.",
        "salesforce",
        True,
        "RFC 6749 §1.5",
    ),
    Difference(
        "user-agent-refresh",
        "Refresh tokens in the user-agent flow",
        "Recalled to return one when the callback is its own success page or a custom scheme.",
        "RFC 6749 §4.2.2: the server MUST NOT issue a refresh token in the implicit grant.",
        "Never issues one in the user-agent flow.",
        "standard",
        False,
        "RFC 6749 §4.2.2",
    ),
    Difference(
        "client-credentials-host",
        "Client credentials host",
        "Works only on the My Domain host and adds api_instance_url (https://api.salesforce.com).",
        "RFC 6749 §4.4 has no such rule.",
        "One host serves everything; api_instance_url points at it.",
        "salesforce",
        True,
        "RFC 6749 §4.4",
    ),
    Difference(
        "invalid-client-status",
        "Status for invalid_client",
        "Unconfirmed whether 400 or 401.",
        "RFC 6749 §5.2: 401 with WWW-Authenticate when the client used HTTP Basic.",
        "Always 401 with WWW-Authenticate: Basic.",
        "standard",
        False,
        "RFC 6749 §5.2",
    ),
    Difference(
        "api-401",
        "REST API authentication errors",
        'A JSON array: [{"message": "Session expired or invalid", "errorCode": '
        '"INVALID_SESSION_ID"}].',
        "RFC 6750 §3: a WWW-Authenticate: Bearer header with error=invalid_token.",
        "Sends Salesforce's array and also the RFC 6750 header.",
        "both",
        False,
        "RFC 6750 §3",
    ),
    Difference(
        "identity-token-in-url",
        "Tokens in the identity URL's query string",
        "Accepts ?oauth_token= or ?access_token= on the identity URL.",
        "RFC 6750 §2.3 discourages it; RFC 9700 §4.3.2 says not to.",
        "Refuses tokens in URLs; send the Authorization header.",
        "standard",
        True,
        "RFC 9700 §4.3.2",
    ),
    Difference(
        "code-lifetime",
        "Authorization code lifetime",
        "Fifteen minutes.",
        "RFC 6749 §4.1.2 recommends at most ten.",
        "Ten minutes.",
        "standard",
        False,
        "RFC 6749 §4.1.2",
    ),
    Difference(
        "token-formats",
        "Shapes of codes and tokens",
        "Access tokens look like 00D…!AQ…, refresh tokens 5Aep…, codes aPrx….",
        "Opaque strings of any shape.",
        "Copies the shapes, which are known from practice rather than documentation.",
        "salesforce",
        False,
        "RFC 6749 §1.4",
    ),
    Difference(
        "format-parameter",
        "The format parameter",
        "format=urlencoded|json|xml picks the response encoding, overriding Accept.",
        "RFC 6749 §5.1: JSON.",
        "Always answers JSON.",
        "standard",
        True,
        "RFC 6749 §5.1",
    ),
    Difference(
        "prompt-none",
        "Silent authorization",
        "Documents immediate=true (error immediate_unsuccessful).",
        "OIDC Core §3.1.2.1: prompt=none (errors login_required, consent_required).",
        "Supports both.",
        "both",
        False,
        "OIDC Core §3.1.2.6",
    ),
)

"""Where this org, a real Salesforce org and the RFCs part ways: the catalogue the playground shows.

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
        "Leaves out grant_types_supported, code_challenge_methods_supported, "
        "device_authorization_endpoint and authorization_response_iss_parameter_supported.",
        "RFC 8414 §2 defines them; RFC 8628 §4 the device one; RFC 9207 §3 the iss one.",
        "Publishes them, because standard clients look for them. grant_types_supported "
        "also lists Salesforce's own names device and assertion.",
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
        "jwt-bearer-exp",
        "JWT bearer: the exp claim",
        "exp must lie at most about three minutes ahead. An exp in the past or too far ahead "
        "gets invalid_grant with the description expired authorization code.",
        "RFC 7523 §3 requires exp and sets no upper limit.",
        "Same window (an org setting, three minutes by default, plus a minute for clock "
        "drift) and the same description. It misleads: this flow has no authorization code, "
        "so the words send people hunting for a code when the fault is the exp claim, or a "
        "clock that is wrong.",
        "salesforce",
        True,
        "RFC 7523 §3",
    ),
    Difference(
        "jwt-bearer-approval",
        "JWT and SAML bearer: who may get a token",
        "The user must be pre-authorized by an admin, or must have approved the app before; "
        "otherwise invalid_grant, user hasn't approved this consumer. The scope parameter is "
        "ignored and no refresh token is issued.",
        "RFC 7523 and RFC 7522 leave authorization of the subject to the server.",
        "Same. Any earlier approval counts here; Salesforce is reported to want one that "
        "granted refresh_token.",
        "salesforce",
        False,
        "RFC 7523 §3; RFC 7522 §3",
    ),
    Difference(
        "assertion-audience",
        "JWT and SAML bearer: the audience",
        "The login URL (login.salesforce.com, test.salesforce.com or a site URL).",
        "RFC 7523 §3 and RFC 7522 §3 also let the token endpoint URL identify the server.",
        "Only the org's login URL, which is this site's base URL; the token endpoint URL is "
        "refused with audience is invalid. The SAML Recipient must be the token endpoint.",
        "salesforce",
        True,
        "RFC 7523 §3; RFC 7522 §3",
    ),
    Difference(
        "assertion-errors",
        "JWT and SAML bearer: error descriptions",
        "Four descriptions are known: user hasn't approved this consumer, invalid assertion, "
        "audience is invalid and expired authorization code. The full list is not published.",
        "RFC 7523 §3.1 and RFC 7522 §3.1: every invalid assertion is invalid_grant.",
        "invalid_grant with one of those four; every other fault (signature, algorithm, "
        "unknown issuer, nbf, replay) is invalid assertion.",
        "both",
        False,
        "RFC 7523 §3.1",
    ),
    Difference(
        "assertion-replay",
        "JWT and SAML bearer: using an assertion twice",
        "Not documented.",
        "RFC 7523 §3 lets the server refuse a jti it has seen; RFC 7522 §3 lets it refuse a "
        "SAML assertion ID it has seen.",
        "Refuses both, remembering each id until the assertion expires. A JWT without jti "
        "can be reused until its exp.",
        "standard",
        False,
        "RFC 7523 §3; RFC 7522 §3",
    ),
    Difference(
        "assertion-clock-skew",
        "Clock drift for assertions",
        "Not documented.",
        "RFC 7519 §4.1.4-5 allow a small leeway.",
        "One minute either way for exp, nbf, iat and the SAML time attributes.",
        "standard",
        False,
        "RFC 7519 §4.1.4",
    ),
    Difference(
        "saml-bearer-expiry",
        "SAML bearer: how long an assertion may live",
        "Needs a NotOnOrAfter; the exact window is not documented.",
        "RFC 7522 §3 requires an expiry and sets no limit.",
        "Accepts any NotOnOrAfter still in the future, on the bearer SubjectConfirmationData "
        "and, when present, on Conditions.",
        "standard",
        False,
        "RFC 7522 §3",
    ),
    Difference(
        "saml-legacy-assertion-flow",
        "The older SAML assertion flow",
        "grant_type=assertion with assertion_type=urn:oasis:names:tc:SAML:2.0:profiles:SSO:"
        "browser, checked against the org's single sign-on settings.",
        "RFC 7522 §2.1 uses grant_type=urn:ietf:params:oauth:grant-type:saml2-bearer.",
        "Accepts both forms and checks the same assertion against the app's identity "
        "provider certificate; the org has no single sign-on settings of its own.",
        "both",
        False,
        "RFC 7522 §2.1",
    ),
    Difference(
        "device-flow-shape",
        "Device flow requests",
        "Starts with a POST to the token endpoint carrying response_type=device_code, and "
        "polls with grant_type=device and the device code in a parameter named code.",
        "RFC 8628: a separate device authorization endpoint, listed in discovery, and polls "
        "with grant_type=urn:ietf:params:oauth:grant-type:device_code and device_code.",
        "Serves both shapes: /services/oauth2/device/authorize and the token endpoint start "
        "the same flow, and either poll works.",
        "both",
        True,
        "RFC 8628 §3.1, §3.4",
    ),
    Difference(
        "device-flow-fields",
        "Device flow: expires_in and verification_uri_complete",
        "Not seen in its device responses.",
        "RFC 8628 §3.2: expires_in is required; verification_uri_complete is optional.",
        "Sends both in both shapes; the complete URI fills the code in on /setup/connect.",
        "standard",
        False,
        "RFC 8628 §3.2",
    ),
    Difference(
        "device-user-code",
        "Device flow: the user code",
        "Eight upper-case letters and digits, shown without a dash.",
        "RFC 8628 §6.1 suggests a short code from an alphabet without look-alike characters.",
        "Eight consonants shown as XXXX-XXXX; typed in any case, with or without the dash. "
        "Wrong codes are limited per browser session and per network address.",
        "standard",
        True,
        "RFC 8628 §6.1, §5.1",
    ),
    Difference(
        "device-flow-errors",
        "Device flow: poll answers",
        "slow_down reads polling too quickly for the token endpoint. The descriptions of "
        "authorization_pending, access_denied and expired_token, and the code lifetime, are "
        "not documented.",
        "RFC 8628 §3.5 defines the codes; an unknown device code is invalid_grant under "
        "RFC 6749 §5.2.",
        "Salesforce's slow_down wording, our own for the rest; codes last ten minutes; an "
        "unknown, another app's or already used device code is invalid_grant.",
        "standard",
        False,
        "RFC 8628 §3.5",
    ),
    Difference(
        "device-flow-secret",
        "Device flow: client authentication",
        "The device sends its consumer key only.",
        "RFC 8628 §3.1 expects confidential clients to authenticate.",
        "The consumer key is enough; a secret that is sent is still checked.",
        "salesforce",
        True,
        "RFC 8628 §3.1",
    ),
    Difference(
        "asset-token-response",
        "Asset token response",
        "token_type Bearer and expires_in 60: the one Salesforce response with expires_in.",
        "RFC 8693 §2.2.1: token_type N_A when the issued token is not an access token.",
        "Salesforce's shape. The asset token names the demo asset and carries the device "
        "key in cnf when the actor token had one.",
        "salesforce",
        True,
        "RFC 8693 §2.2.1",
    ),
    Difference(
        "asset-token-actor",
        "Asset token: the actor token's signature",
        "An actor token with a cnf key must be signed with that key; without one, how it is "
        "checked is not documented.",
        "RFC 8693 §2.1 leaves validation of the actor token to the server.",
        "With cnf.jwk the signature is verified (RS256 or ES256) and the asset token is "
        "bound to the key. Without it the claims are read unverified, and the asset token "
        "is not bound to any key.",
        "both",
        False,
        "RFC 8693 §2.1; RFC 7800 §3",
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

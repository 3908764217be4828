"""Where this org, a real Salesforce org and the RFCs part ways: the catalogue the playground shows.

`follows` says whose behaviour the simulator copies; `confirmed` is False where Salesforce's
behaviour is not confirmed by its documentation (recalled, seen once, or not documented at all).
A step names the rows that apply to it by slug (`Step.differences`); its card on the run page
shows each row's `short` sentence, linking to the full row on /playground/differences/.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Difference:
    slug: str
    topic: str
    short: str  # one sentence for a step card; the card links to the full row
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
        "Salesforce leaves expires_in out of token responses and expects you to ask introspection "
        "for exp; this org adds it for standard clients.",
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
        "Salesforce adds instance_url, id (the identity URL), issued_at (milliseconds, as a "
        "string) and signature, an HMAC of id and issued_at keyed by the consumer secret.",
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
        "api-instance-url",
        "Where the API lives",
        "The REST API lives at the instance_url from the token response, not at the login host, so "
        "a client must call that URL.",
        "The REST API is on the org's own host, the instance_url of the token response, not on the "
        "login host that issued the token.",
        "RFC 6749 §1.1 keeps the resource server apart from the authorization server and leaves "
        "its address to the client's configuration.",
        "One host serves both and instance_url points at it; the playground still calls the "
        "instance_url it got, as a real client must.",
        "salesforce",
        True,
        "RFC 6749 §1.1",
    ),
    Difference(
        "error-codes",
        "Error codes outside the RFC registry",
        "Salesforce uses error codes the RFCs do not define, such as invalid_client_id and "
        "redirect_uri_mismatch, and so does this org.",
        "Uses invalid_client_id, redirect_uri_missing, redirect_uri_mismatch, "
        "immediate_unsuccessful, invalid_app_access and OAUTH_APP_ACCESS_DENIED.",
        "RFC 6749 §4.1.2.1 and §5.2 list a small fixed set of codes.",
        "Uses Salesforce's codes and descriptions.",
        "salesforce",
        True,
        "RFC 6749 §5.2",
    ),
    Difference(
        "redirect-uri-required",
        "redirect_uri on every authorization request",
        "Salesforce wants redirect_uri on every authorization request, even from an app with a "
        "single callback URL, and so does this org.",
        "Required, and must match one of the app's callback URLs; without it, "
        "redirect_uri_missing.",
        "RFC 6749 §3.1.2.3 lets an app with a single registered redirection URI leave it out.",
        "Same: required, and compared exactly (a loopback address may use any port, RFC 8252 "
        "§7.3).",
        "salesforce",
        True,
        "RFC 6749 §3.1.2.3",
    ),
    Difference(
        "pkce-mismatch",
        "Wrong PKCE code_verifier",
        "A wrong code_verifier gets invalid_request from Salesforce and from this org, where "
        "RFC 7636 §4.6 says invalid_grant.",
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
        "Salesforce's documentation never mentions code_challenge_method; send S256, the only "
        "method this org accepts.",
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
        "Salesforce's discovery document leaves out grant_types_supported, "
        "code_challenge_methods_supported and device_authorization_endpoint; this org lists them.",
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
        "This org names itself with iss in every authorization response (RFC 9207); whether "
        "Salesforce does is not documented.",
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
        "Salesforce also revokes by GET with the token in the URL, where it lands in logs; this "
        "org takes POST only, as RFC 7009 says.",
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
        "Salesforce revokes on the bare token, with no client authentication; so does this org, "
        "but an app that identifies itself revokes only its own tokens.",
        "Revokes on the bare token, with no client authentication.",
        "RFC 7009 §2.1: confidential clients authenticate.",
        "Accepts a bare token; when the app identifies itself, only its own tokens are revoked.",
        "salesforce",
        True,
        "RFC 7009 §2.1",
    ),
    Difference(
        "revoke-refresh-token",
        "What revoking a refresh token takes with it",
        "Revoking a refresh token also revokes every access token issued from it; revoking an "
        "access token revokes only that one.",
        "Revoking a refresh token also revokes the access tokens issued from it.",
        "RFC 7009 §2.1: the server SHOULD then revoke the access tokens of the same grant, and MAY "
        "revoke the refresh token when an access token is revoked.",
        "Revokes the refresh token and every access token issued from it; revoking an access token "
        "revokes only that token.",
        "both",
        True,
        "RFC 7009 §2.1",
    ),
    Difference(
        "introspection-shape",
        "Introspection response",
        "Salesforce's introspection answer makes sub the identity URL and token_type access_token "
        "or refresh_token, where RFC 7662 expects a type such as Bearer.",
        "sub is the identity URL and token_type is access_token or refresh_token.",
        "RFC 7662 §2.2: token_type is the RFC 6749 type, such as Bearer.",
        "Answers in Salesforce's shape.",
        "salesforce",
        True,
        "RFC 7662 §2.2",
    ),
    Difference(
        "userinfo-claims",
        "Userinfo answer",
        "Salesforce's sub is the identity URL, not a bare user id, and the answer adds Salesforce "
        "fields such as organization_id, user_type and urls.",
        "sub is the identity URL (…/id/00D…/005…), and the answer adds user_id, organization_id, "
        "user_type, urls and other Salesforce fields.",
        "OIDC Core §2: sub is any identifier that is locally unique and never reassigned; "
        "§5.1.2 lets a server add claims of its own.",
        "Answers in Salesforce's shape; the ID token's sub is the identity URL too.",
        "salesforce",
        True,
        "OIDC Core §5.1",
    ),
    Difference(
        "identity-url",
        "The identity URL",
        "The identity URL in the token response's id is Salesforce's own; OpenID Connect's "
        "userinfo does the same job, and this org has both.",
        "Every token response's id is a URL, /id/<org id>/<user id>; fetched with the access "
        "token, it describes the user and lists the org's API URLs.",
        "No RFC defines it; OpenID Connect's userinfo endpoint (OIDC Core §5.3) serves the same "
        "purpose.",
        "Serves both, with Salesforce's fields.",
        "both",
        True,
        "OIDC Core §5.3",
    ),
    Difference(
        "refresh-without-rotation",
        "Refresh response",
        "A refresh response carries a new refresh token only when the app has rotation on; "
        "otherwise it has none and the old one stays valid.",
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
        "A refresh token comes back only when the refresh_token or offline_access scope is "
        "granted.",
        "Issues a refresh token only when refresh_token or offline_access is granted.",
        "RFC 6749 leaves it to the server.",
        "Same.",
        "salesforce",
        True,
        "RFC 6749 §1.5",
    ),
    Difference(
        "refresh-token-errors",
        "A refresh token that no longer works",
        "A dead refresh token gets invalid_grant, expired access/refresh token, whether it "
        "expired, was revoked or was pushed out by the limit of five.",
        "invalid_grant, expired access/refresh token, whether the token expired under the app's "
        "policy, was revoked, or was pushed out by the limit of five per user and app; after a "
        "password change, authentication failure.",
        "RFC 6749 §5.2: invalid_grant, with a description of the server's choosing.",
        "The same two descriptions and the same limit of five, the oldest going first. A "
        "rotated-out refresh token that comes back revokes every token of its grant (RFC 9700 "
        "§4.14.2).",
        "salesforce",
        True,
        "RFC 6749 §5.2",
    ),
    Difference(
        "user-agent-refresh",
        "Refresh tokens in the user-agent flow",
        "Salesforce reportedly puts a refresh token in the fragment for some redirect URIs; this "
        "org never does, as RFC 6749 §4.2.2 requires.",
        "Recalled to return one when the callback is its own success page or a custom scheme.",
        "RFC 6749 §4.2.2: the server MUST NOT issue a refresh token in the implicit grant.",
        "Never issues one in the user-agent flow.",
        "standard",
        False,
        "RFC 6749 §4.2.2",
    ),
    Difference(
        "blocked-flows",
        "Flows an org can switch off",
        "An org can switch off the user-agent and username-password flows; the username-password "
        "flow is off by default in orgs created since Summer '23.",
        "Org settings switch off the user-agent flow (blockOAuthUsrAgtFlow) and the "
        "username-password flow (blockOAuthUnPwFlow); the second is off by default in orgs created "
        "since Summer '23.",
        "RFC 9700 §2.1.2: clients SHOULD NOT use the implicit grant; §2.4: the password grant MUST "
        "NOT be used.",
        "Both are org settings, off by default; the built-in org switches them on so you can try "
        "them. A blocked username-password request gets authentication failure, as in Salesforce; "
        "a blocked user-agent request gets unauthorized_client.",
        "salesforce",
        True,
        "RFC 9700 §2.1.2, §2.4",
    ),
    Difference(
        "password-security-token",
        "Username-password: the security token",
        "From a network the org does not trust, Salesforce wants the password followed by the "
        "user's security token; this org accepts either form.",
        "From a network the org does not trust, the password must be followed by the user's "
        "security token.",
        "RFC 6749 §4.3.2: the username and the password, nothing more.",
        "Accepts the password alone or followed by the security token: it keeps no list of trusted "
        "networks.",
        "both",
        True,
        "RFC 6749 §4.3.2",
    ),
    Difference(
        "username-password-answers",
        "Username-password: what comes back",
        "No refresh token ever comes back, and every failure reads invalid_grant, authentication "
        "failure, whatever its cause.",
        "Never issues a refresh token in this flow, and answers a wrong password, a missing "
        "security token, a lock-out and a blocked flow alike: invalid_grant, authentication "
        "failure.",
        "RFC 6749 §4.3.3 allows a refresh token; §5.2's invalid_grant fits every case, with a "
        "description of the server's choosing.",
        "Same. One answer for every failure also keeps an attacker from learning which usernames "
        "exist.",
        "salesforce",
        True,
        "RFC 6749 §4.3.3",
    ),
    Difference(
        "client-credentials-host",
        "Client credentials host",
        "Salesforce serves this flow only on the org's My Domain host, never on "
        "login.salesforce.com, and adds api_instance_url to the response.",
        "Works only on the My Domain host and adds api_instance_url (https://api.salesforce.com).",
        "RFC 6749 §4.4 has no such rule.",
        "One host serves everything; api_instance_url points at it.",
        "salesforce",
        True,
        "RFC 6749 §4.4",
    ),
    Difference(
        "client-credentials-run-as",
        "Client credentials: whose token it is",
        "The token acts as the run-as user chosen on the app; without one Salesforce answers "
        "invalid_grant, no client credentials user enabled.",
        "Every token acts as the run-as user chosen on the app; without one, invalid_grant, no "
        "client credentials user enabled.",
        "RFC 6749 §4.4: the client acts on its own behalf, with no user involved.",
        "Same: the run-as user must be set, active and allowed to use the app.",
        "salesforce",
        True,
        "RFC 6749 §4.4",
    ),
    Difference(
        "invalid-client-status",
        "Status for invalid_client",
        "Whether Salesforce answers invalid_client with 400 or 401 is not known; this org sends "
        "401 with WWW-Authenticate, as RFC 6749 §5.2 says.",
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
        "Salesforce's REST API answers a bad token with a JSON list whose errorCode is "
        "INVALID_SESSION_ID; this org also sends RFC 6750's WWW-Authenticate header.",
        'A JSON array: [{"message": "Session expired or invalid", "errorCode": '
        '"INVALID_SESSION_ID"}].',
        "RFC 6750 §3: a WWW-Authenticate: Bearer header with error=invalid_token.",
        "Sends Salesforce's array and also the RFC 6750 header.",
        "both",
        False,
        "RFC 6750 §3",
    ),
    Difference(
        "practice-data-spaces",
        "Records and the API limit per trainee",
        "A real org has one set of records and one daily API count; here each visitor's "
        "practice apps write to their own data space and count their own requests.",
        "One set of records, shared by every app subject to sharing rules; DailyApiRequests "
        "counts the whole org's calls.",
        "No standard: the REST API is Salesforce's own.",
        "Practice apps write to the visitor's own space and see the seeded demo records "
        "read-only; each space has its own DailyApiRequests count.",
        "salesforce",
        True,
        "Salesforce API Request Limits and Allocations",
    ),
    Difference(
        "identity-token-in-url",
        "Tokens in the identity URL's query string",
        "Salesforce accepts the token in the identity URL's query string; this org refuses it, so "
        "send the Authorization header.",
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
        "Salesforce codes are said to last fifteen minutes; this org's last ten, the most RFC 6749 "
        "§4.1.2 recommends.",
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
        "Codes and tokens here copy the shapes of Salesforce's (00D…!AQ…, 5Aep…, aPrx…), which are "
        "known from practice, not from its documentation.",
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
        "Salesforce lets format=urlencoded, json or xml choose the response encoding; this org "
        "always answers JSON.",
        "format=urlencoded|json|xml picks the response encoding, overriding Accept.",
        "RFC 6749 §5.1: JSON.",
        "Always answers JSON.",
        "standard",
        True,
        "RFC 6749 §5.1",
    ),
    Difference(
        "assertion-certificate",
        "JWT and SAML bearer: the signing certificate",
        "In Salesforce you upload the app's certificate and the org never sees the private key; "
        "the playground keeps one only because it plays your server.",
        "The certificate is uploaded to the connected app (Use digital signatures), and both "
        "bearer flows check assertions with it; the org never sees the private key.",
        "RFC 7523 §3 and RFC 7522 §3: the issuer signs the assertion; how the server learns the "
        "issuer's key is left open.",
        "The app's Setup page takes a certificate for JWT bearer and the identity provider's "
        "certificate for SAML bearer. The playground also keeps the private keys, only because it "
        "plays your server here.",
        "salesforce",
        True,
        "RFC 7523 §3; RFC 7522 §3",
    ),
    Difference(
        "jwt-bearer-exp",
        "JWT bearer: the exp claim",
        "Salesforce documents an exp at most three minutes ahead, yet real orgs take any exp "
        "not yet past, however distant; so does this org, unless its admin sets a window.",
        "The documentation asks for an exp within three minutes. In practice any exp not yet "
        "past is accepted: Salesforce's own command-line tool signs exp as the time now plus "
        "300 in milliseconds, which reads as seconds some 50,000 years ahead. An exp in the "
        "past gets invalid_grant with the description expired authorization code.",
        "RFC 7523 §3 requires exp; a server may refuse one unreasonably far in the future, "
        "but does not have to.",
        "Takes any exp still ahead (with a minute of leeway for clock drift); an org setting "
        "can impose a window, beyond which exp is refused. Refusals carry Salesforce's "
        "description, which misleads: this flow has no authorization code, so look at exp and "
        "at the signing server's clock. An assertion without jti and with a distant exp can be "
        "swapped for tokens again and again: Break it shows how.",
        "salesforce",
        False,
        "RFC 7523 §3",
    ),
    Difference(
        "jwt-bearer-approval",
        "JWT and SAML bearer: who may get a token",
        "The user must be pre-authorized or have approved the app before; the scope parameter is "
        "ignored and no refresh token comes back.",
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
        "jwt-bearer-response-fields",
        "JWT bearer: issued_at and signature",
        "A captured Salesforce answer had neither issued_at nor signature; this org sends both, as "
        "in every token response.",
        "A captured response carried neither issued_at nor signature; whether they are ever sent "
        "is not documented.",
        "RFC 6749 §5.1 defines neither field.",
        "Sends both, as in every other token response (signature only when the app has a consumer "
        "secret).",
        "salesforce",
        False,
        "RFC 6749 §5.1",
    ),
    Difference(
        "assertion-audience",
        "JWT and SAML bearer: the audience",
        "The audience must be the org's login URL, not the token endpoint URL that RFC 7523 and "
        "RFC 7522 also allow.",
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
        "Every faulty assertion gets invalid_grant with one of four known descriptions; most "
        "faults read invalid assertion.",
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
        "This org refuses an assertion id it has already seen, as RFC 7523 §3 allows; whether "
        "Salesforce does is not documented.",
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
        "This org allows a minute of clock drift on assertion times; Salesforce's leeway is not "
        "documented.",
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
        "The assertion needs a NotOnOrAfter still in the future; Salesforce's exact window is not "
        "documented.",
        "Needs a NotOnOrAfter; the exact window is not documented.",
        "RFC 7522 §3 requires an expiry and sets no limit.",
        "Accepts any NotOnOrAfter still in the future, on the bearer SubjectConfirmationData "
        "and, when present, on Conditions.",
        "standard",
        False,
        "RFC 7522 §3",
    ),
    Difference(
        "saml-signature-algorithms",
        "SAML bearer: signature algorithms",
        "Salesforce accepts SAML signatures with RSA and SHA-256 or SHA-1, and so does this org; "
        "sign with SHA-256.",
        "An XML signature with RSA and SHA-256 or SHA-1.",
        "RFC 7522 §3 requires a signature or MAC and names no algorithm; SHA-1 is no longer safe "
        "for new signatures.",
        "Accepts RSA-SHA256 and RSA-SHA1, with SHA-256 or SHA-1 digests, as Salesforce does.",
        "salesforce",
        True,
        "RFC 7522 §3",
    ),
    Difference(
        "saml-legacy-assertion-flow",
        "The older SAML assertion flow",
        "Salesforce keeps an older form of this flow, grant_type=assertion with a SAML browser SSO "
        "assertion_type; this org accepts both.",
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
        "Salesforce starts the device flow at the token endpoint and polls with grant_type=device "
        "and a code parameter, where RFC 8628 has its own endpoint and names; this org serves "
        "both.",
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
        "Salesforce is not seen to send expires_in or verification_uri_complete; this org sends "
        "both, since standard clients and QR codes need them.",
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
        "Salesforce's user code is eight letters and digits; this org's is eight consonants shown "
        "as XXXX-XXXX, typed in any case.",
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
        "Poll answers use RFC 8628's codes, with Salesforce's wording for slow_down and this "
        "org's own for the rest, which Salesforce does not document.",
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
        "The device sends only its consumer key, as Salesforce expects; a secret that is sent is "
        "still checked.",
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
        "This is the one Salesforce token response known to carry expires_in (60); its token_type "
        "is Bearer, where RFC 8693 also allows N_A.",
        "token_type Bearer and expires_in 60: the one Salesforce response with expires_in.",
        "RFC 8693 §2.2.1: token_type N_A when the issued token is not an access token.",
        "Salesforce's shape. The asset token names the demo asset and carries the device "
        "key in cnf when the actor token had one.",
        "salesforce",
        True,
        "RFC 8693 §2.2.1",
    ),
    Difference(
        "asset-token-asset",
        "Asset token: which asset",
        "The actor token's Asset claim names an asset record; this org finds it by its Id, "
        "SerialNumber or Name, and how Salesforce matches it is not documented.",
        "The actor token carries did, Name and an Asset claim with the asset's Name, SerialNumber "
        "and other fields; how the claim is matched to an Asset record is not documented.",
        "RFC 8693 §2.1 leaves the actor token's content to the server.",
        "Finds the demo asset by its Id, its SerialNumber or its Name; a bare string is read as an "
        "Id or a Name.",
        "salesforce",
        False,
        "RFC 8693 §2.1",
    ),
    Difference(
        "asset-token-actor",
        "Asset token: the actor token's signature",
        "An actor token with a cnf key must be signed with that key; without cnf its signature is "
        "not checked and the asset token is bound to no key.",
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
        "Salesforce documents immediate=true for a silent sign-in; this org also accepts OpenID "
        "Connect's prompt=none.",
        "Documents immediate=true (error immediate_unsuccessful).",
        "OIDC Core §3.1.2.1: prompt=none (errors login_required, consent_required).",
        "Supports both.",
        "both",
        False,
        "OIDC Core §3.1.2.6",
    ),
)

_BY_SLUG = {difference.slug: difference for difference in SALESFORCE_DIFFERENCES}


def difference(slug: str) -> Difference:
    """The catalogue row named `slug`. A step that names an unknown slug is a bug, so it raises."""
    try:
        return _BY_SLUG[slug]
    except KeyError:
        raise LookupError(f"No difference {slug!r} in playground/differences.py") from None

"""What a step shows besides its HTTP exchanges: parameters, PKCE, JWTs, checks, HMACs."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from playground.inspector import Check, InspectedJwt

Tone = Literal["info", "warn", "bad", "ok"]

# The authorization request and response parameters, in our words (RFC 6749 §4.1.1, §4.2.1,
# RFC 7636 §4.3, OIDC Core §3.1.2.1, RFC 9207 §2).
PARAMETER_MEANINGS = {
    "response_type": "What the client wants back: code (to trade for tokens on the back "
    "channel) or token (tokens straight in the redirect).",
    "client_id": "The connected app's consumer key: which app is asking.",
    "redirect_uri": "Where the org sends the browser back. It must match a callback URL "
    "registered for the app, character for character.",
    "scope": "What the app asks to do. api = call the REST API, refresh_token = stay signed in, "
    "openid = also send an ID token.",
    "state": "A random value the client keeps. If the redirect comes back with another value, "
    "it was not started here: that is how forged redirects (CSRF) are caught.",
    "nonce": "A random value that the org copies into the ID token, so the client can tell "
    "that token was made for this very request.",
    "code_challenge": "The SHA-256 hash of a secret (the verifier) that only this client "
    "knows. The code is useless to anyone who cannot show the verifier later.",
    "code_challenge_method": "How the challenge was made. S256 is the only method worth "
    "using; plain would send the secret itself.",
    "code": "The authorization code: short-lived, single-use, and only worth something "
    "together with the client's credentials or verifier.",
    "iss": "Who issued the response. The client checks it is the org it started with, which "
    "stops mix-up attacks when a client talks to several servers.",
    "error": "Why the request failed, as a short code.",
    "error_description": "The same, in words.",
    "access_token": "The bearer token for API calls. Anyone who holds it can use it.",
    "refresh_token": "A long-lived token that buys new access tokens.",
    "id_token": "A signed JWT that says who signed in.",
    "instance_url": "Salesforce: the base URL of the org's API for this user.",
    "id": "Salesforce: the identity URL of the user who signed in.",
    "issued_at": "Salesforce: when the token was issued, in milliseconds since 1970.",
    "signature": "Salesforce: an HMAC of id and issued_at made with the client secret, so the "
    "client can tell those two values were not changed on the way.",
    "token_type": "How to present the token: Bearer, in the Authorization header.",
    "expires_in": "Seconds until the access token expires.",
}


@dataclass(frozen=True)
class Parameter:
    name: str
    value: str  # as shown: a long value is shortened
    meaning: str
    secret: bool = False
    whole: str = ""  # the value in full when `value` is shortened: what Copy and the inspector get

    @property
    def full(self) -> str:
        return self.whole or self.value


@dataclass(frozen=True)
class Parameters:
    title: str
    rows: tuple[Parameter, ...]
    kind: Literal["parameters"] = "parameters"


@dataclass(frozen=True)
class PkceProof:
    """RFC 7636 §4.1-4.2 worked through: verifier, its SHA-256, and the base64url challenge."""

    verifier: str
    digest_hex: str
    challenge: str
    kind: Literal["pkce"] = "pkce"


@dataclass(frozen=True)
class JwtPanel:
    title: str
    jwt: InspectedJwt
    kind: Literal["jwt"] = "jwt"


@dataclass(frozen=True)
class SignatureProof:
    """Salesforce's `signature`: Base64(HMAC-SHA256(client_secret, id + issued_at))."""

    identity_url: str
    issued_at: str
    received: str
    computed: str
    matches: bool | None  # None: no secret to compute it with
    kind: Literal["signature"] = "signature"


@dataclass(frozen=True)
class Checks:
    title: str
    checks: tuple[Check, ...]
    kind: Literal["checks"] = "checks"


@dataclass(frozen=True)
class Callout:
    tone: Tone
    text: str
    kind: Literal["callout"] = "callout"


# Which part of a signed XML document a line belongs to (XML-DSig §3): covered by the
# reference's digest, the SignedInfo that the RSA signature signs, or the rest of the Signature.
XmlPart = Literal["signed", "signed-info", "signature", "outside"]


@dataclass(frozen=True)
class XmlLine:
    indent: str
    text: str
    part: XmlPart


@dataclass(frozen=True)
class XmlDocument:
    """A signed XML document, one element per line, each line marked with what signs it."""

    title: str
    lines: tuple[XmlLine, ...]
    note: str = ""
    kind: Literal["xml"] = "xml"

    @property
    def unsigned(self) -> bool:
        """Whether some element is covered by no signature at all."""
        return any(line.part == "outside" for line in self.lines)


Artefact = Parameters | PkceProof | JwtPanel | SignatureProof | Checks | Callout | XmlDocument


# RFC 7662 §2.2 and Salesforce's introspection and identity answers.
RESPONSE_MEANINGS = {
    "active": "Whether the token can be used right now. Everything else is only sent when it is.",
    "token_type": "Which kind of token was asked about.",
    "username": "The user the token acts for.",
    "user_id": "Salesforce: the user's record ID (005…).",
    "organization_id": "Salesforce: the org (00D…).",
    "display_name": "The user's name as shown in the org.",
    "nick_name": "A short name for the user.",
    "urls": "Salesforce: the org's API endpoints for this user, with {version} to fill in.",
    "totalSize": "How many records match the query.",
    "done": "Whether this page holds the last of them.",
    "records": "The matching records (here: Name, Industry).",
}


def parameters(
    title: str,
    values: Mapping[str, str],
    *,
    secrets: frozenset[str] = frozenset(),
    meanings: Mapping[str, str] | None = None,
    whole: Mapping[str, str] | None = None,
) -> Parameters:
    """A table of `values` (as shown); `whole` holds any value in full that is shortened there."""
    known = {**PARAMETER_MEANINGS, **(meanings or {})}
    full = whole or {}
    rows = tuple(
        Parameter(name, value, known.get(name, ""), name in secrets, full.get(name, value))
        for name, value in values.items()
    )
    return Parameters(title, rows)


def pkce_proof(verifier: str) -> PkceProof:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return PkceProof(verifier, digest.hex(), challenge)


def signature_proof(
    *, identity_url: str, issued_at: str, received: str, client_secret: str
) -> SignatureProof:
    if not client_secret:
        return SignatureProof(identity_url, issued_at, received, "", None)
    mac = hmac.new(client_secret.encode(), (identity_url + issued_at).encode(), hashlib.sha256)
    computed = base64.b64encode(mac.digest()).decode("ascii")
    return SignatureProof(
        identity_url, issued_at, received, computed, hmac.compare_digest(computed, received)
    )

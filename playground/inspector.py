"""Take a JWT apart for display, then judge it the way a careful resource server would."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from jwt.algorithms import get_default_algorithms

# RFC 8725 §3.4 and catalogue F6: decoding is linear in the input, so refuse big input before
# touching it (a 50 MB token takes seconds). Real JWTs with certificate chains stay far below.
MAX_TOKEN_LENGTH = 64 * 1024
MAX_KEY_LENGTH = 64 * 1024
# Long values are cut for display (catalogue F8); the full token is still what gets verified.
MAX_SHOWN_VALUE = 400
# Real claims nest a few levels (address, cnf.jwk); deeper structures are attacks on parsers.
MAX_DEPTH = 32

Verdict = Literal["valid", "invalid", "unsigned", "unchecked", "malformed", "encrypted", "opaque"]

RSA_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")
_EC_ALGORITHMS = {"secp256r1": "ES256", "secp256k1": "ES256K", "secp384r1": "ES384"}
_EC_ALGORITHMS["secp521r1"] = "ES512"
_HASH_FOR = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")

HEADER_MEANINGS = {
    "alg": "The signing algorithm the token claims. A verifier must decide the algorithm from "
    "its own key, not from this field, or an attacker picks the weakest one.",
    "typ": "What kind of JWT this is (for example JWT, at+jwt for an access token). Checking it "
    "stops one kind of token being replayed as another.",
    "kid": "Key ID: which key of the issuer's key set signed the token. It selects a key; it "
    "never supplies one.",
    "cty": "Content type of the payload; only used when one JWT is nested in another.",
    "crit": "Extensions the verifier must understand. If it does not, it must reject the token.",
    "jku": "A URL of a key set. Never fetched here: keys named by the token itself are "
    "chosen by whoever made the token.",
    "jwk": "A public key embedded in the token. Never trusted here: anyone can embed their own "
    "key and sign with it.",
    "x5u": "A URL of a certificate chain. Never fetched here, for the same reason as jku.",
    "x5c": "A certificate chain embedded in the token. Not trusted on its own word here.",
    "x5t": "SHA-1 thumbprint of the signing certificate.",
    "x5t#S256": "SHA-256 thumbprint of the signing certificate.",
    "b64": "Whether the payload is base64url-encoded (RFC 7797). Rarely seen.",
}

CLAIM_MEANINGS = {
    "iss": "Issuer: who made and signed the token. Must equal the issuer you trust, exactly.",
    "sub": "Subject: who the token is about. Salesforce often puts the identity URL here.",
    "aud": "Audience: who the token is for. A service must refuse tokens meant for others.",
    "exp": "Expiry: after this moment the token must be refused.",
    "nbf": "Not before: the token must be refused until this moment.",
    "iat": "Issued at: when the token was made.",
    "jti": "A unique ID for this token, so a receiver can spot a replay.",
    "nonce": "The random value the client sent with the sign-in request. Matching it proves "
    "this ID token answers that request and was not replayed from another.",
    "at_hash": "Half of the SHA-256 hash of the access token issued with this ID token; ties "
    "the two together.",
    "c_hash": "Half of the hash of the authorization code; ties the ID token to the code.",
    "auth_time": "When the person actually signed in (which may be well before iat).",
    "azp": "Authorized party: the client the token was issued to.",
    "amr": "How the person signed in (password, one-time code and so on).",
    "acr": "How strong that sign-in was, as a named level.",
    "sid": "The sign-in session this token belongs to.",
    "scope": "What the token lets its holder do.",
    "scp": "What the token lets its holder do (list form).",
    "client_id": "The connected app (client) the token was issued to.",
    "cnf": "Confirmation: the key a holder must prove it has; binds the token to that key.",
    "act": "Actor: who is acting on the subject's behalf (token exchange).",
    "Name": "Salesforce asset tokens: a readable name for the device.",
    "Asset": "Salesforce asset tokens: the Asset record the device stands for.",
    "name": "The person's full name.",
    "given_name": "The person's first name.",
    "family_name": "The person's last name.",
    "preferred_username": "The person's username (in Salesforce, their login name).",
    "nickname": "A casual name for the person.",
    "email": "The person's email address.",
    "email_verified": "Whether the issuer checked that the person owns that email address.",
    "phone_number": "The person's phone number.",
    "phone_number_verified": "Whether the issuer checked the phone number.",
    "locale": "The person's language and region.",
    "zoneinfo": "The person's time zone.",
    "picture": "A URL of the person's picture.",
    "profile": "A URL of the person's profile page.",
    "address": "The person's postal address.",
    "updated_at": "When the person's profile last changed.",
    "organization_id": "Salesforce: the org (00D…) the user belongs to.",
    "user_id": "Salesforce: the user's record ID (005…).",
    "user_type": "Salesforce: the kind of licence the user has (STANDARD for employees).",
    "is_app_installed": "Salesforce: whether the connected app is installed in the org.",
    "custom_attributes": "Salesforce: extra attributes the admin configured for the app.",
    "photos": "Salesforce: URLs of the user's picture and thumbnail.",
    "urls": "Salesforce: the REST endpoints for this user and org.",
    "mty": "Salesforce: the kind of token (for example oauth).",
    "tnk": "Salesforce: the tenant (org) key.",
    "did": "Salesforce asset tokens: the device ID.",
}

TIME_CLAIMS = frozenset({"exp", "nbf", "iat", "auth_time", "updated_at"})


@dataclass(frozen=True)
class JwksKey:
    """A key set (RFC 7517 §5); the token's `kid` picks one of its keys."""

    document: Mapping[str, Any]
    origin: str = "the key set"


@dataclass(frozen=True)
class PemKey:
    """A PEM public key or X.509 certificate."""

    text: str
    origin: str = ""  # what the key is, for the verdict; empty: "the pasted certificate"


@dataclass(frozen=True)
class JwkKey:
    """A single JSON Web Key."""

    text: str
    origin: str = "pasted JWK"  # what the key is, for the verdict: "the <origin> (EC …)"


@dataclass(frozen=True)
class HmacSecret:
    """A shared secret, used as UTF-8 bytes."""

    text: str


KeySource = JwksKey | PemKey | JwkKey | HmacSecret


@dataclass(frozen=True)
class Expected:
    """What a particular receiver requires beyond a good signature; empty means unchecked."""

    audience: str = ""
    issuer: str = ""
    nonce: str = ""
    access_token: str = ""  # checks at_hash when set
    typ: str = ""


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    meaning: str = ""
    when: str = ""
    cut: int = 0  # characters left out of `value`


@dataclass(frozen=True)
class Check:
    label: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class InspectedJwt:
    verdict: Verdict
    reason: str
    header_part: str = ""
    payload_part: str = ""
    signature_part: str = ""
    header: tuple[Field, ...] = ()
    claims: tuple[Field, ...] = ()
    header_json: str = ""
    payload_json: str = ""
    algorithm: str = ""
    key: str = ""
    checks: tuple[Check, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return self.verdict == "valid"

    @property
    def decoded(self) -> bool:
        return self.verdict not in {"malformed", "encrypted", "opaque"}


class _Malformed(Exception):
    """Raised inside this module only; turned into a 'malformed' verdict with its message."""


@dataclass(frozen=True)
class _Key:
    obj: Any
    algorithms: tuple[str, ...]
    description: str
    notes: tuple[str, ...] = ()


# A token without dots is no JWT; from this org it is most likely an access or refresh token.
OPAQUE = (
    "This is not a JWT: a JWT has parts separated by dots, and this has none. That is expected "
    "for this org's access tokens: they are opaque strings, shaped like a Salesforce session "
    "id (the org id, '!', then random characters), and only the org can say what one stands "
    "for: ask its introspection endpoint (RFC 7662). Refresh tokens are opaque too. An access "
    "token is a JWT (RFC 9068) only if its connected app turns on JWT access tokens in Setup."
)


def inspect_jwt(
    token: str,
    *,
    key: KeySource | None = None,
    expected: Expected | None = None,
    now: float | None = None,
) -> InspectedJwt:
    """Decode a compact JWS for display and, given a key, say whether a receiver should accept it.

    Never raises on bad input: every problem becomes the verdict and its reason. The algorithm
    comes from the key (RFC 8725 §3.1); the token's `alg` only has to agree with it.
    """
    now = datetime.now(UTC).timestamp() if now is None else now
    expected = expected or Expected()
    notes: list[str] = []
    if len(token) > MAX_TOKEN_LENGTH:
        return InspectedJwt(
            "malformed",
            f"Too large: {len(token):,} characters. The inspector reads tokens up to "
            f"{MAX_TOKEN_LENGTH:,} characters and did not decode this one.",
        )
    token = "".join(token.split())
    if token.lower().startswith("bearer") and "." in token:
        token = token[len("bearer") :]
        notes.append(
            "Removed the leading 'Bearer': that belongs to the HTTP header, not the token."
        )
    parts = token.split(".")
    if len(parts) == 5:
        return InspectedJwt(
            "encrypted",
            "This has five parts, so it is an encrypted JWT (JWE). Its contents can only be "
            "read with the recipient's private key, which the inspector does not take.",
        )
    if len(parts) == 1 and token:
        return InspectedJwt("opaque", OPAQUE)
    if len(parts) != 3:
        return InspectedJwt(
            "malformed",
            f"A signed JWT has three parts separated by dots; this has {len(parts)}.",
        )
    try:
        header = _json_object(parts[0], "header")
        payload = _json_object(parts[1], "payload")
        signature = _b64url(parts[2], "signature")
    except _Malformed as problem:
        return InspectedJwt("malformed", str(problem))

    alg = header.get("alg")
    shown = InspectedJwt(
        "unchecked",
        "",
        header_part=parts[0],
        payload_part=parts[1],
        signature_part=parts[2],
        header=tuple(_fields(header, HEADER_MEANINGS, now)),
        claims=tuple(_fields(payload, CLAIM_MEANINGS, now)),
        header_json=_pretty(header),
        payload_json=_pretty(payload),
        algorithm=alg if isinstance(alg, str) else json.dumps(alg),
    )
    notes += _header_notes(header)
    checks = _claim_checks(header, payload, expected, now)
    if not isinstance(alg, str) or not alg:
        return _judged(shown, "malformed", "The header has no usable alg.", checks, notes)
    if alg.lower() == "none":
        # RFC 8725 §3.1 / ASVS 9.1.2: an unsigned token proves nothing, whatever the key.
        reason = "Unsigned (alg none): nothing proves who made this token. Never accept it."
        if signature:
            reason += " It even carries a signature part, which a verifier must not use."
        return _judged(shown, "unsigned", reason, checks, notes)
    if "kid" in header and not isinstance(header["kid"], str):
        return _judged(shown, "invalid", "The kid header must be a string.", checks, notes)
    if "crit" in header:
        # RFC 7515 §4.1.11: extensions listed in crit must be understood, or the JWS rejected.
        names = header["crit"] if isinstance(header["crit"], list) else [header["crit"]]
        reason = (
            "Unsupported critical header: the token says a verifier must understand "
            f"{', '.join(str(n) for n in names)}, and this one does not (RFC 7515 §4.1.11)."
        )
        return _judged(shown, "invalid", reason, checks, notes)
    if key is None:
        reason = "Decoded only. Give a key to check the signature."
        return _judged(shown, "unchecked", reason, checks, notes)

    chosen = _load_key(key, header)
    if isinstance(chosen, str):
        return _judged(shown, "invalid", chosen, checks, notes)
    notes += chosen.notes
    shown = replace(shown, key=chosen.description)
    if alg not in chosen.algorithms:
        reason = (
            f"Algorithm mismatch: the token says {alg}, but {chosen.description} only verifies "
            f"{', '.join(chosen.algorithms)}. Letting the token choose is the key-confusion "
            "attack (RFC 8725 §3.1)."
        )
        return _judged(shown, "invalid", reason, checks, notes)
    failure = _verify_signature(token, chosen.obj, alg)
    if failure:
        return _judged(shown, "invalid", failure, checks, notes)
    signature_check = Check("Signature", True, f"Verified with {alg} and {chosen.description}.")
    checks = (signature_check, *checks)
    failed = [check for check in checks if not check.passed]
    if failed:
        return _judged(shown, "invalid", f"{failed[0].label}: {failed[0].detail}", checks, notes)
    return _judged(shown, "valid", "Signature verified and every check passed.", checks, notes)


def _judged(
    shown: InspectedJwt,
    verdict: Verdict,
    reason: str,
    checks: tuple[Check, ...],
    notes: list[str],
) -> InspectedJwt:
    unique = tuple(dict.fromkeys(notes))
    return replace(shown, verdict=verdict, reason=reason, checks=checks, notes=unique)


def _b64url(segment: str, part: str) -> bytes:
    # RFC 7515 §2: base64url without padding; anything else is not a JWS part.
    if not _B64URL.match(segment) or len(segment) % 4 == 1:
        raise _Malformed(f"The {part} is not valid base64url.")
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise _Malformed(f"The {part} is not valid base64url.") from None


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        # RFC 7515 §4 / RFC 7519 §4: a name must not repeat; parsers disagree on which copy wins.
        raise _Malformed(f"The name {repeated[0]!r} appears twice in one JSON object.")
    return dict(pairs)


def _json_object(segment: str, part: str) -> dict[str, Any]:
    raw = _b64url(segment, part)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _Malformed(f"The {part} is not UTF-8 text.") from None
    try:
        value = json.loads(text, object_pairs_hook=_unique_members)
    except RecursionError:
        raise _Malformed(f"The {part} is nested too deeply to be a real JWT.") from None
    except ValueError as problem:
        if isinstance(problem, _Malformed):
            raise _Malformed(f"In the {part}: {problem}") from None
        raise _Malformed(f"The {part} is not JSON.") from None
    if not isinstance(value, dict):
        raise _Malformed(f"The {part} is JSON but not an object.")
    if _depth(value) > MAX_DEPTH:
        raise _Malformed(f"The {part} is nested too deeply to be a real JWT.")
    return value


def _depth(value: Any) -> int:
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            pending += [(inner, level + 1) for inner in item.values()]
        elif isinstance(item, list):
            pending += [(inner, level + 1) for inner in item]
    return deepest


def _pretty(value: dict[str, Any]) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text if len(text) <= MAX_SHOWN_VALUE * 10 else text[: MAX_SHOWN_VALUE * 10] + " …"


def _shown(value: Any) -> tuple[str, int]:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) <= MAX_SHOWN_VALUE:
        return text, 0
    return text[:MAX_SHOWN_VALUE], len(text) - MAX_SHOWN_VALUE


def _fields(values: dict[str, Any], meanings: Mapping[str, str], now: float) -> list[Field]:
    fields = []
    for name, value in values.items():
        text, cut = _shown(value)
        when = describe_time(value, now) if name in TIME_CLAIMS else ""
        shown_name, name_cut = _shown(name)
        fields.append(Field(shown_name, text, meanings.get(name, ""), when, cut + name_cut))
    return fields


def describe_time(value: Any, now: float) -> str:
    """'2026-03-01 09:30:00 UTC (in 5 minutes)', or why the value is not a time."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return "not a time: expected seconds since 1970"
    if not _is_time(value):
        return "not a time: out of range"
    try:
        moment = datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return "not a time: out of range"
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC ({_relative(value - now)})"


def _relative(delta: float) -> str:
    seconds = abs(delta)
    if seconds < 1:
        return "now"
    units = ((86400 * 365, "year"), (86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))
    size, unit = next((size, unit) for size, unit in units if seconds >= size)
    count = int(seconds // size)
    phrase = f"{count} {unit}{'' if count == 1 else 's'}"
    return f"in {phrase}" if delta > 0 else f"{phrase} ago"


def _header_notes(header: dict[str, Any]) -> list[str]:
    notes = []
    for name in ("jku", "x5u", "jwk", "x5c"):
        if name in header:
            notes.append(
                f"The header carries {name}. It was ignored: a verifier takes keys only from "
                "sources it already trusts, never from the token (RFC 8725 §3.10)."
            )
    return notes


def _claim_checks(
    header: dict[str, Any], claims: dict[str, Any], expected: Expected, now: float
) -> tuple[Check, ...]:
    checks = [_expiry_check(claims.get("exp"), now)]
    if "nbf" in claims:
        nbf = claims["nbf"]
        if not _is_time(nbf):
            checks.append(
                Check(
                    "Not before",
                    False,
                    "nbf is not a time: seconds since 1970, before the year 10000.",
                )
            )
        elif now < nbf:
            checks.append(Check("Not before", False, f"Not valid yet: {describe_time(nbf, now)}."))
        else:
            checks.append(Check("Not before", True, f"Valid since {describe_time(nbf, now)}."))
    if "iat" in claims:
        iat = claims["iat"]
        if not _is_time(iat):
            checks.append(
                Check(
                    "Issued at",
                    False,
                    "iat is not a time: seconds since 1970, before the year 10000.",
                )
            )
        elif iat > now + 60:
            checks.append(
                Check("Issued at", False, f"Issued in the future: {describe_time(iat, now)}.")
            )
    if expected.issuer:
        iss = claims.get("iss")
        checks.append(
            Check("Issuer", True, f"iss is {iss}, as expected.")
            if iss == expected.issuer
            else Check("Issuer", False, f"iss is {_quoted(iss)}, expected {expected.issuer}.")
        )
    if expected.audience:
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        checks.append(
            Check("Audience", True, f"aud includes {expected.audience}.")
            if expected.audience in audiences
            else Check("Audience", False, f"aud is {_quoted(aud)}, expected {expected.audience}.")
        )
    if expected.nonce:
        nonce = claims.get("nonce")
        checks.append(
            Check("Nonce", True, "nonce matches the one sent with the sign-in request.")
            if nonce == expected.nonce
            else Check("Nonce", False, f"nonce is {_quoted(nonce)}, not the one that was sent.")
        )
    if expected.access_token and "at_hash" in claims:
        checks.append(_at_hash_check(header, claims["at_hash"], expected.access_token))
    if expected.typ:
        typ = header.get("typ")
        wanted = expected.typ.lower().removeprefix("application/")
        found = typ.lower().removeprefix("application/") if isinstance(typ, str) else None
        checks.append(
            Check("Type", True, f"typ is {typ}.")
            if found == wanted
            else Check("Type", False, f"typ is {_quoted(typ)}, expected {expected.typ}.")
        )
    return tuple(checks)


def _quoted(value: Any) -> str:
    text, cut = _shown(value) if value is not None else ("missing", 0)
    return text + (" …" if cut else "")


# The seconds a datetime can hold (years 1 to 9999). An int of 400 digits is valid JSON, but
# it cannot even be turned into a float, let alone compared with a clock.
_EARLIEST, _LATEST = -62_135_596_800, 253_402_300_799


def _is_time(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    # Compared as they are: NaN and infinities fall outside, and no int is converted.
    return _EARLIEST <= value <= _LATEST


def _expiry_check(exp: Any, now: float) -> Check:
    if exp is None:
        return Check("Expiry", False, "No exp claim: this token would be good forever.")
    if not _is_time(exp):
        return Check(
            "Expiry", False, "exp is not a time: seconds since 1970, before the year 10000."
        )
    if now >= exp:
        return Check("Expiry", False, f"Expired: {describe_time(exp, now)}.")
    return Check("Expiry", True, f"Expires {describe_time(exp, now)}.")


def _at_hash_check(header: dict[str, Any], at_hash: Any, access_token: str) -> Check:
    # OIDC Core §3.1.3.6: base64url of the left half of the hash used by the ID token's alg.
    alg = header.get("alg")
    digest = _HASH_FOR.get(alg[-3:] if isinstance(alg, str) else "", hashlib.sha256)
    full = digest(access_token.encode("ascii", errors="replace")).digest()
    computed = base64.urlsafe_b64encode(full[: len(full) // 2]).rstrip(b"=").decode()
    if at_hash == computed:
        return Check("Access token hash", True, f"at_hash {computed} matches the access token.")
    return Check("Access token hash", False, f"at_hash is {_quoted(at_hash)}; computed {computed}.")


def _load_key(source: KeySource, header: dict[str, Any]) -> _Key | str:
    """The key to verify with and the algorithms it allows, or why there is none."""
    if isinstance(source, HmacSecret):
        secret = source.text.encode("utf-8")
        if not secret:
            return "The HMAC secret is empty."
        if len(secret) > MAX_KEY_LENGTH:
            return "The HMAC secret is too long."
        return _Key(secret, HMAC_ALGORITHMS, f"a {len(secret)}-byte shared secret")
    if isinstance(source, PemKey):
        return _pem_key(source.text, source.origin)
    if isinstance(source, JwkKey):
        if len(source.text) > MAX_KEY_LENGTH:
            return "The JWK is too long."
        try:
            jwk = json.loads(source.text)
        except (ValueError, RecursionError):
            return "The JWK is not JSON."
        if not isinstance(jwk, dict):
            return "A JWK is a JSON object."
        return _jwk_key(jwk, source.origin)
    return _jwks_key(source, header)


def _jwks_key(source: JwksKey, header: dict[str, Any]) -> _Key | str:
    keys = source.document.get("keys")
    if not isinstance(keys, list) or not keys:
        return f"{source.origin} is not a key set with keys in it."
    kid = header.get("kid")
    if kid is None:
        if len(keys) != 1:
            return (
                f"The token names no kid and {source.origin} holds {len(keys)} keys, so there is "
                "no telling which one should verify it."
            )
        candidate = keys[0]
    else:
        candidate = next((k for k in keys if isinstance(k, dict) and k.get("kid") == kid), None)
        if candidate is None:
            known = ", ".join(str(k.get("kid")) for k in keys if isinstance(k, dict))
            return f"Key not found: no key with kid {_quoted(kid)} in {source.origin} ({known})."
    if not isinstance(candidate, dict):
        return f"{source.origin} holds something that is not a JWK."
    label = f"key {candidate.get('kid', '(no kid)')} from {source.origin}"
    return _jwk_key(candidate, label)


def _jwk_key(jwk: dict[str, Any], label: str) -> _Key | str:
    notes = []
    if jwk.get("use", "sig") != "sig":
        return f"The {label} is marked for {jwk['use']}, not for signatures."
    if any(member in jwk for member in ("d", "p", "q", "dp", "dq", "qi")):
        notes.append(
            "That JWK holds a private key. Only its public part was used; a private key "
            "should never be pasted anywhere."
        )
        jwk = {k: v for k, v in jwk.items() if k not in {"d", "p", "q", "dp", "dq", "qi", "oth"}}
    if jwk.get("kty") == "oct":
        try:
            secret = jwt.utils.base64url_decode(str(jwk.get("k", "")))
        except (binascii.Error, ValueError):
            return f"The {label} has an unreadable k."
        return _Key(secret, _only(jwk, HMAC_ALGORITHMS), f"the {label}", tuple(notes))
    try:
        loaded = jwt.PyJWK(jwk).key
    except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError, KeyError) as problem:
        return f"The {label} cannot be used: {problem}"
    found = _public_key(loaded)
    if isinstance(found, str):
        return found
    obj, algorithms, kind = found
    return _Key(obj, _only(jwk, algorithms), f"the {label} ({kind})", tuple(notes))


def _only(jwk: dict[str, Any], family: tuple[str, ...]) -> tuple[str, ...]:
    # RFC 7517 §4.4: a JWK's alg, when present, is the one algorithm it may be used with.
    alg = jwk.get("alg")
    return (alg,) if isinstance(alg, str) and alg in family else family


def _pem_key(text: str, origin: str = "") -> _Key | str:
    if len(text) > MAX_KEY_LENGTH:
        return "The key is too long."
    data = text.strip().encode("utf-8", errors="replace")
    if b"PRIVATE KEY" in data:
        return (
            "That is a private key. Paste the public key or the certificate instead: a private "
            "key should never leave its owner."
        )
    try:
        if b"CERTIFICATE" in data:
            loaded: Any = x509.load_pem_x509_certificate(data).public_key()
            source = "certificate"
        else:
            loaded = serialization.load_pem_public_key(data)
            source = "public key"
    except (ValueError, TypeError):
        return "That is not a PEM public key or certificate."
    found = _public_key(loaded)
    if isinstance(found, str):
        return found
    obj, algorithms, kind = found
    return _Key(obj, algorithms, f"{origin or f'the pasted {source}'} ({kind})")


def _public_key(loaded: Any) -> tuple[Any, tuple[str, ...], str] | str:
    if isinstance(loaded, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        loaded = loaded.public_key()
    if isinstance(loaded, rsa.RSAPublicKey):
        return loaded, RSA_ALGORITHMS, f"RSA {loaded.key_size}-bit"
    if isinstance(loaded, ec.EllipticCurvePublicKey):
        alg = _EC_ALGORITHMS.get(loaded.curve.name)
        if alg is None:
            return f"EC curve {loaded.curve.name} is not used for JWTs."
        return loaded, (alg,), f"EC {loaded.curve.name}"
    if isinstance(loaded, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        return loaded, ("EdDSA",), "EdDSA"
    return "That kind of key cannot verify a JWT."


_JWS = jwt.PyJWS(options={"verify_signature": True, "enforce_minimum_key_length": True})
_ALGORITHMS = get_default_algorithms()


def _verify_signature(token: str, key: Any, alg: str) -> str:
    """Empty when the signature holds; otherwise the exact reason it does not."""
    if alg not in _ALGORITHMS:
        return f"Algorithm {alg} is not one the inspector knows."
    try:
        # The loaded key object, never PEM text: pyjwt would parse PEM again on every call.
        _JWS.decode_complete(token, key=key, algorithms=[alg])
    except jwt.InvalidSignatureError:
        return (
            "Bad signature: the signature does not match the header and payload under this "
            "key. The token was changed after signing, or another key signed it."
        )
    except jwt.InvalidKeyError as problem:
        return f"Key refused: {problem}"
    except jwt.InvalidAlgorithmError as problem:
        return f"Algorithm refused: {problem}"
    except jwt.InvalidTokenError as problem:
        return f"Rejected: {problem}"
    return ""

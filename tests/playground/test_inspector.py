from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.inspector import (
    MAX_TOKEN_LENGTH,
    Expected,
    HmacSecret,
    JwkKey,
    JwksKey,
    PemKey,
    inspect_jwt,
)

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
PUBLIC_PEM = (
    RSA_KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)
PUBLIC_JWK = {
    **jwt.algorithms.RSAAlgorithm.to_jwk(RSA_KEY.public_key(), as_dict=True),
    "kid": "k1",
    "alg": "RS256",
    "use": "sig",
}
JWKS = JwksKey({"keys": [PUBLIC_JWK]}, origin="the test key set")
NOW = float(int(time.time()))
HMAC_SECRET = "a-shared-secret-that-is-long-enough-for-hs256"


def _claims(**extra):
    return {
        "iss": "https://issuer.test",
        "aud": "client-1",
        "sub": "005x",
        "iat": int(NOW),
        "exp": int(NOW) + 300,
        **extra,
    }


def _rs256(claims=None, *, key=RSA_KEY, headers=None):
    return jwt.encode(
        claims or _claims(), key, algorithm="RS256", headers={"kid": "k1", **(headers or {})}
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _raw(header, payload, signature=b"") -> str:
    def part(value):
        return value if isinstance(value, str) else _b64(json.dumps(value).encode())

    return f"{part(header)}.{part(payload)}.{_b64(signature)}"


def test_a_good_rs256_token_verifies_against_the_jwks():
    result = inspect_jwt(_rs256(), key=JWKS, now=NOW)

    assert result.verdict == "valid"
    assert result.checks[0].label == "Signature"
    assert "key k1 from the test key set" in result.key
    assert {f.name for f in result.claims} >= {"iss", "aud", "exp"}


def test_claims_are_explained_and_times_humanised():
    result = inspect_jwt(_rs256(), now=NOW)

    exp = next(f for f in result.claims if f.name == "exp")
    assert "Expiry" in exp.meaning
    assert exp.when.endswith("(in 5 minutes)")
    assert result.verdict == "unchecked"


def test_a_pem_public_key_and_a_certificate_style_jwk_both_verify():
    token = _rs256()

    assert inspect_jwt(token, key=PemKey(PUBLIC_PEM), now=NOW).verdict == "valid"
    assert inspect_jwt(token, key=JwkKey(json.dumps(PUBLIC_JWK)), now=NOW).verdict == "valid"


def test_hmac_secret_verifies_hs256():
    token = jwt.encode(_claims(), HMAC_SECRET, algorithm="HS256")

    result = inspect_jwt(token, key=HmacSecret(HMAC_SECRET), now=NOW)

    assert result.verdict == "valid"


def test_a_short_hmac_secret_is_refused_with_the_rfc_reason():
    token = _raw({"alg": "HS256"}, _claims(), b"x" * 32)

    result = inspect_jwt(token, key=HmacSecret("short"), now=NOW)

    assert result.verdict == "invalid"
    assert "RFC 7518" in result.reason


def test_a_tampered_payload_has_a_bad_signature():
    header, _, signature = _rs256().split(".")
    forged = f"{header}.{_b64(json.dumps(_claims(sub='admin')).encode())}.{signature}"

    result = inspect_jwt(forged, key=JWKS, now=NOW)

    assert result.verdict == "invalid"
    assert result.reason.startswith("Bad signature")


def test_a_token_signed_by_another_key_has_a_bad_signature():
    result = inspect_jwt(_rs256(key=OTHER_RSA_KEY), key=JWKS, now=NOW)

    assert result.reason.startswith("Bad signature")


def test_an_unknown_kid_is_named_in_the_reason():
    token = _rs256(headers={"kid": "nope"})

    result = inspect_jwt(token, key=JWKS, now=NOW)

    assert result.verdict == "invalid"
    assert result.reason.startswith("Key not found")
    assert "nope" in result.reason
    assert "k1" in result.reason


# F1 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
@pytest.mark.parametrize("signature", [b"", b"forged"])
@pytest.mark.parametrize("key", [None, JWKS, HmacSecret(HMAC_SECRET)])
def test_f1_alg_none_is_unsigned_never_valid(alg, signature, key):
    token = _raw({"alg": alg, "typ": "JWT"}, _claims(), signature)

    result = inspect_jwt(token, key=key, now=NOW)

    assert result.verdict == "unsigned"
    assert not result.valid
    assert "Never accept" in result.reason
    assert {f.name for f in result.claims} >= {"sub"}


# F2 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "key",
    [PemKey(PUBLIC_PEM), JwkKey(json.dumps(PUBLIC_JWK)), JWKS],
    ids=["pem", "jwk", "jwks"],
)
def test_f2_hs256_token_with_an_rsa_public_key_is_refused(key):
    # The classic confusion: HMAC "signed" with the public key's PEM bytes as the secret.
    signature = jwt.algorithms.HMACAlgorithm(jwt.algorithms.HMACAlgorithm.SHA256).sign(
        f"{_b64(json.dumps({'alg': 'HS256', 'kid': 'k1'}).encode())}.".encode(), PUBLIC_PEM.encode()
    )
    token = _raw({"alg": "HS256", "kid": "k1"}, _claims(), signature)

    result = inspect_jwt(token, key=key, now=NOW)

    assert result.verdict == "invalid"
    assert result.reason.startswith("Algorithm mismatch")
    assert "HS256" in result.reason
    assert "RS256" in result.reason


def test_f2_rs256_token_with_an_hmac_secret_is_refused():
    result = inspect_jwt(_rs256(), key=HmacSecret(PUBLIC_PEM), now=NOW)

    assert result.verdict == "invalid"
    assert result.reason.startswith("Algorithm mismatch")


def test_f2_a_pem_pasted_as_an_hmac_secret_is_refused_by_the_library():
    token = jwt.encode(_claims(), HMAC_SECRET, algorithm="HS256")

    result = inspect_jwt(token, key=HmacSecret(PUBLIC_PEM), now=NOW)

    assert result.verdict == "invalid"
    assert result.reason.startswith("Key refused")


# F3 ------------------------------------------------------------------------------------------
def test_f3_unsupported_critical_header_is_invalid():
    token = _rs256(headers={"crit": ["x-evil"], "x-evil": True})

    result = inspect_jwt(token, key=JWKS, now=NOW)

    assert result.verdict == "invalid"
    assert "Unsupported critical header" in result.reason
    assert "x-evil" in result.reason


# F4 ------------------------------------------------------------------------------------------
def test_f4_embedded_and_remote_keys_are_never_used():
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    attacker_jwk = jwt.algorithms.RSAAlgorithm.to_jwk(attacker.public_key(), as_dict=True)
    token = jwt.encode(
        _claims(),
        attacker,
        algorithm="RS256",
        headers={
            "kid": "k1",
            "jwk": attacker_jwk,
            "jku": "https://evil.test/keys",
            "x5u": "https://evil.test/cert",
            "x5c": ["MIIB"],
        },
    )

    result = inspect_jwt(token, key=JWKS, now=NOW)

    assert result.verdict == "invalid"
    assert result.reason.startswith("Bad signature")
    assert sum("was ignored" in note for note in result.notes) == 4


def test_f4_a_kid_that_looks_like_a_path_is_only_a_lookup_key():
    token = _rs256(headers={"kid": "../../../../dev/null"})

    result = inspect_jwt(token, key=JWKS, now=NOW)

    assert result.reason.startswith("Key not found")


def test_f4_the_inspector_module_never_fetches_anything():
    import playground.inspector as module

    source = Path(module.__file__).read_text()

    assert "httpx" not in source
    assert "urllib.request" not in source
    assert "requests" not in source


# F5 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("claims", "expected", "label", "words"),
    [
        ({"exp": None}, Expected(), "Expiry", "No exp"),
        ({"exp": int(NOW) - 120}, Expected(), "Expiry", "Expired"),
        ({"nbf": int(NOW) + 600}, Expected(), "Not before", "Not valid yet"),
        ({}, Expected(audience="someone-else"), "Audience", "expected someone-else"),
        ({}, Expected(issuer="https://other.test"), "Issuer", "expected https://other.test"),
        ({}, Expected(typ="at+jwt"), "Type", "expected at+jwt"),
        ({}, Expected(nonce="n-0S6_WzA2Mj"), "Nonce", "not the one that was sent"),
    ],
)
def test_f5_each_failed_check_is_listed_with_its_reason(claims, expected, label, words):
    body = {k: v for k, v in _claims(**claims).items() if v is not None}

    result = inspect_jwt(_rs256(body), key=JWKS, expected=expected, now=NOW)

    assert result.verdict == "invalid"
    failed = [c for c in result.checks if not c.passed]
    assert failed[0].label == label
    assert words in failed[0].detail
    assert result.reason.startswith(label)
    assert result.checks[0].label == "Signature"
    assert result.checks[0].passed


def test_f5_failed_checks_are_listed_even_without_a_key():
    body = _claims(exp=int(NOW) - 5, nbf=int(NOW) + 600)

    result = inspect_jwt(_rs256(body), now=NOW)

    assert result.verdict == "unchecked"
    assert [c.label for c in result.checks if not c.passed] == ["Expiry", "Not before"]


def test_f5_at_hash_ties_the_id_token_to_its_access_token():
    access_token = "00Dxx0000001gEH!AQcAQH0dMHZfz972Szmpkb58urFRkgeBGsxL"
    import hashlib

    digest = hashlib.sha256(access_token.encode()).digest()[:16]
    token = _rs256(_claims(at_hash=_b64(digest)))

    good = inspect_jwt(token, key=JWKS, expected=Expected(access_token=access_token), now=NOW)
    bad = inspect_jwt(token, key=JWKS, expected=Expected(access_token="other-token"), now=NOW)

    assert good.verdict == "valid"
    assert bad.verdict == "invalid"
    assert bad.reason.startswith("Access token hash")


# F6 ------------------------------------------------------------------------------------------
def test_f6_oversized_input_is_refused_before_decoding():
    huge = "a" * (MAX_TOKEN_LENGTH + 1)

    started = time.perf_counter()
    result = inspect_jwt(huge + "." + huge + ".x", key=JWKS, now=NOW)

    assert time.perf_counter() - started < 0.05
    assert result.verdict == "malformed"
    assert result.reason.startswith("Too large")
    assert result.claims == ()


# F7 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("token", "words"),
    [
        ("[" * 100_000 + "]" * 100_000, "Too large"),
        (_raw(_b64(b"[" * 20_000 + b"]" * 20_000), _claims()), "nested too deeply"),
        (_raw({"alg": "RS256"}, _b64(b'{"a":' * 7_000 + b"1" + b"}" * 7_000)), "nested too deeply"),
        (_raw(_b64(b"[1]"), _claims()), "header is JSON but not an object"),
        ("eyJhbGciOiJSUzI1NiJ9!.e30.", "not valid base64url"),
        (_raw(_b64(b"\xff\xfe\xfd"), _claims()), "not UTF-8"),
        (_raw(_b64(b"not json"), _claims()), "not JSON"),
        (_raw({"alg": "RS256"}, _b64(b"[1, 2]")), "payload is JSON but not an object"),
        ("a.b", "has 2"),
        ("a.b.c.d", "has 4"),
        ("", "has 1"),
    ],
)
def test_f7_malformed_input_is_reported_never_raised(token, words):
    result = inspect_jwt(token, key=JWKS, now=NOW)

    assert result.verdict == "malformed"
    assert words in result.reason


def test_f7_five_parts_is_an_encrypted_jwt():
    result = inspect_jwt("a.b.c.d.e", key=JWKS, now=NOW)

    assert result.verdict == "encrypted"
    assert "JWE" in result.reason


# F8 ------------------------------------------------------------------------------------------
def test_f8_long_values_are_truncated_for_display():
    result = inspect_jwt(_rs256(_claims(name="x" * 10_000)), now=NOW)

    name = next(f for f in result.claims if f.name == "name")
    assert len(name.value) < 1000
    assert name.cut == 10_000 - len(name.value)


# F10 -----------------------------------------------------------------------------------------
def test_f10_duplicate_alg_in_header_is_malformed():
    header = _b64(b'{"alg":"none","alg":"RS256","kid":"k1"}')
    token = f"{header}.{_b64(json.dumps(_claims()).encode())}.{_b64(b'sig')}"

    result = inspect_jwt(token, key=JWKS, now=NOW)

    assert result.verdict == "malformed"
    assert "'alg' appears twice" in result.reason


def test_f10_es256_token_against_an_rsa_key_is_refused():
    token = jwt.encode(_claims(), EC_KEY, algorithm="ES256", headers={"kid": "k1"})

    result = inspect_jwt(token, key=JWKS, now=NOW)

    assert result.verdict == "invalid"
    assert result.reason.startswith("Algorithm mismatch")


def test_f10_all_zero_es256_signature_is_a_bad_signature():
    ec_jwk = {**jwt.algorithms.ECAlgorithm.to_jwk(EC_KEY.public_key(), as_dict=True), "kid": "e1"}
    token = _raw({"alg": "ES256", "kid": "e1"}, _claims(), b"\x00" * 64)

    result = inspect_jwt(token, key=JwksKey({"keys": [ec_jwk]}), now=NOW)

    assert result.verdict == "invalid"
    assert result.reason.startswith("Bad signature")


# keys ----------------------------------------------------------------------------------------
def test_a_private_pem_is_refused_with_advice():
    private_pem = RSA_KEY.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()

    result = inspect_jwt(_rs256(), key=PemKey(private_pem), now=NOW)

    assert result.verdict == "invalid"
    assert "private key" in result.reason


def test_a_private_jwk_is_reduced_to_its_public_part_with_a_warning():
    private_jwk = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(RSA_KEY)), "kid": "k1"}

    result = inspect_jwt(_rs256(), key=JwkKey(json.dumps(private_jwk)), now=NOW)

    assert result.verdict == "valid"
    assert any("private key" in note for note in result.notes)


def test_a_jwk_alg_restricts_the_token_to_that_algorithm():
    token = jwt.encode(_claims(), RSA_KEY, algorithm="PS256", headers={"kid": "k1"})

    pinned = inspect_jwt(token, key=JWKS, now=NOW)
    family = inspect_jwt(token, key=PemKey(PUBLIC_PEM), now=NOW)

    assert pinned.reason.startswith("Algorithm mismatch")
    assert family.verdict == "valid"


def test_a_leading_bearer_is_removed_with_a_note():
    result = inspect_jwt("Bearer " + _rs256(), key=JWKS, now=NOW)

    assert result.verdict == "valid"
    assert any("Bearer" in note for note in result.notes)


@pytest.mark.parametrize("text", ["", "not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END"])
def test_an_unusable_pem_is_reported(text):
    result = inspect_jwt(_rs256(), key=PemKey(text), now=NOW)

    assert result.verdict == "invalid"
    assert "not a PEM" in result.reason


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=300),
        st.lists(st.text(alphabet='ABCabc0129-_=+/.!{}"', max_size=60), min_size=1, max_size=6).map(
            ".".join
        ),
        st.tuples(
            st.dictionaries(
                st.text(max_size=8),
                st.recursive(
                    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
                    lambda inner: (
                        st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=4), inner, max_size=3)
                    ),
                    max_leaves=8,
                ),
            ),
            st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8) | st.floats()),
            st.binary(max_size=80),
        ).map(lambda t: _raw(t[0], t[1], t[2])),
    ),
    st.sampled_from([None, JWKS, PemKey(PUBLIC_PEM), HmacSecret(HMAC_SECRET), JwkKey("{}")]),
)
def test_inspector_never_raises_and_never_calls_garbage_valid(token, key):
    result = inspect_jwt(token, key=key, now=NOW)

    assert result.verdict != "valid"
    assert result.reason

"""Encryption at rest for the secrets the org must read back: consumer secrets, private keys.

A consumer secret cannot be stored as a hash because every token response carries
Salesforce's `signature` = Base64(HMAC-SHA256(consumer secret, id + issued_at)), and the
org's signing keys must sign. Both are sealed with a key derived from SECRET_KEY (HKDF,
RFC 5869), so a copy of the database alone reveals neither. Values sealed under a key
listed in SECRET_KEY_FALLBACKS still open, so SECRET_KEY can be rotated the Django way.
"""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"handshake org vault v1"
# Parsed private keys per sealed value: unsealing and parsing cost far more than signing.
# Apps may hold visitors' keys, so the cache is bounded: past this size it starts over.
_CACHE_SIZE = 512
_private_keys: dict[str, rsa.RSAPrivateKey] = {}


class SealBroken(Exception):
    """The value was sealed under another SECRET_KEY, or was tampered with."""


@cache
def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(plaintext: str) -> str:
    return _fernet(settings.SECRET_KEY).encrypt(plaintext.encode()).decode("ascii")


def unseal(sealed: str) -> str:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    try:
        return MultiFernet([_fernet(key) for key in keys]).decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, ValueError) as error:
        raise SealBroken from error


def seal_private_key(key: rsa.RSAPrivateKey) -> str:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return seal(pem)


def unseal_private_key(sealed: str) -> rsa.RSAPrivateKey:
    """The loaded RSA private key; raises SealBroken for a value sealed elsewhere."""
    key = _private_keys.get(sealed)
    if key is None:
        loaded = serialization.load_pem_private_key(unseal(sealed).encode(), password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise SealBroken("not an RSA private key")
        if len(_private_keys) >= _CACHE_SIZE:
            _private_keys.clear()
        _private_keys[sealed] = key = loaded
    return key

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
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"handshake org vault v1"


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

"""Salesforce-shaped identifiers: 18-character record ids, consumer keys and secrets."""

from __future__ import annotations

import secrets
import string

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_CHECKSUM_ALPHABET = string.ascii_uppercase + "012345"

ORG_PREFIX = "00D"
USER_PREFIX = "005"
CONSUMER_KEY_PREFIX = "3MVG9"
_CONSUMER_KEY_ALPHABET = string.ascii_letters + string.digits + "._"


def with_checksum(id15: str) -> str:
    """The 18-character, case-insensitive form of a 15-character id.

    Each 5-character chunk adds one character whose bits mark which of the chunk's
    characters are upper-case letters, so the id survives case-folding systems.
    """
    if len(id15) != 15:
        raise ValueError("a Salesforce-style id has 15 characters before its checksum")
    suffix = ""
    for start in range(0, 15, 5):
        bits = 0
        for position, char in enumerate(id15[start : start + 5]):
            if char in string.ascii_uppercase:
                bits |= 1 << position
        suffix += _CHECKSUM_ALPHABET[bits]
    return id15 + suffix


def canonical_id(value: str) -> str | None:
    """The 18-character form of a 15- or 18-character id, or None if it is not one.

    A 15-character id is case-sensitive; an 18-character one may arrive in any case, since
    its checksum tells which letters of the first 15 are upper-case.
    """
    if not value.isascii() or not value.isalnum():
        return None
    if len(value) == 15:
        return with_checksum(value)
    if len(value) != 18:
        return None
    recovered = ""
    for chunk in range(3):
        bits = _CHECKSUM_ALPHABET.find(value[15 + chunk].upper())
        if bits < 0:
            return None
        for position, char in enumerate(value[chunk * 5 : chunk * 5 + 5]):
            upper = bool(bits & (1 << position))
            if upper and not char.isalpha():
                return None
            recovered += char.upper() if upper else char.lower()
    return with_checksum(recovered)


def new_record_id(prefix: str) -> str:
    """A fresh 18-character id: 3-character key prefix, pod-like "0000", random tail."""
    tail = "".join(secrets.choice(BASE62) for _ in range(8))
    return with_checksum(f"{prefix}0000{tail}")


def new_consumer_key() -> str:
    # Real consumer keys are 85 characters of letters, digits, dots and underscores.
    tail = "".join(secrets.choice(_CONSUMER_KEY_ALPHABET) for _ in range(80))
    return CONSUMER_KEY_PREFIX + tail


def new_consumer_secret() -> str:
    # 256 bits, written as 64 upper-case hex digits like a real consumer secret.
    return secrets.token_hex(32).upper()

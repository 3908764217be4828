"""Names for the numbers TLS puts on the wire (the IANA TLS registries RFC 8446 §11 points to)."""

from __future__ import annotations

import ssl
from functools import cache

VERSIONS = {
    0x0300: "SSL 3.0",
    0x0301: "TLS 1.0",
    0x0302: "TLS 1.1",
    0x0303: "TLS 1.2",
    0x0304: "TLS 1.3",
}

# RFC 8446 §4.2.7 (and RFC 7919 for the finite-field groups).
GROUPS = {
    0x0017: "secp256r1",
    0x0018: "secp384r1",
    0x0019: "secp521r1",
    0x001D: "x25519",
    0x001E: "x448",
    0x0100: "ffdhe2048",
    0x0101: "ffdhe3072",
    0x0102: "ffdhe4096",
    0x0103: "ffdhe6144",
    0x0104: "ffdhe8192",
}

# RFC 8446 §4.2.3.
SIGNATURE_SCHEMES = {
    0x0401: "rsa_pkcs1_sha256",
    0x0501: "rsa_pkcs1_sha384",
    0x0601: "rsa_pkcs1_sha512",
    0x0403: "ecdsa_secp256r1_sha256",
    0x0503: "ecdsa_secp384r1_sha384",
    0x0603: "ecdsa_secp521r1_sha512",
    0x0804: "rsa_pss_rsae_sha256",
    0x0805: "rsa_pss_rsae_sha384",
    0x0806: "rsa_pss_rsae_sha512",
    0x0807: "ed25519",
    0x0808: "ed448",
    0x0809: "rsa_pss_pss_sha256",
    0x080A: "rsa_pss_pss_sha384",
    0x080B: "rsa_pss_pss_sha512",
    0x0201: "rsa_pkcs1_sha1",
    0x0203: "ecdsa_sha1",
    # TLS 1.2's SHA-224 pairs (RFC 5246 §7.4.1.4.1), still offered by OpenSSL.
    0x0301: "rsa_pkcs1_sha224",
    0x0303: "ecdsa_sha224",
}

# RFC 8446 §4.2 and the extensions older clients still send.
EXTENSIONS = {
    0: "server_name",
    5: "status_request",
    10: "supported_groups",
    11: "ec_point_formats",
    13: "signature_algorithms",
    16: "application_layer_protocol_negotiation",
    18: "signed_certificate_timestamp",
    21: "padding",
    22: "encrypt_then_mac",
    23: "extended_master_secret",
    28: "record_size_limit",
    35: "session_ticket",
    41: "pre_shared_key",
    42: "early_data",
    43: "supported_versions",
    44: "cookie",
    45: "psk_key_exchange_modes",
    47: "certificate_authorities",
    49: "post_handshake_auth",
    50: "signature_algorithms_cert",
    51: "key_share",
    0xFF01: "renegotiation_info",
}

# RFC 8446 §6 (and RFC 5246 §7.2 for the codes TLS 1.3 no longer sends).
ALERTS = {
    0: "close_notify",
    10: "unexpected_message",
    20: "bad_record_mac",
    22: "record_overflow",
    40: "handshake_failure",
    42: "bad_certificate",
    43: "unsupported_certificate",
    44: "certificate_revoked",
    45: "certificate_expired",
    46: "certificate_unknown",
    47: "illegal_parameter",
    48: "unknown_ca",
    49: "access_denied",
    50: "decode_error",
    51: "decrypt_error",
    70: "protocol_version",
    71: "insufficient_security",
    80: "internal_error",
    86: "inappropriate_fallback",
    90: "user_canceled",
    109: "missing_extension",
    110: "unsupported_extension",
    112: "unrecognized_name",
    113: "bad_certificate_status_response",
    115: "unknown_psk_identity",
    116: "certificate_required",
    120: "no_application_protocol",
}


def named(table: dict[int, str], code: int) -> str:
    return table.get(code, f"0x{code:04x}")


@cache
def _cipher_names() -> dict[int, str]:
    # OpenSSL knows every suite it can speak; its ids carry the two wire bytes at the bottom.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.set_ciphers("ALL:@SECLEVEL=0")
    return {int(c["id"]) & 0xFFFF: str(c["name"]) for c in context.get_ciphers()}


def cipher_suite(code: int) -> str:
    if code == 0x00FF:
        return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"  # RFC 5746 §3.3: a signal, not a cipher
    return _cipher_names().get(code, f"0x{code:04x}")

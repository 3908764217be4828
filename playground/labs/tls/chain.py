"""A certificate chain checked step by step, the way a TLS peer does (RFC 5280 §6.1, RFC 6125).

Each check says what it looked at and why it passed or failed. The lab puts the result next
to OpenSSL's own verdict on the same chain, so a trainee sees the two agree; this is a teaching
copy of the rules, never what decides whether a connection is accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import ExtendedKeyUsageOID

from playground.labs.tls.transcript import Check, Side

# Longer than any chain the lab builds; a loop in issuer names cannot go on forever.
MAX_DEPTH = 4

PURPOSES = {
    "server": (ExtendedKeyUsageOID.SERVER_AUTH, "serverAuth"),
    "client": (ExtendedKeyUsageOID.CLIENT_AUTH, "clientAuth"),
}


def check_chain(
    chain: Sequence[bytes],
    *,
    trusted: Sequence[x509.Certificate],
    holder: Side,
    host: str | None,
    now: datetime,
) -> tuple[Check, ...]:
    """Every check of `chain` (DER, leaf first) sent by `holder`, judged against `trusted`."""
    sent = [x509.load_der_x509_certificate(der) for der in chain]
    if not sent:
        return ()
    checks: list[Check] = []
    current = sent[0]
    anchored = False
    for depth in range(MAX_DEPTH):
        if current in trusted:
            anchored = True
            checks.extend(_validity(current, now))
            checks.extend(_authority_usage(current))
            break
        issuer = _issuer_of(current, [*sent[1:], *trusted])
        checks.append(_signature(current, issuer))
        checks.extend(_validity(current, now))
        if depth == 0:
            if host is not None:
                checks.append(_name(current, host))
            checks.append(_leaf_usage(current, holder))
        else:
            checks.extend(_authority_usage(current))
        if issuer is None or issuer is current:
            break  # nowhere further to go: an unknown issuer, or self-signed and not trusted
        current = issuer
    checks.append(_trust(current, anchored=anchored))
    return tuple(checks)


def _subject(certificate: x509.Certificate) -> str:
    return certificate.subject.rfc4514_string()


def _issuer_of(
    certificate: x509.Certificate, candidates: Sequence[x509.Certificate]
) -> x509.Certificate | None:
    for candidate in candidates:
        if candidate.subject == certificate.issuer:
            return candidate
    return None


def _signature(certificate: x509.Certificate, issuer: x509.Certificate | None) -> Check:
    subject = _subject(certificate)
    named = certificate.issuer.rfc4514_string()
    if issuer is None:
        reason = f"signed by {named}, but no certificate of that name was sent or is trusted"
        return Check("signature", subject, False, reason)
    try:
        certificate.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError):
        reason = f"the signature does not verify with {named}'s public key"
        return Check("signature", subject, False, reason)
    return Check("signature", subject, True, f"the signature verifies with {named}'s public key")


def _validity(certificate: x509.Certificate, now: datetime) -> list[Check]:
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    subject = _subject(certificate)
    if now < start:
        return [Check("validity", subject, False, f"not valid until {start:%Y-%m-%d %H:%M} UTC")]
    if now > end:
        return [Check("validity", subject, False, f"expired on {end:%Y-%m-%d %H:%M} UTC")]
    return [Check("validity", subject, True, f"valid until {end:%Y-%m-%d} (checked now)")]


def _name(certificate: x509.Certificate, host: str) -> Check:
    subject = _subject(certificate)
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        dns_names = san.value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        dns_names = []
    # RFC 6125 §6.4: the name the client asked for must be one of the certificate's DNS names
    # (a wildcard only as the whole left-most label); the subject's CN is not consulted.
    if any(_matches(pattern, host) for pattern in dns_names):
        return Check("name", subject, True, f"{host} is among its names")
    listed = ", ".join(dns_names) or "no DNS names"
    return Check("name", subject, False, f"the client asked for {host}; it names {listed}")


def _matches(pattern: str, host: str) -> bool:
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == host


def _leaf_usage(certificate: x509.Certificate, holder: Side) -> Check:
    oid, purpose = PURPOSES[holder]
    subject = _subject(certificate)
    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return Check("usage", subject, True, "no extended key usage: any purpose is allowed")
    if oid in usages:
        return Check("usage", subject, True, f"its extended key usage allows {purpose}")
    return Check("usage", subject, False, f"its extended key usage does not allow {purpose}")


def _authority_usage(certificate: x509.Certificate) -> list[Check]:
    subject = _subject(certificate)
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return [Check("usage", subject, False, "not marked as a CA (RFC 5280 §4.2.1.9)")]
    if constraints.ca and usage.key_cert_sign:
        return [Check("usage", subject, True, "a CA allowed to sign certificates")]
    return [Check("usage", subject, False, "not allowed to sign certificates")]


def _trust(certificate: x509.Certificate, *, anchored: bool) -> Check:
    subject = _subject(certificate)
    if anchored:
        return Check("trust", subject, True, "the chain ends at a CA the checking side trusts")
    return Check("trust", subject, False, "the chain does not reach a CA the checking side trusts")

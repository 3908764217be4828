"""X.509 certificates: made for a connected app or a visitor, or uploaded, and read.

Plain cryptography, shared by the org (which checks assertions with them) and the playground
(which signs assertions with them); it knows neither. A JWT bearer assertion is checked with
the public key of the app's certificate ("Use digital signatures" in Salesforce); a SAML bearer
assertion with the certificate of the identity provider the app trusts. Parsed certificates are
cached per PEM, a pure cache: parsing costs far more than verifying (pass loaded keys, never
PEM bytes).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

KEY_SIZE = 2048
LIFETIME = timedelta(days=365)
# Room for a clock that runs a little behind ours when the certificate is brand new.
BACKDATE = timedelta(minutes=5)

# Visitors upload certificates, so the caches are bounded: past this size they start over.
_CACHE_SIZE = 512
_certificates: dict[str, x509.Certificate] = {}


class UnusableCertificate(ValueError):
    """Not a PEM X.509 certificate with an RSA key of at least 2048 bits."""


@dataclass(frozen=True)
class GeneratedCertificate:
    certificate_pem: str
    private_key_pem: str
    private_key: rsa.RSAPrivateKey


@dataclass(frozen=True)
class CertificateFacts:
    subject: str
    fingerprint: str  # SHA-256, colon-separated hex
    not_before: datetime
    not_after: datetime
    expired: bool


def generate(common_name: str) -> GeneratedCertificate:
    """A self-signed RSA certificate (SHA-256) and its private key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64] or "connected app"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Handshake demo org"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return GeneratedCertificate(
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        private_key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii"),
        private_key=key,
    )


def load(pem: str) -> x509.Certificate:
    """The parsed certificate; raises UnusableCertificate."""
    certificate = _certificates.get(pem)
    if certificate is None:
        try:
            certificate = x509.load_pem_x509_certificate(pem.encode())
        except ValueError:
            raise UnusableCertificate("This is not a PEM-encoded X.509 certificate.") from None
        key = certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey) or key.key_size < KEY_SIZE:
            raise UnusableCertificate(
                "The certificate's key must be RSA of at least 2048 bits: the org checks "
                "RS256 and RSA-SHA256 signatures only."
            )
        if len(_certificates) >= _CACHE_SIZE:
            _certificates.clear()
        _certificates[pem] = certificate
    return certificate


def public_key(pem: str) -> rsa.RSAPublicKey:
    key = load(pem).public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise UnusableCertificate("The certificate's key must be RSA.")
    return key


def facts(pem: str) -> CertificateFacts | None:
    """What Setup shows about a certificate, or None for an unreadable one."""
    try:
        certificate = load(pem)
    except UnusableCertificate:
        return None
    digest = certificate.fingerprint(hashes.SHA256()).hex().upper()
    not_after = certificate.not_valid_after_utc
    return CertificateFacts(
        subject=certificate.subject.rfc4514_string(),
        fingerprint=":".join(digest[i : i + 2] for i in range(0, len(digest), 2)),
        not_before=certificate.not_valid_before_utc,
        not_after=not_after,
        expired=not_after <= datetime.now(UTC),
    )

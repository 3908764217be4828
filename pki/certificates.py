"""X.509 certificates: made for a connected app or a visitor, or uploaded, and read; and the
certificates TLS needs (an authority, server and client certificates it issues, RFC 8705
thumbprints, a description of every field a handshake depends on).

Plain cryptography, shared by the org (which checks assertions and serves TLS with them) and
the playground (which signs assertions and performs handshakes with them); it knows neither.
A JWT bearer assertion is checked with the public key of the app's certificate ("Use digital
signatures" in Salesforce); a SAML bearer assertion with the certificate of the identity
provider the app trusts. Parsed certificates are cached per PEM, a pure cache: parsing costs
far more than verifying (pass loaded keys, never PEM bytes).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import os
import secrets
import ssl
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

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


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate, colon-separated hex, as browsers and openssl show it."""
    digest = certificate.fingerprint(hashes.SHA256()).hex().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


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
    not_after = certificate.not_valid_after_utc
    return CertificateFacts(
        subject=certificate.subject.rfc4514_string(),
        fingerprint=fingerprint(certificate),
        not_before=certificate.not_valid_before_utc,
        not_after=not_after,
        expired=not_after <= datetime.now(UTC),
    )


# --- Certificates for TLS: an authority, and the server and client certificates it issues ---
#
# TLS keys are ECDSA P-256: generating one takes well under a millisecond (an RSA key ~50 ms),
# and every TLS library both sides use accepts them.

TLS_LIFETIME = timedelta(days=825)  # the CA/Browser Forum's longest leaf lifetime, 2018–2020
AUTHORITY_LIFETIME = timedelta(days=3650)


class Purpose(Enum):
    """What a leaf certificate may be used for (RFC 5280 §4.2.1.12 extended key usage)."""

    SERVER = "server"
    CLIENT = "client"


_EXTENDED_USAGE = {
    Purpose.SERVER: ExtendedKeyUsageOID.SERVER_AUTH,
    Purpose.CLIENT: ExtendedKeyUsageOID.CLIENT_AUTH,
}
_USAGE_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
    ExtendedKeyUsageOID.CODE_SIGNING: "codeSigning",
    ExtendedKeyUsageOID.EMAIL_PROTECTION: "emailProtection",
}


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate with its private key, loaded and as PEM."""

    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    @property
    def private_key_pem(self) -> str:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64] or "unnamed"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization[:64] or "unnamed"),
        ]
    )


def _validity(
    not_before: datetime | None, not_after: datetime | None, lifetime: timedelta
) -> tuple[datetime, datetime]:
    start = not_before or datetime.now(UTC) - BACKDATE
    return start, not_after or start + BACKDATE + lifetime


def _key_usage(*, signs_certificates: bool) -> x509.KeyUsage:
    """RFC 5280 §4.2.1.3: ECDSA keys sign; only a CA's key signs certificates and CRLs."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=signs_certificates,
        crl_sign=signs_certificates,
        encipher_only=False,
        decipher_only=False,
    )


def make_authority(
    common_name: str,
    *,
    organization: str = "Handshake demo org",
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> IssuedCertificate:
    """A self-signed root CA that may sign leaf certificates only (path length 0)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name, organization)
    start, end = _validity(not_before, not_after, AUTHORITY_LIFETIME)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signs_certificates=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return IssuedCertificate(certificate=certificate, private_key=key)


def issue(
    issuer: IssuedCertificate | None,
    *,
    common_name: str,
    purpose: Purpose,
    organization: str = "Handshake demo org",
    dns_names: Sequence[str] = (),
    ip_addresses: Sequence[str] = (),
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> IssuedCertificate:
    """A leaf certificate for a TLS server or client, signed by `issuer` (None: self-signed).

    RFC 5280 §4.2.1.3 and §4.2.1.12: the key may sign (ECDSA handshakes) and nothing else,
    for the one purpose given. Names go in the subject alternative name (RFC 6125 §6.4.4:
    clients match the host against it, not the common name).
    """
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(common_name, organization)
    start, end = _validity(not_before, not_after, TLS_LIFETIME)
    signer_key = issuer.private_key if issuer else key
    public = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signs_certificates=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([_EXTENDED_USAGE[purpose]]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )
    alternative_names: list[x509.GeneralName] = [x509.DNSName(name) for name in dns_names]
    alternative_names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses]
    if alternative_names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(alternative_names), critical=False
        )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.private_key.public_key()),
            critical=False,
        )
    return IssuedCertificate(certificate=builder.sign(signer_key, hashes.SHA256()), private_key=key)


def load_issued(certificate_pem: str, private_key_pem: str) -> IssuedCertificate:
    """An IssuedCertificate back from its two PEMs (an ECDSA key, as `issue` makes)."""
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise UnusableCertificate("The private key must be ECDSA.")
    return IssuedCertificate(
        certificate=x509.load_pem_x509_certificate(certificate_pem.encode()), private_key=key
    )


def read_pem(pem: str) -> x509.Certificate:
    """Any one PEM X.509 certificate, whatever its key; raises UnusableCertificate."""
    try:
        return x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        raise UnusableCertificate("This is not a PEM-encoded X.509 certificate.") from None


def signed_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether `issuer` names and signed `certificate` (the signature checked, nothing else)."""
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def thumbprint(certificate: x509.Certificate | bytes) -> str:
    """RFC 8705 §3.1 `x5t#S256`: base64url, unpadded, of SHA-256 over the certificate's DER."""
    der = (
        certificate
        if isinstance(certificate, bytes)
        else certificate.public_bytes(serialization.Encoding.DER)
    )
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class CertificateDescription:
    """What a person reads about a certificate: every field the handshake depends on."""

    subject: str  # RFC 4514
    issuer: str
    serial_number: str  # hex
    not_before: datetime
    not_after: datetime
    key: str  # "ECDSA P-256", "RSA 2048"
    alternative_names: tuple[str, ...]  # "DNS:localhost", "IP:127.0.0.1"
    is_authority: bool
    extended_key_usage: tuple[str, ...]  # "serverAuth", "clientAuth"
    self_signed: bool
    x5t_s256: str
    fingerprint: str


def describe(certificate: x509.Certificate) -> CertificateDescription:
    public = certificate.public_key()
    if isinstance(public, ec.EllipticCurvePublicKey):
        key = {"secp256r1": "ECDSA P-256", "secp384r1": "ECDSA P-384"}.get(
            public.curve.name, f"ECDSA {public.curve.name}"
        )
    elif isinstance(public, rsa.RSAPublicKey):
        key = f"RSA {public.key_size}"
    else:
        key = type(public).__name__
    return CertificateDescription(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        serial_number=f"{certificate.serial_number:X}",
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        key=key,
        alternative_names=_alternative_names(certificate),
        is_authority=_is_authority(certificate),
        extended_key_usage=_extended_key_usage(certificate),
        self_signed=certificate.issuer == certificate.subject,
        x5t_s256=thumbprint(certificate),
        fingerprint=fingerprint(certificate),
    )


def _is_authority(certificate: x509.Certificate) -> bool:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _alternative_names(certificate: x509.Certificate) -> tuple[str, ...]:
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    return tuple(
        f"DNS:{name.value}" if isinstance(name, x509.DNSName) else f"IP:{name.value}"
        for name in names
        if isinstance(name, x509.DNSName | x509.IPAddress)
    )


def _extended_key_usage(certificate: x509.Certificate) -> tuple[str, ...]:
    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return ()
    return tuple(_USAGE_NAMES.get(usage, usage.dotted_string) for usage in usages)


def load_into(
    context: ssl.SSLContext, identity: IssuedCertificate, *chain: IssuedCertificate
) -> None:
    """Give an SSL context this certificate and key, followed by the chain it sends."""
    # ssl reads a certificate and key only from files: write them where only we can read,
    # load them, and remove them at once.
    with tempfile.TemporaryDirectory(prefix="handshake-tls-") as directory:
        certificate, key = os.path.join(directory, "chain.pem"), os.path.join(directory, "key.pem")
        pem = identity.certificate_pem + "".join(link.certificate_pem for link in chain)
        for path, text in ((certificate, pem), (key, identity.private_key_pem)):
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(text)
        context.load_cert_chain(certificate, key)

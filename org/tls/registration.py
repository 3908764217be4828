"""How a connected app registers its TLS client certificate (RFC 8705 §2), from one PEM text.

The text is what Salesforce asks for when a Mutual Authentication Certificate is uploaded: the
client certificate first, then the certificates that signed it.
- A self-signed certificate alone registers `self_signed_tls_client_auth` (§2.2): that exact
  certificate, and only it, authenticates the app.
- A certificate followed by the CA that issued it registers `tls_client_auth` (§2.1): any
  certificate that CA issues with the same subject DN (§2.1.2 tls_client_auth_subject_dn)
  authenticates the app, so the app can renew its certificate without a new registration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from org.models import TlsClientAuth
from pki import certificates

_PEM_BLOCK = re.compile(
    r"-----BEGIN CERTIFICATE-----\s+[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----"
)
MAX_BUNDLE = 64 * 1024
MAX_CERTIFICATES = 4


class UnusableRegistration(ValueError):
    """The PEM text cannot register a client certificate; the message says why."""


@dataclass(frozen=True)
class TlsRegistration:
    method: str  # a TlsClientAuth value
    certificate_pem: str  # self-signed: the app's certificate; PKI: the issuing CA
    subject_dn: str  # PKI only, RFC 4514


NO_REGISTRATION = TlsRegistration(method=TlsClientAuth.NONE, certificate_pem="", subject_dn="")


def register(bundle: str) -> TlsRegistration:
    """The registration the PEM text asks for (blank: none); raises UnusableRegistration."""
    if not bundle.strip():
        return NO_REGISTRATION
    if len(bundle) > MAX_BUNDLE:
        raise UnusableRegistration("That is far larger than any certificate chain.")
    blocks = _PEM_BLOCK.findall(bundle)
    if not blocks:
        raise UnusableRegistration("Paste PEM certificates (-----BEGIN CERTIFICATE-----).")
    if len(blocks) > MAX_CERTIFICATES:
        raise UnusableRegistration("Give the client certificate and its issuer, nothing more.")
    try:
        chain = [certificates.read_pem(block) for block in blocks]
    except certificates.UnusableCertificate as error:
        raise UnusableRegistration(str(error)) from None
    leaf = chain[0]
    _check_client_usage(leaf)
    if len(chain) == 1:
        if leaf.issuer != leaf.subject or not certificates.signed_by(leaf, leaf):
            raise UnusableRegistration(
                "This certificate was issued by a CA: paste the CA's certificate after it."
            )
        return TlsRegistration(
            method=TlsClientAuth.SELF_SIGNED, certificate_pem=blocks[0] + "\n", subject_dn=""
        )
    issuer = chain[1]
    if not certificates.describe(issuer).is_authority:
        raise UnusableRegistration("The second certificate must be a CA certificate.")
    if not certificates.signed_by(leaf, issuer):
        raise UnusableRegistration("The second certificate did not sign the first.")
    return TlsRegistration(
        method=TlsClientAuth.PKI,
        certificate_pem=blocks[1] + "\n",
        subject_dn=leaf.subject.rfc4514_string(),
    )


def _check_client_usage(leaf: x509.Certificate) -> None:
    if leaf.not_valid_after_utc <= datetime.now(UTC):
        raise UnusableRegistration("This certificate has expired.")
    try:
        usages = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return
    # RFC 5280 §4.2.1.12: when the extension is there, it must allow TLS client auth.
    if ExtendedKeyUsageOID.CLIENT_AUTH not in usages:
        raise UnusableRegistration("This certificate is not meant for TLS clients (clientAuth).")

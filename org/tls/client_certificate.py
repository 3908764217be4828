"""The verified client certificate a request arrived with, and whether it is an app's.

Two ways in, and only two. `serve_tls` puts the certificate it verified in the handshake into
the WSGI environ under ENVIRON_KEY: a key no HTTP header can produce, since a server turns every
header into HTTP_*. Behind a TLS-terminating proxy (nginx), the proxy sends the certificate in
X-SSL-Client-Cert and its verdict in X-SSL-Client-Verify; those headers are believed only from
the addresses in HANDSHAKE_TLS_TRUSTED_PROXIES (none by default) — from anyone else they are
ignored (RFC 8705 §7.1: the app must know the certificate came through the proxy).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import unquote

from cryptography import x509
from django.conf import settings
from django.http import HttpRequest

from org.models import ConnectedApp, TlsClientAuth
from pki import certificates

ENVIRON_KEY = "handshake.tls.client_certificate"
PROXY_CERTIFICATE = "HTTP_X_SSL_CLIENT_CERT"
PROXY_VERDICT = "HTTP_X_SSL_CLIENT_VERIFY"
# A URL-encoded PEM certificate chain of any real size fits; nothing larger is parsed.
MAX_PROXY_HEADER = 32 * 1024

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PresentedCertificate:
    certificate: x509.Certificate
    thumbprint: str  # RFC 8705 §3.1 x5t#S256


def presented_certificate(request: HttpRequest) -> PresentedCertificate | None:
    """The client certificate verified for this request's connection, or None."""
    der = request.META.get(ENVIRON_KEY)
    if isinstance(der, bytes):
        return PresentedCertificate(
            certificate=x509.load_der_x509_certificate(der),
            thumbprint=certificates.thumbprint(der),
        )
    if PROXY_CERTIFICATE in request.META:
        return _from_proxy(request)
    return None


def _from_proxy(request: HttpRequest) -> PresentedCertificate | None:
    address = request.META.get("REMOTE_ADDR", "")
    if address not in settings.HANDSHAKE_TLS_TRUSTED_PROXIES:
        logger.warning("ignored a client-certificate header from %s, not a trusted proxy", address)
        return None
    # nginx's $ssl_client_verify: SUCCESS, FAILED:reason or NONE.
    if request.META.get(PROXY_VERDICT) != "SUCCESS":
        return None
    header = request.META[PROXY_CERTIFICATE]
    if len(header) > MAX_PROXY_HEADER:
        return None
    try:
        certificate = certificates.read_pem(unquote(header))
    except certificates.UnusableCertificate:
        logger.warning("the proxy at %s sent an unreadable client certificate", address)
        return None
    return PresentedCertificate(
        certificate=certificate, thumbprint=certificates.thumbprint(certificate)
    )


def identifies(app: ConnectedApp, presented: PresentedCertificate) -> bool:
    """Whether `presented` is the certificate `app` registered (RFC 8705 §2.2) or one its CA
    issued for its subject (§2.1). The chain itself was verified in the handshake."""
    try:
        registered = certificates.read_pem(app.tls_client_cert_pem)
    except certificates.UnusableCertificate:
        return False
    if app.tls_client_auth == TlsClientAuth.SELF_SIGNED:
        return presented.thumbprint == certificates.thumbprint(registered)
    if app.tls_client_auth != TlsClientAuth.PKI:
        return False
    if not certificates.signed_by(presented.certificate, registered):
        return False
    try:
        wanted = x509.Name.from_rfc4514_string(app.tls_client_subject_dn)
    except ValueError:
        return False
    # RFC 8705 §2.1.2: the subject DN as a whole, in the RFC 4514 form both sides agree on.
    return presented.certificate.subject.rfc4514_string() == wanted.rfc4514_string()

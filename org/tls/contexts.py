"""The listener's TLS settings: its certificate, the versions it speaks, and whom it trusts.

RFC 8705 §2: the handshake asks every client for a certificate but requires none (a client
with no certificate still reaches the site); a certificate that is sent is verified against
the trust the apps registered — each `tls_client_auth` app's CA and each
`self_signed_tls_client_auth` app's own certificate — and refused with a TLS alert when it
does not verify (expired, not yet valid, wrongly signed, meant for servers, unknown issuer).
Which app a verified certificate belongs to is decided later, at the token endpoint.

The CertificateRequest carries no list of acceptable CAs, as Salesforce's port 8443 does.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field

from django.db import close_old_connections
from django.db.models import Count, Max

from org.models import ConnectedApp, TlsClientAuth
from org.tls import authority
from pki import certificates

# What a client sends is checked against these; nothing older than TLS 1.2 (RFC 8996).
MINIMUM_VERSION = ssl.TLSVersion.TLSv1_2


def registered_trust() -> list[str]:
    """Every PEM a client certificate may chain to: the apps' CAs and self-signed certificates."""
    apps = ConnectedApp.objects.exclude(tls_client_auth=TlsClientAuth.NONE).exclude(
        tls_client_cert_pem=""
    )
    return sorted(set(apps.values_list("tls_client_cert_pem", flat=True)))


def _trust_version() -> tuple[object, ...]:
    apps = ConnectedApp.objects.exclude(tls_client_auth=TlsClientAuth.NONE)
    summary = apps.aggregate(count=Count("pk"), changed=Max("updated_at"))
    return (summary["count"], summary["changed"], authority.server_names())


def server_context(trusted_pems: list[str]) -> ssl.SSLContext:
    """A TLS 1.2/1.3 server context that asks for a client certificate and verifies it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = MINIMUM_VERSION
    certificates.load_into(context, authority.server_certificate(), authority.authority())
    context.verify_mode = ssl.CERT_OPTIONAL
    for pem in trusted_pems:
        try:
            context.load_verify_locations(cadata=pem)
        except ssl.SSLError:
            continue  # a registration OpenSSL cannot read trusts nothing
    # One connection, one handshake: no tickets to resume with, so every connection proves
    # its certificate afresh (RFC 8446 §2.2 resumption would skip the client's Certificate).
    context.options |= ssl.OP_NO_TICKET
    context.num_tickets = 0
    return context


@dataclass
class ServerContexts:
    """The current server context, rebuilt when an app's registration changes.

    A pure cache: the database says what is trusted; each new connection asks (one small
    query) whether that changed, so an app registered a moment ago is trusted at once and
    every process agrees.
    """

    _version: tuple[object, ...] | None = None
    _context: ssl.SSLContext | None = field(default=None, repr=False)

    def current(self) -> ssl.SSLContext:
        # This thread asks outside any request, so it does what Django's request signals do:
        # drop a connection that broke or outlived CONN_MAX_AGE before using it.
        close_old_connections()
        version = _trust_version()
        if self._context is None or version != self._version:
            self._context = server_context(registered_trust())
            self._version = version
        return self._context

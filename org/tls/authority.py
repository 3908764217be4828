"""The org's TLS certificate authority and the server certificate it issues for the org's hosts.

Made on first use and kept in the database, private keys sealed like the signing keys
(org/vault.py), so every process serves the same certificate and a copy of the database alone
reveals no key. Two processes starting at once both try to create it; the unique label lets
one win and the other read the winner's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction

from org import vault
from org.identity import base_url
from org.models import TlsKeyPair
from pki import certificates

AUTHORITY_LABEL = "authority"
AUTHORITY_NAME = "Handshake demo org TLS CA"
# The addresses a person on this machine types: RFC 6125 §6.4.4, names go in the SAN.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def authority() -> certificates.IssuedCertificate:
    """The org's CA, made on first use."""
    return _key_pair(AUTHORITY_LABEL, lambda: certificates.make_authority(AUTHORITY_NAME))


def authority_pem() -> str:
    return authority().certificate_pem


def server_names() -> tuple[str, ...]:
    """The base URL's host and the loopback names, in a stable order."""
    host = urlsplit(base_url()).hostname or "localhost"
    return tuple(dict.fromkeys((host, *LOOPBACK_NAMES)))


def server_certificate() -> certificates.IssuedCertificate:
    """The TLS server certificate for `server_names()`, issued by the org's CA on first use."""
    names = server_names()
    ca = authority()
    dns = [name for name in names if not _is_address(name)]
    ips = [name for name in names if _is_address(name)]
    return _key_pair(
        "server:" + ",".join(names),
        lambda: certificates.issue(
            ca,
            common_name=names[0],
            purpose=certificates.Purpose.SERVER,
            dns_names=dns,
            ip_addresses=ips,
        ),
    )


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _key_pair(
    label: str, make: Callable[[], certificates.IssuedCertificate]
) -> certificates.IssuedCertificate:
    row = TlsKeyPair.objects.filter(label=label).first()
    if row is not None:
        try:
            return certificates.load_issued(
                row.certificate_pem, vault.unseal(row.sealed_private_key)
            )
        except vault.SealBroken:
            # Sealed under a SECRET_KEY that is gone: the key is lost, so is what it signed.
            TlsKeyPair.objects.all().delete()
    issued = make()
    try:
        with transaction.atomic():
            TlsKeyPair.objects.create(
                label=label,
                certificate_pem=issued.certificate_pem,
                sealed_private_key=vault.seal(issued.private_key_pem),
            )
    except IntegrityError:
        row = TlsKeyPair.objects.get(label=label)
        return certificates.load_issued(row.certificate_pem, vault.unseal(row.sealed_private_key))
    return issued

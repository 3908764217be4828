"""The certificates one lab handshake uses, made fresh for it with pki.certificates.

The lab's CA issues the server's certificate and the trainee's client certificate. A second
CA nobody trusts, and a certificate past its date, are what Break it swaps in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pki import certificates

SERVER_NAME = "org.handshake.test"  # RFC 6761 §6.2: .test never resolves on the Internet
AUTHORITY_NAME = "Handshake lab CA"
STRANGER_NAME = "Unknown Issuer CA"
CLIENT_NAME = "integration-user"


@dataclass(frozen=True)
class Cast:
    authority: certificates.IssuedCertificate
    server: certificates.IssuedCertificate
    client: certificates.IssuedCertificate


def make_cast() -> Cast:
    authority = certificates.make_authority(AUTHORITY_NAME)
    server = certificates.issue(
        authority,
        common_name=SERVER_NAME,
        purpose=certificates.Purpose.SERVER,
        dns_names=[SERVER_NAME],
    )
    client = certificates.issue(
        authority, common_name=CLIENT_NAME, purpose=certificates.Purpose.CLIENT
    )
    return Cast(authority=authority, server=server, client=client)


def stranger_client() -> certificates.IssuedCertificate:
    """A client certificate from a CA the server has never heard of."""
    stranger = certificates.make_authority(STRANGER_NAME)
    return certificates.issue(
        stranger, common_name=CLIENT_NAME, purpose=certificates.Purpose.CLIENT
    )


def expired_client(cast: Cast, *, now: datetime | None = None) -> certificates.IssuedCertificate:
    """The trainee's client certificate as it was, issued by the right CA, a day past its end."""
    moment = now or datetime.now(UTC)
    return certificates.issue(
        cast.authority,
        common_name=CLIENT_NAME,
        purpose=certificates.Purpose.CLIENT,
        not_before=moment - timedelta(days=366),
        not_after=moment - timedelta(days=1),
    )

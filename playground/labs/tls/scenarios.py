"""The lab's handshakes: the two it shows side by side, and the faults Break it injects.

Each scenario says what it changes and what the trainee should take away; what actually
happened (the alert, the errors) comes from the handshake itself, never from here.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass

from playground.labs.tls import cast
from playground.labs.tls.handshake import Setup

WRONG_NAME = "api.handshake.test"


@dataclass(frozen=True)
class Scenario:
    slug: str
    title: str
    change: str  # what differs from the working mutual handshake
    lesson: str
    build: Callable[[cast.Cast], Setup]


def _one_way(actors: cast.Cast) -> Setup:
    return Setup(
        scenario="one-way",
        server=actors.server,
        client_trusts=(actors.authority,),
        server_name=cast.SERVER_NAME,
    )


def _mutual(actors: cast.Cast, **changes: object) -> Setup:
    settings: dict[str, object] = {
        "scenario": "mutual",
        "server": actors.server,
        "client_trusts": (actors.authority,),
        "server_name": cast.SERVER_NAME,
        "ask_for_client_certificate": True,
        "server_trusts": (actors.authority,),
        "client": actors.client,
        **changes,
    }
    return Setup(**settings)  # type: ignore[arg-type]


HANDSHAKES = (
    Scenario(
        slug="one-way",
        title="One-way TLS",
        change="The server proves who it is; the client stays anonymous at the TLS layer.",
        lesson=(
            "The client checks the server's chain and its name before it sends a single byte "
            "of the request. Who the client is must then be proved inside the request: a "
            "client secret, a signed assertion or a token."
        ),
        build=_one_way,
    ),
    Scenario(
        slug="mutual",
        title="Mutual TLS",
        change="The server also asks for a certificate, and the client proves it holds the key.",
        lesson=(
            "The server's CertificateRequest makes the client send its own chain and sign the "
            "transcript with its private key (CertificateVerify). A stolen copy of the "
            "certificate is useless without that key, which is what lets a token be bound "
            "to it (RFC 8705)."
        ),
        build=_mutual,
    ),
)

FAULTS = (
    Scenario(
        slug="no-client-certificate",
        title="No client certificate",
        change="The client has no certificate to give when the server asks for one.",
        lesson=(
            "The client answers with an empty Certificate and believes it is done, because its "
            "Finished is its last word; it only learns of the refusal from the server's alert, "
            "on its first read. A server may carry on unauthenticated instead (RFC 8446 "
            "§4.4.2.4): Salesforce's port 8443 does, and refuses later at the API."
        ),
        build=lambda actors: _mutual(actors, scenario="no-client-certificate", client=None),
    ),
    Scenario(
        slug="untrusted-ca",
        title="A certificate from an unknown CA",
        change="The client's certificate was issued by a CA the server does not trust.",
        lesson=(
            "A certificate is only as good as its issuer. The server has no certificate for the "
            "issuer's name, so it cannot check the signature and refuses the chain. Register "
            "the issuing CA (or the certificate itself, for self-signed RFC 8705 clients) first."
        ),
        build=lambda actors: _mutual(
            actors, scenario="untrusted-ca", client=cast.stranger_client()
        ),
    ),
    Scenario(
        slug="expired-client-certificate",
        title="An expired client certificate",
        change="The client's certificate comes from the right CA but ended yesterday.",
        lesson=(
            "The signature still verifies; the dates do not. Certificates expire so that a "
            "leaked key stops working on its own: renew before the end date, and watch it."
        ),
        build=lambda actors: _mutual(
            actors, scenario="expired-client-certificate", client=cast.expired_client(actors)
        ),
    ),
    Scenario(
        slug="wrong-host-name",
        title="The wrong host name",
        change=f"The client connects asking for {WRONG_NAME}; the certificate is for another name.",
        lesson=(
            "A valid certificate for another name proves nothing about this server. The client "
            "compares the name it asked for with the certificate's DNS names and hangs up with "
            "an alert before sending its own certificate or any data."
        ),
        build=lambda actors: _mutual(actors, scenario="wrong-host-name", server_name=WRONG_NAME),
    ),
    Scenario(
        slug="tls-1-0",
        title="TLS 1.0 offered",
        change="The client offers TLS 1.0 and nothing newer.",
        lesson=(
            "The server speaks nothing older than TLS 1.2 (RFC 8996 retired 1.0 and 1.1; "
            "Salesforce turned 1.0 off in 2017), so the handshake ends at the first message "
            "with a protocol_version alert. Nothing about certificates is even looked at."
        ),
        build=lambda actors: _mutual(
            actors, scenario="tls-1-0", client_only_version=ssl.TLSVersion.TLSv1
        ),
    ),
)

SCENARIOS = {scenario.slug: scenario for scenario in (*HANDSHAKES, *FAULTS)}

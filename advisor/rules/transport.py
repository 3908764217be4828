"""Rules for transport security: one-way TLS or mutual TLS with client certificates."""

from __future__ import annotations

from advisor.rules.vocabulary import (
    Rule,
    answer_is,
    answer_not,
    con,
    note,
    pro,
    rule,
    veto,
)

_PER_PERSON_CERTIFICATES = (
    "Every person's device would need its own client certificate, and Salesforce accepts them "
    "on API calls only, not in the browser."
)

TRANSPORT_RULES: tuple[Rule, ...] = (
    rule(
        "transport-general",
        "transport",
        (),
        "seed-architecture",
        pro("tls", 2, "Always on: every Salesforce call uses HTTPS, and the server proves itself."),
        note(
            "mtls", "The client proves itself with a certificate too, before any request is read."
        ),
    ),
    rule(
        "transport-certificates-required",
        "transport",
        (answer_is("partner-certs", "yes"),),
        "sf-client-certs",
        veto(
            "tls", "Fails the requirement: without a client certificate the connection is refused."
        ),
        pro("mtls", 4, "Meets the requirement for a client certificate."),
    ),
    rule(
        "transport-certificates-not-required",
        "transport",
        (answer_is("partner-certs", "no"),),
        "seed-architecture",
        pro("tls", 1, "Nobody asks for more than an OAuth token over TLS."),
    ),
    rule(
        "transport-sensitive-data",
        "transport",
        (answer_is("sensitivity", "high"),),
        "seed-architecture",
        pro(
            "mtls",
            2,
            "A second lock at the network layer: a stolen token alone can't open the connection.",
        ),
    ),
    rule(
        "transport-ordinary-data",
        "transport",
        (answer_is("sensitivity", "normal"),),
        "seed-architecture",
        pro("tls", 1, "A token over ordinary TLS is the usual protection for this kind of data."),
    ),
    rule(
        "transport-no-certificates",
        "transport",
        (answer_is("certificates", "no"),),
        "seed-architecture",
        con(
            "mtls",
            3,
            "Each side needs a certificate and key, and someone to renew them before they expire.",
        ),
    ),
    rule(
        "transport-certificates-managed",
        "transport",
        (answer_is("certificates", "yes"),),
        "seed-architecture",
        pro("mtls", 1, "Your team can run the certificate lifecycle it needs."),
    ),
    rule(
        "transport-user-devices",
        "transport",
        (answer_is("client", "spa", "mobile", "cli"),),
        "sf-inbound-mtls",
        con("mtls", 3, _PER_PERSON_CERTIFICATES),
    ),
    rule(
        "transport-attended-limited-devices",
        "transport",
        (answer_is("client", "limited-input"), answer_not("person", "no")),
        "sf-inbound-mtls",
        con("mtls", 3, _PER_PERSON_CERTIFICATES),
    ),
    rule(
        "transport-registered-devices",
        "transport",
        (answer_is("devices", "yes"),),
        "seed-architecture",
        pro(
            "mtls",
            1,
            "Each device can carry a certificate of its own, installed when it is made: a "
            "common way to tell a fleet of devices apart.",
        ),
    ),
    rule(
        "transport-inbound",
        "transport",
        (answer_is("initiator", "external", "both"),),
        "sf-inbound-mtls",
        note(
            "mtls",
            "Callers presenting a certificate connect to port 8443 of your My Domain.",
        ),
    ),
    rule(
        "transport-outbound",
        "transport",
        (answer_is("initiator", "salesforce"),),
        "sf-client-certs",
        note("mtls", "Salesforce presents a certificate from its key store on each callout."),
    ),
    rule(
        "transport-prototype",
        "transport",
        (answer_is("environment", "prototype"),),
        "seed-architecture",
        con("mtls", 1, "Certificate set-up slows a throwaway prototype down."),
    ),
    rule(
        "transport-allow-listed",
        "transport",
        (answer_is("network", "allow-list"),),
        "seed-architecture",
        pro(
            "mtls",
            1,
            "A client certificate proves who is calling, which an IP allow-list alone can't: "
            "addresses are shared and change.",
        ),
    ),
    rule(
        "transport-private-connectivity",
        "transport",
        (answer_is("network", "private"),),
        "seed-architecture",
        note(
            "tls", "Private connectivity keeps traffic off the internet; TLS still runs inside it."
        ),
    ),
)

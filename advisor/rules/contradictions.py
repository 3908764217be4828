"""Answers that can't all be true at once: each is flagged with the answers that clash."""

from __future__ import annotations

from advisor.rules.vocabulary import Alert, answer_is

_PEOPLES_DEVICES = ("spa", "mobile", "limited-input", "cli")

CONTRADICTIONS: tuple[Alert, ...] = (
    Alert(
        "contradiction-salesforce-caller-is-a-device",
        "bad",
        ("flow",),
        "Registered devices call Salesforce, yet you said Salesforce is the caller. Either the "
        "devices call in (answer that another system calls Salesforce) or they aren't the callers.",
        "sf-oauth-flows",
        when=(answer_is("initiator", "salesforce"), answer_is("devices", "yes")),
    ),
    Alert(
        "contradiction-salesforce-caller-holds-an-assertion",
        "bad",
        ("flow",),
        "Your app trading a SAML assertion for a token is your app calling Salesforce; when "
        "Salesforce calls out, it holds no assertion from your identity provider.",
        "sf-oauth-flows",
        when=(answer_is("initiator", "salesforce"), answer_is("saml", "yes")),
    ),
    Alert(
        "contradiction-salesforce-caller-runs-on-devices",
        "bad",
        ("flow",),
        "The app you described runs in browsers or on people's devices, yet Salesforce is the "
        "caller. Salesforce calls out from its own servers; the app question is about a caller "
        "of Salesforce.",
        "seed-architecture",
        when=(answer_is("initiator", "salesforce"), answer_is("client", *_PEOPLES_DEVICES)),
    ),
    Alert(
        "contradiction-subscriber-is-the-caller",
        "bad",
        ("flow", "events"),
        "You said Salesforce makes the call, yet the data leaves through change events. A change "
        "event reaches a subscriber only when the subscriber connects to Salesforce: it is the "
        "caller and holds a Salesforce credential. A named credential serves only Salesforce's "
        "own callouts.",
        "sf-eda",
        when=(
            answer_is("initiator", "salesforce"),
            answer_is("data-direction", "out-of-salesforce"),
            answer_is("reacts-to", "record-changes", "both"),
        ),
    ),
    Alert(
        "contradiction-outside-publishers-but-data-only-leaves",
        "warn",
        ("events",),
        "Outside systems publish events into Salesforce, yet you said the data only leaves "
        "Salesforce. An event published in is data coming in.",
        "sf-data-integration",
        when=(
            answer_is("external-publishers", "yes"),
            answer_is("data-direction", "out-of-salesforce"),
        ),
    ),
    Alert(
        "contradiction-secret-in-a-public-client",
        "bad",
        ("flow",),
        "You said the app can keep a secret, but code that runs in browsers or on people's "
        "devices can be read by them. Only a server you control keeps a secret.",
        "seed-flows",
        when=(answer_is("secret", "yes"), answer_is("client", "spa", "mobile", "cli")),
    ),
    Alert(
        "contradiction-assertion-without-a-person",
        "warn",
        ("flow",),
        "A SAML assertion comes from a person signing in, yet you said nobody is present. An "
        "unattended job holds no fresh assertion.",
        "sf-oauth-flows",
        when=(answer_is("saml", "yes"), answer_is("person", "no")),
    ),
    Alert(
        "contradiction-no-loss-without-catching-up",
        "warn",
        ("events",),
        "Nothing may be lost, yet consumers needn't catch up after being away. A consumer that "
        "was offline either replays what it missed or loses it.",
        "sf-event-durability",
        when=(answer_is("delivery", "no-loss", "exactly-once"), answer_is("replay", "none")),
    ),
    Alert(
        "contradiction-certificates-required-but-unmanaged",
        "bad",
        ("transport",),
        "Client certificates are required, but your team can't manage certificates. Someone "
        "must issue, store and renew them, or the connection will be refused.",
        "sf-client-certs",
        when=(answer_is("partner-certs", "yes"), answer_is("certificates", "no")),
    ),
    Alert(
        "contradiction-waiting-on-long-work",
        "warn",
        ("pattern",),
        "An exchange must complete within 5 seconds, yet the work can take over 120 seconds.",
        "sf-patterns",
        when=(answer_is("latency", "under-5s"), answer_is("long-running", "yes")),
    ),
)

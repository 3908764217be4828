"""Warnings about anti-patterns in the answers, and cross-checks between the winners."""

from __future__ import annotations

from advisor.decisions import EVENT_BUS, PERSON_FLOWS
from advisor.rules.vocabulary import Alert, Winner, answer_is, answer_not, count_between

_EVENTS_WANTED = answer_is("reacts-to", "record-changes", "business-events", "both")

WARNINGS: tuple[Alert, ...] = (
    Alert(
        "warn-password-caller",
        "bad",
        ("flow",),
        "A username and password stored in an integration can't do multi-factor sign-in, leaks "
        "with the configuration and breaks when the flow is switched off. Plan the move to the "
        "JWT bearer or client credentials flow.",
        "rfc9700-password",
        when=(answer_is("password-only", "yes"),),
    ),
    Alert(
        "warn-password-flow-chosen",
        "bad",
        ("flow",),
        "The top flow here is one to retire: acceptable for a throwaway sandbox test, never once "
        "real data is involved.",
        "rfc9700-password",
        winners=(Winner("flow", ("username-password",)),),
    ),
    Alert(
        "warn-user-agent-temptation",
        "warn",
        ("flow",),
        "Browser and mobile apps used to reach for the user-agent flow, which puts the access "
        "token in the URL. The web server flow with PKCE serves the same apps without that leak.",
        "rfc9700-implicit",
        when=(answer_is("client", "spa", "mobile"),),
    ),
    Alert(
        "warn-unattended-without-credential",
        "bad",
        ("flow",),
        "Nothing can run unattended without holding some credential, a secret or a private key. "
        "If this client truly can't keep one, it shouldn't run without a person.",
        "seed-flows",
        when=(answer_is("person", "no"), answer_is("secret", "no")),
    ),
    Alert(
        "info-api-only-user",
        "info",
        ("flow",),
        "Run unattended integrations as a dedicated integration user with the API Only profile, "
        "so nobody can use it to sign in to the screens.",
        "sf-data-integration",
        when=(answer_is("person", "no"),),
    ),
    Alert(
        "info-named-credential",
        "info",
        ("flow",),
        "When Salesforce is the caller, keep the other system's credentials in a named credential "
        "backed by an external credential, never in code.",
        "sf-named-credentials",
        when=(answer_is("initiator", "salesforce", "both"),),
    ),
    Alert(
        "warn-events-while-waiting",
        "warn",
        ("pattern", "events"),
        "Someone waits for an answer, but events promise no response time. Keep the waiting part "
        "a direct call and use events only for the follow-up work.",
        "sf-eda",
        when=(answer_is("wait", "yes"), _EVENTS_WANTED),
    ),
    Alert(
        "warn-long-work-awaited",
        "warn",
        ("pattern",),
        "Work that takes over 120 seconds can't be awaited in one callout. Acknowledge at once, "
        "then deliver the result later with a call back into Salesforce or an event.",
        "sf-patterns",
        when=(answer_is("wait", "yes"), answer_is("long-running", "yes")),
    ),
    Alert(
        "warn-bulk-awaited",
        "warn",
        ("pattern",),
        "Thousands of records won't move while someone waits. Start a Bulk API job and tell the "
        "person when it has finished.",
        "sf-patterns",
        when=(answer_is("wait", "yes"), answer_is("volume", "bulk")),
    ),
    Alert(
        "warn-sync-without-copy",
        "warn",
        ("pattern",),
        "You want records kept in step but may not copy them, and those two pull against each "
        "other. Data virtualization shows the records live instead of syncing them.",
        "sf-data-integration",
        when=(answer_is("purpose", "data"), answer_is("copy", "no")),
    ),
    Alert(
        "warn-point-to-point-sprawl",
        "warn",
        ("topology",),
        "With this many systems, direct links multiply (see the chart), and each one carries its "
        "own credentials and failure modes. Plan for middleware before the next system joins.",
        "seed-architecture",
        when=(count_between(at_least=4),),
        winners=(Winner("topology", ("point-to-point",)),),
    ),
    Alert(
        "warn-echo-loop",
        "warn",
        ("events",),
        "Changes flowing both ways can echo for ever: one system's update triggers the other's, "
        "which triggers the first again. Tag each change with where it came from and ignore your "
        "own.",
        "sf-eda",
        when=(answer_is("two-way", "yes"), _EVENTS_WANTED),
    ),
    Alert(
        "info-rare-changes",
        "info",
        ("events",),
        "Data that rarely changes seldom needs an event bus; a scheduled sync is simpler to run.",
        "sf-eda",
        when=(answer_is("change-rate", "rarely"), _EVENTS_WANTED),
    ),
    Alert(
        "warn-replay-window",
        "warn",
        ("events",),
        "The event bus keeps change events and high-volume platform events for 72 hours, and "
        "standard-volume platform events for 24. A consumer away for longer loses events unless "
        "middleware queues them or it catches up with a bulk resync.",
        "sf-event-durability",
        when=(answer_is("replay", "longer"),),
    ),
    Alert(
        "warn-browser-refresh-token-forever",
        "bad",
        ("flow",),
        "A refresh token that stays valid until revoked, held in a browser, is a key any script "
        "on the page can steal and use for months. Turn on rotation and a short lifetime, or "
        "keep the tokens on a backend-for-frontend.",
        "oauth-browser-apps",
        when=(
            answer_is("client", "spa"),
            answer_is("offline", "yes"),
            answer_is("refresh-lifetime", "until-revoked"),
        ),
    ),
    Alert(
        "warn-broad-scopes",
        "warn",
        ("flow",),
        "Ask for the fewest scopes that do the job (often just api, plus refresh_token where "
        "access must last). A leaked token with the full scope can do all its user can.",
        "rfc9700-refresh",
        when=(answer_is("scopes", "full"),),
    ),
    Alert(
        "warn-no-oauth-caller",
        "warn",
        ("flow",),
        "A caller that can't use OAuth 2.0 can't call Salesforce's APIs directly. Put middleware "
        "or a small adapter in front of it that gets the token on its behalf.",
        "seed-architecture",
        when=(answer_is("speaks-oauth", "no"), answer_is("initiator", "external", "both")),
    ),
    Alert(
        "info-callout-without-oauth",
        "info",
        ("flow",),
        "The other system can't use OAuth, so a named credential would send a password or an "
        "API key in a header. Prefer a client certificate (mutual TLS) to a shared password.",
        "sf-named-credentials",
        when=(answer_is("speaks-oauth", "no"), answer_is("initiator", "salesforce", "both")),
    ),
    Alert(
        "warn-nobody-owns-retries",
        "warn",
        ("pattern",),
        "Nobody owns retries and failed messages yet, and this pattern hands messages over "
        "without waiting. Name the owner of retries and of the dead-letter queue before launch.",
        "seed-architecture",
        when=(answer_is("retries-owner", "undecided"),),
        winners=(Winner("pattern", ("fire-and-forget", "batch-sync")),),
    ),
    Alert(
        "warn-exactly-once",
        "warn",
        ("events",),
        "No event bus or queue delivers exactly once. What works is at-least-once delivery with "
        "receivers that ignore a message they have already handled (an idempotency key).",
        "sf-event-durability",
        when=(answer_is("delivery", "exactly-once"),),
    ),
    Alert(
        "info-inbound-mutual-tls",
        "info",
        ("transport",),
        "Mutual TLS into Salesforce covers API calls only. Callers connect to port 8443 of your My "
        "Domain, and users given the permission that enforces it must present a certificate "
        "uploaded to Salesforce.",
        "sf-inbound-mtls",
        when=(answer_is("initiator", "external", "both"),),
        winners=(Winner("transport", ("mtls",)),),
    ),
)

CROSS_CHECKS: tuple[Alert, ...] = (
    Alert(
        "check-person-flow-in-batch",
        "bad",
        ("flow", "pattern"),
        "The flow needs a person to sign in, but a batch sync runs by itself on a schedule. Give "
        "the batch job an unattended credential of its own (usually the JWT bearer flow) and keep "
        "the person's flow for the interactive part.",
        "seed-architecture",
        winners=(Winner("flow", PERSON_FLOWS), Winner("pattern", ("batch-sync",))),
    ),
    Alert(
        "check-subscriber-needs-machine-credential",
        "warn",
        ("flow", "events"),
        "An event consumer listens around the clock with nobody signed in, so it needs an "
        "unattended credential of its own (usually the JWT bearer flow) beside the flow people "
        "use.",
        "seed-architecture",
        winners=(Winner("flow", PERSON_FLOWS), Winner("events", EVENT_BUS)),
    ),
    Alert(
        "check-cdc-with-call-in",
        "warn",
        ("pattern", "events"),
        "Change Data Capture only carries changes out of Salesforce, while your main exchange "
        "comes in. It can serve the outbound side; inbound changes arrive through API calls or "
        "platform events.",
        "sf-data-integration",
        when=(answer_not("data-direction", "out-of-salesforce"),),
        winners=(Winner("pattern", ("remote-call-in",)), Winner("events", ("cdc",))),
    ),
    Alert(
        "check-fire-and-forget-without-bus",
        "warn",
        ("pattern", "events"),
        "Fire-and-forget without an event bus means building delivery guarantees yourself: "
        "retries, acknowledgements, a place for failed messages. Platform events with replay give "
        "you part of that for free.",
        "seed-architecture",
        winners=(Winner("pattern", ("fire-and-forget",)), Winner("events", ("none",))),
    ),
    Alert(
        "check-ui-update-without-events",
        "bad",
        ("pattern", "events"),
        "Screens that update themselves listen to streaming events; with no events chosen they "
        "have nothing to listen to.",
        "sf-patterns",
        winners=(Winner("pattern", ("ui-update",)), Winner("events", ("none",))),
    ),
    Alert(
        "check-request-reply-with-events",
        "info",
        ("pattern", "events"),
        "The main exchange is a direct call. Keep events for what happens afterwards, never for "
        "the answer the caller waits for.",
        "sf-eda",
        winners=(Winner("pattern", ("request-reply",)), Winner("events", EVENT_BUS)),
    ),
    Alert(
        "check-virtualized-data-raises-no-events",
        "info",
        ("pattern", "events"),
        "Virtualized records never land in Salesforce, so they raise no change events; only "
        "Salesforce's own records do.",
        "sf-data-integration",
        winners=(Winner("pattern", ("data-virtualization",)), Winner("events", ("cdc", "both"))),
    ),
    Alert(
        "check-batch-beside-events",
        "info",
        ("pattern", "events"),
        "A scheduled batch and an event stream can live side by side, the batch for bulk "
        "catch-up and the events for what can't wait. Make sure they don't both write the same "
        "fields.",
        "sf-eda",
        winners=(Winner("pattern", ("batch-sync",)), Winner("events", EVENT_BUS)),
    ),
    Alert(
        "check-middleware-holds-credentials",
        "info",
        ("flow", "topology"),
        "The middleware becomes Salesforce's OAuth client: it holds the private key or secret, "
        "and the other systems authenticate to the middleware instead of to Salesforce.",
        "seed-architecture",
        winners=(
            Winner("flow", ("jwt-bearer", "client-credentials")),
            Winner("topology", ("middleware",)),
        ),
    ),
    Alert(
        "check-one-certificate-process",
        "info",
        ("flow", "transport"),
        "You will manage certificates for mutual TLS and for the JWT signature. One process "
        "(issue, store, renew before expiry) can serve both.",
        "sf-client-certs",
        winners=(Winner("flow", ("jwt-bearer",)), Winner("transport", ("mtls",))),
    ),
    Alert(
        "check-device-certificates",
        "warn",
        ("flow", "transport"),
        "Mutual TLS with a flow for people's own devices means a client certificate on every "
        "device. Check that you can issue and revoke them at that scale.",
        "sf-inbound-mtls",
        when=(answer_not("person", "no"),),
        winners=(
            Winner("flow", ("web-server-pkce", "user-agent", "device")),
            Winner("transport", ("mtls",)),
        ),
    ),
)

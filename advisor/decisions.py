"""The five decisions the advisor makes, and the options each one weighs."""

from __future__ import annotations

from dataclasses import dataclass

# The playground is a separate app; its URLs are a stable public contract, so a plain path
# keeps the advisor free of any import from it.
PLAYGROUND_FLOW_PATH = "/playground/flows/{slug}/"
REFRESH_TOKEN_SLUG = "refresh-token"


@dataclass(frozen=True)
class LiveLink:
    """Where a recommendation can be tried live, and what the link says."""

    path: str
    label: str


# The topology's live counterpart is the chart of the person's own systems on the result page.
SYSTEMS_CHART = LiveLink("#systems-chart", "See your systems joined both ways")
# The playground's remote call-in flow: a token, then create, read, update, query and delete.
REST_API_FLOW = LiveLink(
    PLAYGROUND_FLOW_PATH.format(slug="remote-call-in"), "Call the REST API live"
)
# The playground's handshake lab performs one-way and mutual TLS side by side.
HANDSHAKE_LAB = LiveLink("/playground/tls/", "Watch both handshakes live")
# The event lab opens on the part of it the recommendation is about (its ?focus=).
EVENT_LAB_PATH = "/playground/events/?focus={focus}"
PLATFORM_EVENTS_LAB = LiveLink(
    EVENT_LAB_PATH.format(focus="platform-events"), "Publish and subscribe live"
)
CHANGE_EVENTS_LAB = LiveLink(EVENT_LAB_PATH.format(focus="cdc"), "Watch change events live")
BOTH_EVENTS_LAB = LiveLink("/playground/events/", "Try both kinds of event live")
FIRE_AND_FORGET_LAB = LiveLink(
    EVENT_LAB_PATH.format(focus="fire-and-forget"), "Fire an event and forget it live"
)


@dataclass(frozen=True)
class Choice:
    id: str
    name: str
    summary: str
    playground: str = ""  # playground flow slug, for the flows that can be run live
    needs_person: bool = False
    refreshable: bool = False  # issues a refresh token when the app asks for one
    lab: LiveLink | None = None  # a live counterpart other than a flow

    @property
    def playground_path(self) -> str:
        return PLAYGROUND_FLOW_PATH.format(slug=self.playground) if self.playground else ""

    @property
    def live(self) -> LiveLink | None:
        if self.playground:
            return LiveLink(self.playground_path, "Run this flow live")
        return self.lab


@dataclass(frozen=True)
class Decision:
    id: str
    number: int
    title: str
    question: str
    choices: tuple[Choice, ...]
    # When scores tie, the option listed first here wins: the safer or simpler one.
    tie_break: tuple[str, ...] = ()

    def choice(self, choice_id: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.id == choice_id), None)


FLOW = Decision(
    "flow",
    1,
    "Authentication flow",
    "How does the caller prove who it is and get an access token?",
    (
        Choice(
            "web-server",
            "Web server flow",
            "The authorization code grant: the person signs in on Salesforce, the browser carries "
            "back a one-time code, and the app's server swaps it for tokens using its secret.",
            playground="web-server",
            needs_person=True,
            refreshable=True,
        ),
        Choice(
            "web-server-pkce",
            "Web server flow with PKCE",
            "The same code flow, plus a one-time proof (PKCE) that ties the code to the app that "
            "asked for it. Works with or without a client secret.",
            playground="web-server-pkce",
            needs_person=True,
            refreshable=True,
        ),
        Choice(
            "user-agent",
            "User-agent flow",
            "The implicit grant: the access token comes straight back in the browser's address "
            "bar. Kept for old mobile and browser apps.",
            playground="user-agent",
            needs_person=True,
            refreshable=True,
        ),
        Choice(
            "jwt-bearer",
            "JWT bearer flow",
            "The client signs a short-lived JWT with its private key and trades it for an access "
            "token. No browser, no password, no refresh token.",
            playground="jwt-bearer",
        ),
        Choice(
            "client-credentials",
            "Client credentials flow",
            "The app trades its own client id and secret for a token and acts as one "
            "pre-assigned integration user.",
            playground="client-credentials",
        ),
        Choice(
            "device",
            "Device flow",
            "A screen-poor device shows a short code; the person approves it on a phone or "
            "laptop while the device polls for its token.",
            playground="device",
            needs_person=True,
            refreshable=True,
        ),
        Choice(
            "username-password",
            "Username-password flow",
            "The app sends a real user's username and password to the token endpoint. Kept for "
            "special cases and being retired.",
            playground="username-password",
        ),
        Choice(
            "saml-bearer",
            "SAML bearer assertion flow",
            "The app trades a signed SAML assertion from the company's identity provider for a "
            "Salesforce access token.",
            playground="saml-bearer",
            needs_person=True,
        ),
        Choice(
            "asset-token",
            "Asset token flow",
            "A registered connected device gets a token of its own, bound to its asset record.",
            playground="asset-token",
        ),
    ),
    tie_break=(
        "web-server-pkce",
        "jwt-bearer",
        "client-credentials",
        "web-server",
        "device",
        "saml-bearer",
        "asset-token",
        "user-agent",
        "username-password",
    ),
)

PATTERN = Decision(
    "pattern",
    2,
    "Integration pattern",
    "Who calls whom, and does anyone wait for the answer?",
    (
        Choice(
            "request-reply",
            "Request and reply",
            "Salesforce calls the other system and waits for its answer before going on.",
        ),
        Choice(
            "fire-and-forget",
            "Fire and forget",
            "Salesforce hands a message over, gets only an acknowledgement, and carries on; the "
            "receiver works at its own pace.",
            lab=FIRE_AND_FORGET_LAB,
        ),
        Choice(
            "batch-sync",
            "Batch data synchronization",
            "Data moves in bulk on a schedule, usually through an ETL tool and the Bulk API.",
            lab=REST_API_FLOW,
        ),
        Choice(
            "remote-call-in",
            "Remote call-in",
            "The other system calls Salesforce's APIs to read, create or update records, or to "
            "publish events.",
            lab=REST_API_FLOW,
        ),
        Choice(
            "ui-update",
            "UI update based on data changes",
            "Open Salesforce pages listen for events and refresh themselves when data changes.",
        ),
        Choice(
            "data-virtualization",
            "Data virtualization",
            "Salesforce shows another system's records live, as external objects, without "
            "copying them.",
        ),
    ),
)

TOPOLOGY = Decision(
    "topology",
    3,
    "Topology",
    "Direct links between systems, or a middleware layer in the middle?",
    (
        Choice(
            "point-to-point",
            "Point-to-point",
            "Each pair of systems that must talk gets its own direct connection.",
            lab=SYSTEMS_CHART,
        ),
        Choice(
            "middleware",
            "Middleware (ESB)",
            "Every system connects once to a central layer that routes, transforms, retries and "
            "monitors messages.",
            lab=SYSTEMS_CHART,
        ),
    ),
)

EVENTS = Decision(
    "events",
    4,
    "Event mechanism",
    "Should changes travel as events, and which kind?",
    (
        Choice(
            "platform-events",
            "Platform Events",
            "Events you design yourself and publish on purpose, from Salesforce or from outside.",
            lab=PLATFORM_EVENTS_LAB,
        ),
        Choice(
            "cdc",
            "Change Data Capture",
            "Salesforce publishes a change event by itself whenever a tracked record changes; "
            "outbound only.",
            lab=CHANGE_EVENTS_LAB,
        ),
        Choice(
            "both",
            "Both",
            "Change Data Capture for record replication, Platform Events for business moments.",
            lab=BOTH_EVENTS_LAB,
        ),
        Choice(
            "none",
            "No events",
            "No event bus: systems call each other or move data in batches.",
        ),
    ),
    tie_break=("none", "cdc", "platform-events", "both"),
)

TRANSPORT = Decision(
    "transport",
    5,
    "Transport security",
    "Is one-way TLS enough, or must the client prove itself with a certificate too?",
    (
        Choice(
            "tls",
            "One-way TLS",
            "HTTPS as usual: the server proves who it is, the client proves itself with its "
            "OAuth token.",
            lab=HANDSHAKE_LAB,
        ),
        Choice(
            "mtls",
            "Mutual TLS",
            "Both sides present certificates during the handshake, before any request is read.",
            lab=HANDSHAKE_LAB,
        ),
    ),
)

DECISIONS: tuple[Decision, ...] = (FLOW, PATTERN, TOPOLOGY, EVENTS, TRANSPORT)

# Groups of flow and event options that rules, alerts and diagrams treat alike.
PERSON_FLOWS = ("web-server", "web-server-pkce", "user-agent", "device", "saml-bearer")
SIGN_IN_FLOWS = ("web-server", "web-server-pkce", "user-agent")
EVENT_BUS = ("platform-events", "cdc", "both")

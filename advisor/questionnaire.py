"""The advisor's questionnaire as data: topics, questions and their options."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["choice", "number", "names"]


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    said: str  # completes "because you said …"


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    prompt: str
    why: str
    kind: Kind = "choice"
    options: tuple[Option, ...] = ()
    said: str = ""  # for numbers: "{n:,} systems take part"
    minimum: int = 0
    maximum: int = 0
    probes: tuple[int, ...] = ()  # values tried when asking "what if you had answered …"
    unit: str = ""  # for numbers, what a probe counts: "8 systems"
    help: str = ""

    def option(self, option_id: str) -> Option | None:
        return next((option for option in self.options if option.id == option_id), None)


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    intro: str


TOPICS: tuple[Topic, ...] = (
    Topic(
        "people",
        "Callers and credentials",
        "These answers pick the OAuth flow: who is present, what the app can keep secret, "
        "and which identity infrastructure already exists.",
    ),
    Topic(
        "data",
        "Data and timing",
        "These answers pick the integration pattern: what moves, how much, how fast, "
        "and whether anyone waits.",
    ),
    Topic(
        "landscape",
        "Systems in the landscape",
        "These answers decide between direct links and a middleware layer, and name the boxes "
        "in your diagram.",
    ),
    Topic(
        "events",
        "Events",
        "These answers decide whether an event bus fits, and which kind of Salesforce event.",
    ),
    Topic(
        "security",
        "Transport security",
        "These answers decide whether ordinary TLS is enough or both sides must present "
        "certificates.",
    ),
    Topic(
        "review",
        "Delivery, limits and reach",
        "A design review asks these before it signs off: what may be lost, who retries, how "
        "fast an answer must come, how many calls the org allows, and whether the systems can "
        "reach each other at all.",
    ),
)


def _yes_no(yes_said: str, no_said: str, *, yes: str = "Yes", no: str = "No") -> tuple[Option, ...]:
    return (Option("yes", yes, yes_said), Option("no", no, no_said))


COUNT_QUESTION = "system-count"
NAMES_QUESTION = "system-names"

QUESTIONS: tuple[Question, ...] = (
    # People and clients
    Question(
        "initiator",
        "people",
        "Which side makes the call?",
        "It decides whether Salesforce offers an API or calls one, and which side must hold "
        "the credentials. Where the data goes is asked separately: an event subscriber makes "
        "the call even though the data leaves Salesforce.",
        options=(
            Option(
                "external", "Another system calls Salesforce", "another system calls Salesforce"
            ),
            Option(
                "salesforce", "Salesforce calls another system", "Salesforce calls the other system"
            ),
            Option("both", "Both, in different situations", "both sides make calls"),
        ),
    ),
    Question(
        "person",
        "people",
        "Is a person using the app while it talks to Salesforce?",
        "Flows that ask someone to sign in can't run at 2 a.m. with nobody there; flows that "
        "don't ask lose that person's own permissions.",
        options=_yes_no(
            "a person is present",
            "no person is present",
            yes="Yes, someone is signed in and waiting",
            no="No, it runs unattended",
        ),
    ),
    Question(
        "client",
        "people",
        "Where does the app that calls Salesforce run?",
        "Where the code runs decides whether it can hide a secret and whether it can show a "
        "sign-in page.",
        options=(
            Option("server-web", "A web app with its own server", "it is a web app with a server"),
            Option("spa", "Only in the browser (single-page app)", "it runs only in the browser"),
            Option(
                "mobile",
                "A mobile or desktop app on people's devices",
                "it is installed on people's devices",
            ),
            Option(
                "limited-input",
                "A device with no browser or keyboard (TV, kiosk, appliance)",
                "the device has no browser or keyboard",
            ),
            Option("cli", "A command-line tool", "it is a command-line tool"),
            Option("backend", "A back-end service or scheduled job", "it is a back-end service"),
        ),
    ),
    Question(
        "secret",
        "people",
        "Can the app keep a secret that its users can never read?",
        "A client secret or private key proves identity only if nobody can copy it out of the app.",
        options=_yes_no(
            "the app can keep a secret",
            "the app can't keep a secret",
            yes="Yes, it runs on servers we control",
            no="No, its code ships to browsers or devices",
        ),
    ),
    Question(
        "certificates",
        "people",
        "Can your team issue, store and renew certificates and private keys?",
        "The JWT bearer flow and mutual TLS both rest on a key pair: someone has to guard the key "
        "and renew the certificate before it expires.",
        options=_yes_no("the team can manage certificates", "the team can't manage certificates"),
    ),
    Question(
        "run-as",
        "people",
        "Whose permissions should unattended calls carry?",
        "Some flows always act as one fixed user; others name the user on each call, which keeps "
        "record access and the audit trail per person.",
        options=(
            Option(
                "one-user", "One integration user for everything", "one integration user will do"
            ),
            Option(
                "per-user",
                "A specific person's, call by call",
                "each call must act for a specific person",
            ),
        ),
    ),
    Question(
        "offline",
        "people",
        "Must the app keep access for days without asking the person to sign in again?",
        "Lasting access needs a refresh token, and only some flows hand one out.",
        options=_yes_no(
            "the app must keep access without asking again", "the person can sign in each time"
        ),
    ),
    Question(
        "refresh-lifetime",
        "people",
        "If the app holds a refresh token, how long may it stay valid?",
        "A refresh token is a long-lived key: a stolen one works until it expires or is "
        "revoked, unless each use replaces it with a new one.",
        options=(
            Option(
                "until-revoked",
                "Until someone revokes it",
                "refresh tokens stay valid until revoked",
            ),
            Option(
                "limited",
                "It expires after a set time or when left unused",
                "refresh tokens expire after a set time",
            ),
            Option(
                "rotating",
                "It rotates: each use returns a new one and retires the old",
                "refresh tokens rotate on every use",
            ),
        ),
    ),
    Question(
        "scopes",
        "people",
        "Will the connected app ask only for the scopes it needs?",
        "Least privilege: a token carries every scope it was granted, so a leaked token with "
        "the full scope can do everything the user can.",
        options=(
            Option(
                "narrow",
                "Only what it needs (such as api, and refresh_token if it must keep access)",
                "the app asks only for the scopes it needs",
            ),
            Option(
                "full",
                "Broad access (full, or every scope offered)",
                "the app asks for broad scopes",
            ),
        ),
    ),
    Question(
        "saml",
        "people",
        "Do people sign in through a SAML identity provider, and does your app receive the "
        "assertion?",
        "An assertion the app already holds can be traded for a Salesforce token, so nobody signs "
        "in twice.",
        options=_yes_no(
            "the app already receives SAML assertions", "there is no SAML assertion to reuse"
        ),
    ),
    Question(
        "devices",
        "people",
        "Are the callers connected devices that you register as assets in Salesforce?",
        "Asset tokens give each physical device its own identity, tied to the customer's asset "
        "record.",
        options=_yes_no("the callers are registered devices", "the callers aren't devices"),
    ),
    Question(
        "password-only",
        "people",
        "Is a username and password the only credential the caller can handle?",
        "Some legacy tools can neither follow a redirect nor sign a JWT, which leaves only the "
        "flow you should avoid.",
        options=_yes_no(
            "the caller can only handle a username and password",
            "the caller can use more than a password",
        ),
    ),
    Question(
        "environment",
        "people",
        "Is this for production, or a throwaway prototype?",
        "Shortcuts you can live with in a sandbox demo become liabilities once real data flows.",
        options=(
            Option("production", "Production", "this is for production"),
            Option("prototype", "A throwaway prototype", "this is a throwaway prototype"),
        ),
    ),
    # Data and timing
    Question(
        "data-direction",
        "data",
        "Which way does the data go?",
        "Who makes the call and where the data ends up are separate facts: a report job calls "
        "Salesforce to pull data out, an ERP calls it to push orders in.",
        options=(
            Option("into-salesforce", "Into Salesforce", "the data goes into Salesforce"),
            Option("out-of-salesforce", "Out of Salesforce", "the data leaves Salesforce"),
            Option("both-ways", "Both ways", "data goes both ways"),
        ),
    ),
    Question(
        "purpose",
        "data",
        "What is the exchange mostly about?",
        "Salesforce's pattern guide sorts integrations first by whether they move a process, move "
        "data, or only show data.",
        options=(
            Option(
                "process",
                "Starting or finishing a step of a business process",
                "it drives a business process",
            ),
            Option("data", "Keeping records in step between systems", "it keeps records in step"),
            Option(
                "read",
                "Showing another system's data without keeping a copy",
                "people need to see data held elsewhere",
            ),
        ),
    ),
    Question(
        "wait",
        "data",
        "Does the caller have to wait for the answer before it can carry on?",
        "Waiting needs a synchronous call with a time limit; not waiting lets work queue up and "
        "retry.",
        options=_yes_no("the caller waits for the answer", "the caller doesn't wait"),
    ),
    Question(
        "volume",
        "data",
        "How many records move at a time?",
        "Past about 2,000 records Salesforce points to the Bulk API; record-by-record calls run "
        "into limits.",
        options=(
            Option("few", "One or a handful", "only a handful of records move at a time"),
            Option("hundreds", "Up to a couple of thousand", "up to a couple of thousand move"),
            Option("bulk", "More than 2,000, often far more", "thousands of records move at once"),
        ),
    ),
    Question(
        "timing",
        "data",
        "When does data have to arrive?",
        "Freshness decides between pushing each change, pulling on request and moving data in "
        "scheduled runs.",
        options=(
            Option("realtime", "Within seconds of the change", "data must arrive within seconds"),
            Option("scheduled", "On a schedule, such as nightly", "data moves on a schedule"),
            Option("on-demand", "Only when someone asks for it", "data is needed only on request"),
        ),
    ),
    Question(
        "long-running",
        "data",
        "Can the other side take longer than 120 seconds to finish?",
        "A Salesforce callout gives up after 120 seconds, so long work can't be awaited in one "
        "call.",
        options=_yes_no("the work can take over 120 seconds", "the work finishes quickly"),
    ),
    Question(
        "copy",
        "data",
        "May the data be copied into Salesforce?",
        "If size, residency or freshness forbid a copy, the data has to be read where it lives.",
        options=_yes_no(
            "the data may be copied",
            "the data must stay where it is",
            no="No, it must stay where it is",
        ),
    ),
    Question(
        "live-screen",
        "data",
        "Must people see changes appear on screen without reloading?",
        "Pushing changes to an open page needs streaming events and a component that listens.",
        options=_yes_no("screens must update by themselves", "reloading the page is fine"),
    ),
    Question(
        "change-rate",
        "data",
        "How often does the source data change?",
        "Event-driven designs pay off when things change often; rare changes are cheaper to pick "
        "up on a schedule.",
        options=(
            Option("often", "Often, all day long", "the data changes often"),
            Option("rarely", "Rarely", "the data changes rarely"),
        ),
    ),
    Question(
        "two-way",
        "data",
        "Can the same records be changed on both sides?",
        "Two-way changes need rules for conflicts and a guard against updates echoing back and "
        "forth.",
        options=_yes_no("records change on both sides", "records change on one side only"),
    ),
    # Landscape
    Question(
        COUNT_QUESTION,
        "landscape",
        "How many systems take part, counting Salesforce?",
        "Joining every system directly to every other takes n·(n−1)/2 links; a bus takes one per "
        "system.",
        kind="number",
        said="{n:,} systems take part",
        minimum=2,
        maximum=50,
        probes=(2, 4, 8),
        unit="systems",
    ),
    Question(
        NAMES_QUESTION,
        "landscape",
        "What are the other systems called?",
        "Your own names label the diagram and the decision record.",
        kind="names",
        help="Separate names with commas, for example: SAP ERP, Billing, Data lake.",
    ),
    Question(
        "transform",
        "landscape",
        "Do messages need reshaping between systems (formats, field mappings, protocols)?",
        "Reshaping done once in a central layer beats the same mapping coded into every pair of "
        "systems.",
        options=_yes_no("messages need reshaping", "messages pass through as they are"),
    ),
    Question(
        "orchestration",
        "landscape",
        "Does one business process run across several systems in a set order, or need all of them "
        "to succeed together?",
        "Salesforce can't join a transaction that spans other systems, and its time limits make "
        "long sequences brittle.",
        options=_yes_no("one process spans several systems", "no process spans several systems"),
    ),
    Question(
        "monitoring",
        "landscape",
        "Do you need one place to monitor, retry and audit every integration?",
        "Central visibility is one of the main things a middleware layer buys.",
        options=_yes_no("central monitoring is needed", "per-link monitoring will do"),
    ),
    Question(
        "existing-middleware",
        "landscape",
        "Is a middleware or ESB platform (MuleSoft, Boomi, …) already in the landscape?",
        "Reusing a platform you already run costs far less than introducing one.",
        options=_yes_no("a middleware platform is already in place", "there is no middleware yet"),
    ),
    Question(
        "growth",
        "landscape",
        "Will more systems join over the next year or two?",
        "Each newcomer adds one link to a bus, but a link to every existing system without one.",
        options=_yes_no("more systems will join", "the landscape will stay as it is"),
    ),
    # Events
    Question(
        "reacts-to",
        "events",
        "What should other systems react to?",
        "Record changes and business events are different jobs, served by different Salesforce "
        "features.",
        options=(
            Option(
                "record-changes",
                "Records being created, changed or deleted",
                "others react to record changes",
            ),
            Option(
                "business-events",
                "Business moments with their own payload (order placed, payment received)",
                "others react to business events",
            ),
            Option("both", "Both", "others react to record changes and business events"),
            Option(
                "nothing",
                "Nothing: they ask when they need something",
                "nothing needs to react to changes",
            ),
        ),
    ),
    Question(
        "external-publishers",
        "events",
        "Do systems outside Salesforce need to publish events into it?",
        "Only one of the two Salesforce event types accepts events from outside.",
        options=_yes_no("outside systems publish events", "only Salesforce publishes"),
    ),
    Question(
        "subscribers",
        "events",
        "How many systems consume the same change?",
        "An event bus lets any number of consumers listen without the sender knowing them.",
        options=(
            Option("one", "One", "one system consumes each change"),
            Option("many", "Several, and the list may grow", "several systems consume each change"),
        ),
    ),
    Question(
        "replay",
        "events",
        "If a consumer is offline, how far back must it catch up?",
        "The Salesforce event bus keeps change events and high-volume platform events for 72 "
        "hours, standard-volume platform events for 24; longer gaps need another store.",
        options=(
            Option("none", "It doesn't need to", "consumers needn't catch up"),
            Option("days", "Up to three days", "consumers must catch up within three days"),
            Option("longer", "More than three days", "consumers must catch up after days away"),
        ),
    ),
    # Transport security
    Question(
        "partner-certs",
        "security",
        "Does a regulator or the other party require client certificates?",
        "If certificates are mandated, ordinary TLS fails the requirement however good the tokens "
        "are.",
        options=_yes_no("client certificates are required", "nobody requires client certificates"),
    ),
    Question(
        "sensitivity",
        "security",
        "How sensitive is the data?",
        "Very sensitive data justifies a second lock at the network layer beside the OAuth token.",
        options=(
            Option("normal", "Ordinary business data", "the data is ordinary business data"),
            Option(
                "high",
                "High: financial, health or personal data at scale",
                "the data is highly sensitive",
            ),
        ),
    ),
    # Delivery, limits and reach
    Question(
        "delivery",
        "review",
        "May a message ever be lost, or arrive twice?",
        "Every guarantee costs something: nothing lost needs stored messages and retries, "
        "nothing doubled needs receivers that recognise a repeat.",
        options=(
            Option(
                "loss-ok",
                "An occasional lost message is acceptable",
                "an occasional lost message is acceptable",
            ),
            Option(
                "no-loss",
                "Nothing may be lost; receivers cope with repeats",
                "nothing may be lost and receivers cope with repeats",
            ),
            Option(
                "exactly-once",
                "Nothing lost and nothing twice",
                "every message must arrive exactly once",
            ),
        ),
    ),
    Question(
        "ordering",
        "review",
        "Must messages arrive in the order they were sent?",
        "Order is easy on one channel with one publisher and hard everywhere else.",
        options=_yes_no("messages must arrive in order", "order doesn't matter"),
    ),
    Question(
        "retries-owner",
        "review",
        "Who retries failed messages and keeps the ones that never get through (a dead-letter "
        "queue)?",
        "Every asynchronous design fails now and then; if nobody owns retries and dead letters, "
        "failures vanish without a trace.",
        options=(
            Option("sender", "The sending system", "the sender owns retries"),
            Option(
                "receiver",
                "The receiving system (it replays what it missed)",
                "the receiver catches up on what it missed",
            ),
            Option("middleware", "The middleware", "the middleware owns retries"),
            Option("undecided", "Nobody yet", "nobody owns retries yet"),
        ),
    ),
    Question(
        "latency",
        "review",
        "How quickly must one exchange complete?",
        "Salesforce advises keeping synchronous callouts to a few seconds and gives up after "
        "120; a tight target rules out anything that queues.",
        options=(
            Option("under-5s", "Within 5 seconds", "an exchange must complete within 5 seconds"),
            Option("minutes", "Within a few minutes", "an exchange may take a few minutes"),
            Option("hours", "Hours are fine", "an exchange may take hours"),
        ),
    ),
    Question(
        "api-calls",
        "review",
        "About how many API calls into Salesforce a day?",
        "Calls into Salesforce count against the org's daily API allocation; past it, calls are "
        "refused until the window moves on.",
        kind="number",
        said="{n:,} API calls come in a day",
        maximum=100_000_000,
        unit="API calls a day",
    ),
    Question(
        "api-allocation",
        "review",
        "What is the org's daily API request allocation?",
        "The expected calls are counted against it, and the share used is shown.",
        kind="number",
        said="the org allows {n:,} API calls a day",
        minimum=1,
        maximum=1_000_000_000,
        unit="API calls a day",
        help="Setup's Company Information page shows it, and so does the REST API's limits "
        "resource (DailyApiRequests).",
    ),
    Question(
        "event-deliveries",
        "review",
        "About how many event deliveries a day (each event counted once per subscriber)?",
        "Platform events and change events delivered to outside subscribers count against a "
        "separate daily delivery allocation.",
        kind="number",
        said="{n:,} event deliveries a day",
        maximum=100_000_000,
        unit="event deliveries a day",
    ),
    Question(
        "event-allocation",
        "review",
        "What is the org's daily event delivery allocation?",
        "The expected deliveries are counted against it, and the share used is shown.",
        kind="number",
        said="the org allows {n:,} event deliveries a day",
        minimum=1,
        maximum=1_000_000_000,
        unit="event deliveries a day",
        help="The REST API's limits resource reports it (DailyDeliveredPlatformEvents); an "
        "add-on licence raises it.",
    ),
    Question(
        "network",
        "review",
        "How can Salesforce reach the other system?",
        "A callout works only if Salesforce can reach the endpoint. A system behind a firewall "
        "must call out to Salesforce instead, or go through a gateway.",
        options=(
            Option(
                "public",
                "Over the internet, to any caller with credentials",
                "the other system is reachable over the internet",
            ),
            Option(
                "firewall",
                "It sits on premises behind a firewall that lets nothing in",
                "the other system sits behind a firewall",
            ),
            Option(
                "allow-list",
                "Only from allow-listed IP addresses",
                "the other system accepts only allow-listed addresses",
            ),
            Option(
                "private",
                "Only over private connectivity (such as AWS PrivateLink)",
                "the other system is reachable only over private connectivity",
            ),
        ),
    ),
    Question(
        "speaks-rest",
        "review",
        "Can the other system use REST APIs over HTTPS?",
        "Some systems only exchange files, speak SOAP or a protocol of their own; someone then "
        "has to translate.",
        options=_yes_no(
            "the other system can use REST",
            "the other system can't use REST",
            no="No: files, SOAP only, or its own protocol",
        ),
    ),
    Question(
        "speaks-oauth",
        "review",
        "Can the other system use OAuth 2.0?",
        "Every flow here is OAuth 2.0; a system that can't obtain or send a token needs "
        "something that does it on its behalf.",
        options=_yes_no("the other system can use OAuth 2.0", "the other system can't use OAuth"),
    ),
)

QUESTION_BY_ID: dict[str, Question] = {question.id: question for question in QUESTIONS}


def questions_in(topic_id: str) -> tuple[Question, ...]:
    return tuple(question for question in QUESTIONS if question.topic == topic_id)

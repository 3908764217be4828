"""Grade every option of the five decisions from a set of answers: rules as data, one function."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from advisor.decisions import (
    DECISIONS,
    PLAYGROUND_FLOW_PATH,
    REFRESH_TOKEN_SLUG,
    Choice,
    Decision,
)
from advisor.questions import COUNT_QUESTION, QUESTIONS, Answers, Question
from advisor.sources import SOURCE_BY_ID, Source

Grade = Literal["best", "good", "possible", "avoid"]
Severity = Literal["bad", "warn", "info"]

# ---------------------------------------------------------------------------------------------
# The vocabulary of rules


@dataclass(frozen=True)
class When:
    """One condition on one answer: a choice among `options`, or a number within bounds."""

    question: str
    options: tuple[str, ...] = ()
    at_least: int | None = None
    at_most: int | None = None

    def holds(self, answers: Answers) -> bool:
        value = answers.value(self.question)
        if value is None:
            return False
        if isinstance(value, int):
            return (self.at_least is None or value >= self.at_least) and (
                self.at_most is None or value <= self.at_most
            )
        return value in self.options


@dataclass(frozen=True)
class Effect:
    """What a rule does to one option: a reason for (weight > 0), against (< 0) or a note."""

    option: str
    weight: int
    text: str
    veto: bool = False


@dataclass(frozen=True)
class Rule:
    id: str
    decision: str
    when: tuple[When, ...]
    effects: tuple[Effect, ...]
    source: str

    def holds(self, answers: Answers) -> bool:
        return all(condition.holds(answers) for condition in self.when)


@dataclass(frozen=True)
class Winner:
    decision: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class Alert:
    """A warning or cross-check, raised by answers and/or by what won other decisions."""

    id: str
    severity: Severity
    decisions: tuple[str, ...]
    text: str
    source: str
    when: tuple[When, ...] = ()
    winners: tuple[Winner, ...] = ()


def _is(question: str, *options: str) -> When:
    return When(question, options=options)


def _count(*, at_least: int | None = None, at_most: int | None = None) -> When:
    return When(COUNT_QUESTION, at_least=at_least, at_most=at_most)


def _pro(option: str, weight: int, text: str) -> Effect:
    return Effect(option, abs(weight), text)


def _con(option: str, weight: int, text: str) -> Effect:
    return Effect(option, -abs(weight), text)


def _note(option: str, text: str) -> Effect:
    return Effect(option, 0, text)


def _veto(option: str, text: str) -> Effect:
    return Effect(option, -3, text, veto=True)


def _each(options: Iterable[str], weight: int, text: str) -> tuple[Effect, ...]:
    return tuple(Effect(option, weight, text) for option in options)


def _rule(
    rule_id: str, decision: str, when: tuple[When, ...], source: str, *effects: Effect
) -> Rule:
    return Rule(rule_id, decision, when, effects, source)


PERSON_FLOWS = ("web-server", "web-server-pkce", "user-agent", "device", "saml-bearer")
EVENT_BUS = ("platform-events", "cdc", "both")
SIGN_IN_FLOWS = ("web-server", "web-server-pkce", "user-agent")

# ---------------------------------------------------------------------------------------------
# 1. Authentication flow

_FLOW_RULES: tuple[Rule, ...] = (
    _rule(
        "flow-general",
        "flow",
        (),
        "seed-architecture",
        _note(
            "web-server",
            "Sound for web apps with a server that keeps the secret; adding PKCE costs little.",
        ),
        _pro(
            "web-server-pkce",
            1,
            "The all-round choice whenever a person signs in: tokens never pass through the "
            "browser, and an intercepted code is useless.",
        ),
        _pro(
            "jwt-bearer",
            1,
            "The usual choice between servers: trust rests on a certificate, not a stored "
            "password.",
        ),
        _note(
            "client-credentials",
            "Plain machine-to-machine access with a client secret, acting as one integration user.",
        ),
        _note("device", "Fits screens without a keyboard or browser; rarely needed elsewhere."),
        _con(
            "saml-bearer",
            1,
            "Only useful where a SAML identity provider already issues assertions.",
        ),
        _con("asset-token", 2, "Only useful for connected devices registered as assets."),
    ),
    _rule(
        "flow-implicit-discouraged",
        "flow",
        (),
        "rfc9700-implicit",
        _con(
            "user-agent",
            2,
            "Returns the access token in the URL, where browser history and referrer headers can "
            "leak it.",
        ),
    ),
    _rule(
        "flow-password-discouraged",
        "flow",
        (),
        "rfc9700-password",
        _con(
            "username-password",
            2,
            "Hands a real user's password to the app: no multi-factor sign-in, and the flow is "
            "being retired.",
        ),
    ),
    _rule(
        "flow-unattended-needs-no-person",
        "flow",
        (_is("person", "no"),),
        "seed-architecture",
        _pro(
            "jwt-bearer",
            3,
            "Made for calls with nobody present: the client signs its own proof of identity.",
        ),
        _pro("client-credentials", 3, "Lets the app act as itself with no sign-in at all."),
        _con("saml-bearer", 2, "Assertions normally come from a person's single sign-on session."),
    ),
    _rule(
        "flow-unattended-excludes-sign-in",
        "flow",
        (_is("person", "no"),),
        "seed-architecture",
        *(
            _veto(option, "Needs a person to sign in and approve access in a browser.")
            for option in SIGN_IN_FLOWS
        ),
        _veto("device", "Needs a person to enter the code on a second device."),
    ),
    _rule(
        "flow-person-present",
        "flow",
        (_is("person", "yes"),),
        "auth0-which-flow",
        *_each(
            ("web-server", "web-server-pkce"),
            2,
            "The person signs in on Salesforce's own page; the app never sees their password.",
        ),
        _pro("device", 1, "The person approves on a phone or laptop of their choosing."),
        _pro("user-agent", 1, "Signs the person in without a server of your own."),
        _pro("saml-bearer", 1, "The assertion speaks for the person who signed in."),
        _con(
            "jwt-bearer",
            2,
            "Leaves the person out: calls run as a pre-approved user, with no consent on the spot.",
        ),
        _con(
            "client-credentials",
            3,
            "Every call acts as one integration user, so the person's own permissions and audit "
            "trail are lost.",
        ),
        _con(
            "username-password",
            2,
            "The person would type their Salesforce password into your app, which then keeps it.",
        ),
    ),
    _rule(
        "flow-server-web-app",
        "flow",
        (_is("client", "server-web"),),
        "seed-flows",
        _pro(
            "web-server",
            2,
            "Your server keeps the client secret and swaps the code for tokens away from the "
            "browser.",
        ),
        _pro(
            "web-server-pkce",
            3,
            "Your server does the exchange, and PKCE makes an intercepted code worthless; "
            "Salesforce recommends adding it.",
        ),
        _con("user-agent", 2, "Your app has a server, so there's no reason to expose tokens."),
        _con("device", 2, "A web app can simply redirect the person to the sign-in page."),
    ),
    _rule(
        "flow-browser-app",
        "flow",
        (_is("client", "spa"),),
        "auth0-which-flow",
        _pro(
            "web-server-pkce",
            3,
            "Built for browser apps: PKCE stands in for the secret a browser can't keep.",
        ),
        _con("web-server", 3, "Relies on a client secret, which anyone can read in a browser app."),
        _pro("user-agent", 1, "Was designed for browser apps, before PKCE existed."),
        _con("device", 2, "The browser can show the sign-in page itself."),
        _con("jwt-bearer", 3, "The signing key would ship to every visitor's browser."),
        _con("client-credentials", 3, "The client secret would ship to every visitor's browser."),
    ),
    _rule(
        "flow-installed-app",
        "flow",
        (_is("client", "mobile"),),
        "auth0-which-flow",
        _pro(
            "web-server-pkce",
            3,
            "The standard for installed apps: the system browser signs the person in and PKCE "
            "guards the code on its way back.",
        ),
        _con("web-server", 3, "Needs a client secret, and any secret in an installed app leaks."),
        _pro("user-agent", 1, "Older Salesforce mobile SDKs used it."),
        _con("jwt-bearer", 3, "The signing key would be copied onto every device."),
        _con("client-credentials", 3, "The client secret would be copied onto every device."),
    ),
    _rule(
        "flow-input-constrained",
        "flow",
        (_is("client", "limited-input"),),
        "sf-oauth-flows",
        _pro(
            "device",
            4,
            "Made for this: the device shows a short code and the person approves it on their "
            "phone.",
        ),
        *_each(
            SIGN_IN_FLOWS, -3, "Needs a browser on the device to show Salesforce's sign-in page."
        ),
        _pro("asset-token", 1, "A registered device can get a token without anyone approving it."),
    ),
    _rule(
        "flow-command-line",
        "flow",
        (_is("client", "cli"),),
        "seed-architecture",
        _pro(
            "device",
            5,
            "A terminal prints a code and a link; the person signs in wherever they like, even "
            "over SSH on a machine with no browser.",
        ),
        _pro(
            "web-server-pkce",
            1,
            "On a desktop the tool can open the browser and catch the redirect on a local port.",
        ),
        _con("web-server", 2, "A tool on people's machines can't keep a client secret."),
        _con("user-agent", 2, "Catching a token from a URL in a terminal is awkward and leaky."),
    ),
    _rule(
        "flow-back-end-service",
        "flow",
        (_is("client", "backend"),),
        "seed-architecture",
        _pro("jwt-bearer", 2, "A service on your own servers can guard a private key."),
        _pro("client-credentials", 2, "A service on your own servers can guard a client secret."),
        *_each(
            ("web-server", "web-server-pkce", "device"),
            -2,
            "A back-end job has no screen on which to sign anyone in.",
        ),
        _con("user-agent", 3, "A back-end job has no browser to receive the token."),
    ),
    _rule(
        "flow-confidential-client",
        "flow",
        (_is("secret", "yes"),),
        "seed-flows",
        _pro("web-server", 1, "Your app can hold the client secret the code exchange asks for."),
        _pro("client-credentials", 1, "The client secret stays safe on your servers."),
    ),
    _rule(
        "flow-public-client",
        "flow",
        (_is("secret", "no"),),
        "seed-flows",
        _veto("web-server", "The code exchange needs a client secret that your app can't keep."),
        _veto(
            "client-credentials",
            "The client secret is its only proof of identity, and your app can't keep one.",
        ),
        _con("jwt-bearer", 3, "Users could read the private key that signs the JWT."),
        _pro(
            "web-server-pkce",
            2,
            "PKCE replaces the missing secret with a fresh one-time proof on every sign-in.",
        ),
        _pro("device", 1, "Needs no client secret."),
    ),
    _rule(
        "flow-certificates-managed",
        "flow",
        (_is("certificates", "yes"),),
        "seed-flows",
        _pro(
            "jwt-bearer", 2, "You can look after the key pair and certificate this flow rests on."
        ),
        _pro("saml-bearer", 1, "You can manage the certificate that signs the assertions."),
        _pro("asset-token", 1, "You can manage the keys that sign device tokens."),
    ),
    _rule(
        "flow-no-certificates",
        "flow",
        (_is("certificates", "no"),),
        "seed-flows",
        _con(
            "jwt-bearer",
            3,
            "Can't work without a private key and its certificate uploaded to Salesforce.",
        ),
        _con("asset-token", 2, "Asset tokens are signed JWTs too, so you would need keys."),
        _con(
            "saml-bearer", 1, "The assertion must be signed with a certificate Salesforce trusts."
        ),
        _pro("client-credentials", 1, "Needs only a client secret, no certificate."),
    ),
    _rule(
        "flow-acts-per-user",
        "flow",
        (_is("run-as", "per-user"),),
        "sf-client-credentials",
        _pro(
            "jwt-bearer",
            2,
            "The JWT names the user each call acts for, so every call keeps that person's access.",
        ),
        _con("client-credentials", 3, "Every call acts as the single run-as user set on the app."),
    ),
    _rule(
        "flow-acts-as-one-user",
        "flow",
        (_is("run-as", "one-user"),),
        "sf-client-credentials",
        _pro("client-credentials", 1, "One run-as user is exactly what this flow gives you."),
        _note("jwt-bearer", "Works as well: the JWT simply names the same integration user."),
    ),
    _rule(
        "flow-lasting-access",
        "flow",
        (_is("offline", "yes"),),
        "seed-architecture",
        *_each(
            ("web-server", "web-server-pkce", "device"),
            1,
            "Can hand out a refresh token, so the app keeps working after the person leaves.",
        ),
        _con("user-agent", 1, "A refresh token held in a browser or app is hard to keep safe."),
        _note("jwt-bearer", "Needs no refresh token: it signs a new JWT whenever a token expires."),
        _note("client-credentials", "Needs no refresh token: it simply asks again."),
    ),
    _rule(
        "flow-saml-assertion-held",
        "flow",
        (_is("saml", "yes"),),
        "sf-oauth-flows",
        _pro(
            "saml-bearer",
            5,
            "Trades the assertion your app already holds for a token, so nobody signs in twice.",
        ),
        *_each(
            ("web-server", "web-server-pkce"),
            -1,
            "Asks people to sign in to Salesforce again, unless Salesforce trusts the same "
            "identity provider.",
        ),
    ),
    _rule(
        "flow-no-saml-assertion",
        "flow",
        (_is("saml", "no"),),
        "sf-oauth-flows",
        _veto("saml-bearer", "There is no assertion to trade; this flow exists to reuse one."),
    ),
    _rule(
        "flow-registered-devices",
        "flow",
        (_is("devices", "yes"),),
        "sf-oauth-flows",
        _pro(
            "asset-token",
            6,
            "Gives each registered device a token of its own, tied to its asset record.",
        ),
        *_each(
            ("jwt-bearer", "client-credentials"),
            -1,
            "Every device would share one app identity, so you couldn't tell them apart or cut "
            "one off.",
        ),
        _pro("device", 1, "A person can approve devices that have a small screen."),
    ),
    _rule(
        "flow-no-devices",
        "flow",
        (_is("devices", "no"),),
        "sf-oauth-flows",
        _veto("asset-token", "Asset tokens identify registered devices, and your callers aren't."),
    ),
    _rule(
        "flow-password-only-caller",
        "flow",
        (_is("password-only", "yes"),),
        "seed-architecture",
        _pro("username-password", 5, "The only flow such a caller can perform."),
        _con("client-credentials", 3, "The caller can't be set up with a client id and secret."),
        *_each(
            ("web-server", "web-server-pkce", "device"),
            -1,
            "The caller can't follow the redirect or polling steps this flow needs.",
        ),
        _con("jwt-bearer", 2, "The caller can't sign a JWT."),
    ),
    _rule(
        "flow-better-than-password",
        "flow",
        (_is("password-only", "no"),),
        "rfc9700-password",
        _con(
            "username-password",
            2,
            "The caller can do better, so there is no excuse to hand it a password.",
        ),
    ),
    _rule(
        "flow-production",
        "flow",
        (_is("environment", "production"),),
        "rfc9700-password",
        _veto(
            "username-password",
            "Not for production: no multi-factor sign-in, the password sits in configuration, and "
            "Salesforce is retiring the flow.",
        ),
        _con("user-agent", 1, "Tokens exposed in URLs aren't acceptable with real data."),
    ),
    _rule(
        "flow-prototype",
        "flow",
        (_is("environment", "prototype"),),
        "seed-architecture",
        _pro("username-password", 2, "Tolerable for a quick sandbox test, never with real data."),
    ),
    _rule(
        "flow-salesforce-calls-out",
        "flow",
        (_is("initiator", "salesforce"),),
        "sf-named-credentials",
        _pro(
            "client-credentials",
            3,
            "The usual set-up for callouts: a named credential fetches tokens this way with "
            "nobody present.",
        ),
        _pro("jwt-bearer", 1, "A named credential can also sign JWTs for the other system."),
        *_each(
            ("web-server", "web-server-pkce"),
            -1,
            "Only if each Salesforce user must connect their own account to the other system.",
        ),
        *_each(
            ("device", "user-agent", "asset-token"),
            -3,
            "Salesforce is neither a device nor a browser app; it calls out from its servers.",
        ),
        _con("saml-bearer", 2, "Salesforce calling out holds no assertion from your provider."),
    ),
)

# ---------------------------------------------------------------------------------------------
# 2. Integration pattern

_PATTERN_RULES: tuple[Rule, ...] = (
    _rule(
        "pattern-general",
        "pattern",
        (),
        "sf-patterns",
        _note(
            "request-reply",
            "Simple to build and reason about; the caller is stuck while it waits.",
        ),
        _note(
            "fire-and-forget",
            "Decouples sender and receiver; retries and failures become your job.",
        ),
        _note("batch-sync", "Efficient for big volumes; data is only as fresh as the last run."),
        _note(
            "remote-call-in",
            "The other system decides the timing, and Salesforce's API limits apply to its calls.",
        ),
        _con(
            "ui-update",
            1,
            "Only for screens that must refresh themselves; delivery and order aren't guaranteed.",
        ),
        _note(
            "data-virtualization",
            "No copies to keep in step, but every read depends on the other system being up.",
        ),
    ),
    _rule(
        "pattern-inbound",
        "pattern",
        (_is("initiator", "external"),),
        "sf-patterns",
        _pro(
            "remote-call-in",
            4,
            "The other system starts the exchange by calling Salesforce's APIs.",
        ),
        *_each(
            ("request-reply", "fire-and-forget"),
            -4,
            "Describes Salesforce calling out, the opposite direction.",
        ),
        _con(
            "data-virtualization",
            2,
            "Means Salesforce reading from the other system, the opposite direction.",
        ),
        _pro("batch-sync", 1, "An outside ETL job can push data in through the Bulk API."),
    ),
    _rule(
        "pattern-outbound",
        "pattern",
        (_is("initiator", "salesforce"),),
        "sf-patterns",
        _veto("remote-call-in", "Describes the other system calling Salesforce, the opposite way."),
        *_each(
            ("request-reply", "fire-and-forget", "data-virtualization"),
            1,
            "Salesforce is the caller, which is how this pattern works.",
        ),
    ),
    _rule(
        "pattern-two-directions",
        "pattern",
        (_is("initiator", "both"),),
        "sf-patterns",
        _pro("remote-call-in", 1, "Covers the inbound half; pair it with an outbound pattern."),
    ),
    _rule(
        "pattern-caller-waits",
        "pattern",
        (_is("wait", "yes"),),
        "sf-patterns",
        _pro("request-reply", 3, "The caller gets its answer in the same call."),
        _con("fire-and-forget", 3, "The caller gets only an acknowledgement, never the answer."),
        _con("batch-sync", 3, "Results arrive after the next run, long after the caller gave up."),
        _con("ui-update", 1, "Screens refresh eventually; nothing tells the caller when."),
        _pro("remote-call-in", 1, "A synchronous API call returns its result straight away."),
        _pro("data-virtualization", 1, "Records are read live when the page asks for them."),
    ),
    _rule(
        "pattern-caller-moves-on",
        "pattern",
        (_is("wait", "no"),),
        "sf-patterns",
        _pro("fire-and-forget", 2, "The sender hands the message over and carries on."),
        _con("request-reply", 1, "Holding a connection open buys nothing when nobody waits."),
        _pro("batch-sync", 1, "The work can wait for the next run."),
    ),
    _rule(
        "pattern-process",
        "pattern",
        (_is("purpose", "process"),),
        "sf-patterns",
        _pro(
            "fire-and-forget",
            2,
            "Handing over a process step without waiting is its textbook use.",
        ),
        _pro("request-reply", 1, "Fits a process step whose outcome the caller needs at once."),
        _con("batch-sync", 2, "Moves data in bulk; it doesn't start a process step."),
        _con("data-virtualization", 2, "Only shows data; it can't start anything."),
    ),
    _rule(
        "pattern-data",
        "pattern",
        (_is("purpose", "data"),),
        "sf-patterns",
        _pro("batch-sync", 2, "Keeping copies in step is its main purpose."),
        _pro("remote-call-in", 1, "The other system can write its changes straight in."),
        _con("data-virtualization", 1, "Avoids copies altogether, which isn't what you asked for."),
    ),
    _rule(
        "pattern-read-in-place",
        "pattern",
        (_is("purpose", "read"),),
        "sf-data-integration",
        _pro(
            "data-virtualization",
            3,
            "Shows the other system's records inside Salesforce when they're read; nothing is "
            "copied.",
        ),
        _con("batch-sync", 2, "Copies data you only want to look at."),
        _pro("request-reply", 1, "A callout can fetch a record when someone opens it."),
        _con("fire-and-forget", 2, "Sends data away; it can't bring any back to show."),
    ),
    _rule(
        "pattern-few-records",
        "pattern",
        (_is("volume", "few"),),
        "sf-patterns",
        *_each(
            ("request-reply", "fire-and-forget"),
            1,
            "Small messages suit one call per change.",
        ),
        _con(
            "batch-sync",
            1,
            "Waiting for a batch window to move a handful of records adds delay for nothing.",
        ),
    ),
    _rule(
        "pattern-bulk",
        "pattern",
        (_is("volume", "bulk"),),
        "sf-patterns",
        _pro("batch-sync", 3, "Built for thousands of records, moved as Bulk API jobs."),
        _con(
            "request-reply",
            3,
            "One call per record won't finish in time; the guide warns against it for bulk work.",
        ),
        _con("fire-and-forget", 2, "One message per record floods the receiver and the limits."),
        _pro("remote-call-in", 1, "The other system can load data through Bulk API 2.0."),
        _pro("data-virtualization", 1, "Large data can stay put and be read a page at a time."),
        _con("ui-update", 2, "Bulk changes don't raise the notifications screens listen for."),
    ),
    _rule(
        "pattern-real-time",
        "pattern",
        (_is("timing", "realtime"),),
        "sf-patterns",
        _pro("fire-and-forget", 2, "Each change goes out as it happens."),
        _pro("request-reply", 1, "Each call returns current data."),
        _pro("ui-update", 1, "Open screens hear about changes within seconds."),
        _pro("remote-call-in", 1, "The other system can push each change as it happens."),
        _con("batch-sync", 3, "Data is only as fresh as the last run."),
    ),
    _rule(
        "pattern-scheduled",
        "pattern",
        (_is("timing", "scheduled"),),
        "sf-patterns",
        _pro("batch-sync", 3, "Matches a fixed window such as a nightly run."),
        _con(
            "fire-and-forget", 1, "Sending each change at once is wasted when you want a schedule."
        ),
        _con("ui-update", 2, "Screens would change only when the schedule runs."),
    ),
    _rule(
        "pattern-on-request",
        "pattern",
        (_is("timing", "on-demand"),),
        "sf-patterns",
        _pro("request-reply", 2, "Fetches data at the moment someone asks."),
        _pro("data-virtualization", 2, "Reads data at the moment someone opens it."),
        _pro("remote-call-in", 1, "The other system can call in whenever it needs something."),
        _con("batch-sync", 1, "Copies data ahead of time that may never be read."),
    ),
    _rule(
        "pattern-long-work",
        "pattern",
        (_is("long-running", "yes"),),
        "sf-patterns",
        _veto("request-reply", "A Salesforce callout gives up after 120 seconds."),
        _con("data-virtualization", 3, "External object queries hit the same 120-second limit."),
        _pro(
            "fire-and-forget",
            2,
            "Hand the work over now; the result can come back later as a call-in or an event.",
        ),
        _pro("batch-sync", 1, "Long jobs fit a batch window."),
    ),
    _rule(
        "pattern-no-copies",
        "pattern",
        (_is("copy", "no"),),
        "sf-data-integration",
        _veto("batch-sync", "Copies the data, which you may not do."),
        _pro("data-virtualization", 3, "Reads the data where it lives; nothing is stored."),
        _con("remote-call-in", 1, "Usually writes data into Salesforce."),
    ),
    _rule(
        "pattern-copies-allowed",
        "pattern",
        (_is("copy", "yes"),),
        "sf-data-integration",
        _con(
            "data-virtualization",
            1,
            "Copies are allowed, and local data works in reports, search and offline.",
        ),
    ),
    _rule(
        "pattern-live-screens",
        "pattern",
        (_is("live-screen", "yes"),),
        "sf-patterns",
        _pro(
            "ui-update",
            7,
            "Exactly the problem this pattern solves: open pages hear about changes through "
            "streaming events, so nobody has to reload.",
        ),
    ),
    _rule(
        "pattern-no-live-screens",
        "pattern",
        (_is("live-screen", "no"),),
        "sf-patterns",
        _con("ui-update", 2, "Nobody needs to watch changes arrive on screen."),
    ),
    _rule(
        "pattern-rare-changes",
        "pattern",
        (_is("change-rate", "rarely"),),
        "sf-eda",
        _pro("batch-sync", 1, "Rare changes are cheap to pick up in a scheduled run."),
        _con("fire-and-forget", 1, "An always-on pipeline for rare changes is more than needed."),
    ),
    _rule(
        "pattern-frequent-changes",
        "pattern",
        (_is("change-rate", "often"),),
        "sf-eda",
        _pro("fire-and-forget", 1, "Frequent changes are what event-style hand-offs are for."),
        _con("batch-sync", 1, "Frequent changes pile up between runs."),
    ),
    _rule(
        "pattern-two-way",
        "pattern",
        (_is("two-way", "yes"),),
        "sf-patterns",
        _note("batch-sync", "Two-way sync needs a system of record per field and a conflict rule."),
        _note(
            "remote-call-in",
            "Updates can bounce back as fresh changes; record where each one came from.",
        ),
    ),
)

# ---------------------------------------------------------------------------------------------
# 3. Topology

_TOPOLOGY_RULES: tuple[Rule, ...] = (
    _rule(
        "topology-general",
        "topology",
        (),
        "seed-architecture",
        _pro("point-to-point", 1, "Simplest to build: one contract per pair, nothing in between."),
        _note(
            "middleware",
            "Adds routing, reshaping, retries and monitoring in one place, at the price of a "
            "platform to run.",
        ),
    ),
    _rule(
        "topology-two-systems",
        "topology",
        (_count(at_most=2),),
        "seed-architecture",
        _pro(
            "point-to-point",
            3,
            "Two systems need a single link; a bus would add a hop and a platform to run.",
        ),
        _con("middleware", 2, "Overkill for a single link."),
    ),
    _rule(
        "topology-three-systems",
        "topology",
        (_count(at_least=3, at_most=3),),
        "cta-middleware",
        _pro("point-to-point", 1, "Three systems need at most three links: still manageable."),
    ),
    _rule(
        "topology-four-or-more",
        "topology",
        (_count(at_least=4),),
        "seed-architecture",
        _pro(
            "middleware",
            2,
            "Direct links grow with the square of the number of systems; links to a bus grow by "
            "one per system.",
        ),
        _con("point-to-point", 1, "Every new system needs a link to each system it talks to."),
    ),
    _rule(
        "topology-sprawl",
        "topology",
        (_count(at_least=8),),
        "seed-architecture",
        _pro("middleware", 2, "At this size direct links become a tangle nobody can oversee."),
        _con(
            "point-to-point",
            2,
            "Dozens of links, each with its own credentials, mappings and ways to fail.",
        ),
    ),
    _rule(
        "topology-reshaping",
        "topology",
        (_is("transform", "yes"),),
        "sf-patterns",
        _pro("middleware", 2, "Mappings live in one place instead of in every pair of systems."),
        _con(
            "point-to-point",
            1,
            "Each link would carry its own copy of the mapping code, and Salesforce advises "
            "against coding it in Apex.",
        ),
    ),
    _rule(
        "topology-no-reshaping",
        "topology",
        (_is("transform", "no"),),
        "cta-middleware",
        _pro("point-to-point", 1, "Messages pass as they are, so there's nothing to centralise."),
    ),
    _rule(
        "topology-orchestration",
        "topology",
        (_is("orchestration", "yes"),),
        "sf-patterns",
        _pro(
            "middleware",
            3,
            "Multi-system sequences belong in middleware: Salesforce can't join distributed "
            "transactions, and its time limits make long sequences fragile.",
        ),
        _con("point-to-point", 2, "Some system would have to coordinate the steps on its own."),
    ),
    _rule(
        "topology-central-monitoring",
        "topology",
        (_is("monitoring", "yes"),),
        "seed-architecture",
        _pro("middleware", 2, "One place to watch, retry and audit every message."),
        _con("point-to-point", 1, "Each link logs and fails in its own way."),
    ),
    _rule(
        "topology-local-monitoring",
        "topology",
        (_is("monitoring", "no"),),
        "cta-middleware",
        _pro("point-to-point", 1, "Watching each link on its own is acceptable to you."),
    ),
    _rule(
        "topology-existing-platform",
        "topology",
        (_is("existing-middleware", "yes"),),
        "sf-data-integration",
        _pro("middleware", 3, "Reuse the platform you already run, as Salesforce's guides advise."),
    ),
    _rule(
        "topology-no-platform",
        "topology",
        (_is("existing-middleware", "no"),),
        "cta-middleware",
        _con("middleware", 1, "You would have to choose, buy, learn and operate a new platform."),
        _pro("point-to-point", 1, "Nothing new to buy or run."),
    ),
    _rule(
        "topology-growth",
        "topology",
        (_is("growth", "yes"),),
        "cta-middleware",
        _pro("middleware", 1, "Each newcomer plugs into the bus once."),
        _con("point-to-point", 1, "Each newcomer multiplies the links."),
    ),
    _rule(
        "topology-bulk-loads",
        "topology",
        (_is("volume", "bulk"),),
        "sf-patterns",
        _pro("middleware", 1, "Bulk loads usually run through an ETL tool that acts as the hub."),
    ),
    _rule(
        "topology-long-replay",
        "topology",
        (_is("replay", "longer"),),
        "sf-patterns",
        _pro(
            "middleware",
            2,
            "Only a queue outside Salesforce can hold messages for longer than the event bus's "
            "72 hours.",
        ),
    ),
    _rule(
        "topology-long-work",
        "topology",
        (_is("long-running", "yes"),),
        "sf-patterns",
        _pro("middleware", 1, "Middleware can queue long work and report back when it's done."),
    ),
)

# ---------------------------------------------------------------------------------------------
# 4. Event mechanism

_EVENT_RULES: tuple[Rule, ...] = (
    _rule(
        "events-general",
        "events",
        (),
        "sf-eda",
        _pro("none", 1, "No bus to run: start here unless something must react to changes."),
        _note("cdc", "Streams record changes out of Salesforce with no publishing code."),
        _note("platform-events", "Events you design, published on purpose, in both directions."),
        _con("both", 1, "Two mechanisms to set up, secure and monitor."),
    ),
    _rule(
        "events-record-changes",
        "events",
        (_is("reacts-to", "record-changes"),),
        "seed-architecture",
        _pro(
            "cdc",
            4,
            "Salesforce publishes an event for every create, update, delete and undelete, with no "
            "code on your side.",
        ),
        _pro("platform-events", 1, "Possible, but you'd write and maintain the publishing code."),
        _pro("both", 1, "Covers record changes, with room for business events later."),
        _con("none", 2, "Other systems would have to keep polling for changes."),
    ),
    _rule(
        "events-business-moments",
        "events",
        (_is("reacts-to", "business-events"),),
        "seed-architecture",
        _pro(
            "platform-events",
            4,
            "You design the event and its fields, and publish it from Flow, Apex or an API call.",
        ),
        _con(
            "cdc",
            2,
            "Change events mirror record fields; a business moment may span several records or "
            "none.",
        ),
        _pro("both", 1, "Covers business events, and record changes if they're ever needed."),
        _con("none", 2, "Nothing would tell other systems that the moment happened."),
    ),
    _rule(
        "events-both-kinds",
        "events",
        (_is("reacts-to", "both"),),
        "seed-architecture",
        _pro(
            "both",
            4,
            "Record replication and business events are different jobs; use each mechanism for "
            "its own.",
        ),
        *_each(("cdc", "platform-events"), 1, "Covers half of what you need."),
        _con("none", 3, "Other systems would poll for changes and miss business events."),
    ),
    _rule(
        "events-nothing-reacts",
        "events",
        (_is("reacts-to", "nothing"),),
        "sf-eda",
        _pro("none", 4, "Nothing reacts to changes, so an event bus would have no subscribers."),
        *_each(("cdc", "platform-events"), -2, "Events nobody listens to are cost with no gain."),
        _con("both", 3, "Two event mechanisms nobody listens to."),
    ),
    _rule(
        "events-published-outside",
        "events",
        (_is("external-publishers", "yes"),),
        "sf-data-integration",
        _veto(
            "cdc", "Only carries changes out of Salesforce; outside systems can't publish into it."
        ),
        _pro("platform-events", 3, "Outside systems can publish platform events through the APIs."),
        _pro(
            "both",
            2,
            "Platform events carry what comes in; change events what goes out.",
        ),
        _con("none", 1, "Outside systems would need custom endpoints to announce their events."),
    ),
    _rule(
        "events-records-out-events-in",
        "events",
        (_is("reacts-to", "record-changes"), _is("external-publishers", "yes")),
        "seed-architecture",
        _pro(
            "both",
            3,
            "Change events carry your record changes out; platform events bring outside events "
            "in. Each direction gets the tool built for it.",
        ),
    ),
    _rule(
        "events-caller-waits",
        "events",
        (_is("wait", "yes"),),
        "sf-eda",
        *_each(
            EVENT_BUS,
            -1,
            "Events promise no response time, so they can't serve the part where someone waits.",
        ),
        _pro("none", 1, "A waiting caller needs a direct answer, not an event."),
    ),
    _rule(
        "events-many-consumers",
        "events",
        (_is("subscribers", "many"),),
        "sf-patterns",
        *_each(
            EVENT_BUS,
            1,
            "One event reaches any number of consumers without the sender knowing them.",
        ),
        _con("none", 2, "Each new consumer would need its own link or its own polling."),
    ),
    _rule(
        "events-one-consumer",
        "events",
        (_is("subscribers", "one"),),
        "sf-eda",
        _pro("none", 1, "With a single consumer, a direct call is simpler than a bus."),
    ),
    _rule(
        "events-replay-days",
        "events",
        (_is("replay", "days"),),
        "sf-event-durability",
        *_each(
            EVENT_BUS,
            1,
            "Events stay on the bus for 72 hours, so a consumer can replay what it missed.",
        ),
    ),
    _rule(
        "events-replay-longer",
        "events",
        (_is("replay", "longer"),),
        "sf-event-durability",
        *_each(
            EVENT_BUS,
            -1,
            "The bus keeps events for 72 hours only; longer gaps need another store or a full "
            "resync.",
        ),
    ),
    _rule(
        "events-live-screens",
        "events",
        (_is("live-screen", "yes"),),
        "sf-patterns",
        _pro("platform-events", 2, "Lightning pages can subscribe to platform events."),
        *_each(("cdc", "both"), 1, "Lightning pages can listen to change events as well."),
        _con("none", 2, "Without events, screens have nothing to listen to."),
    ),
    _rule(
        "events-rare-changes",
        "events",
        (_is("change-rate", "rarely"),),
        "sf-eda",
        *_each(EVENT_BUS, -1, "Data that rarely changes seldom justifies an event design."),
        _pro("none", 1, "A scheduled check picks up rare changes cheaply."),
    ),
    _rule(
        "events-read-in-place",
        "events",
        (_is("purpose", "read"),),
        "sf-data-integration",
        _pro("none", 1, "Data read on request needs no change notifications."),
    ),
    _rule(
        "events-bulk-loads",
        "events",
        (_is("volume", "bulk"),),
        "sf-event-durability",
        _con(
            "cdc",
            1,
            "Large loads become floods of change events, some merged into overflow events.",
        ),
    ),
)

# ---------------------------------------------------------------------------------------------
# 5. Transport security

_TRANSPORT_RULES: tuple[Rule, ...] = (
    _rule(
        "transport-general",
        "transport",
        (),
        "seed-architecture",
        _pro(
            "tls", 2, "Always on: every Salesforce call uses HTTPS, and the server proves itself."
        ),
        _note(
            "mtls", "The client proves itself with a certificate too, before any request is read."
        ),
    ),
    _rule(
        "transport-certificates-required",
        "transport",
        (_is("partner-certs", "yes"),),
        "sf-client-certs",
        _veto(
            "tls", "Fails the requirement: without a client certificate the connection is refused."
        ),
        _pro("mtls", 4, "Meets the requirement for a client certificate."),
    ),
    _rule(
        "transport-certificates-not-required",
        "transport",
        (_is("partner-certs", "no"),),
        "seed-architecture",
        _pro("tls", 1, "Nobody asks for more than an OAuth token over TLS."),
    ),
    _rule(
        "transport-sensitive-data",
        "transport",
        (_is("sensitivity", "high"),),
        "seed-architecture",
        _pro(
            "mtls",
            2,
            "A second lock at the network layer: a stolen token alone can't open the connection.",
        ),
    ),
    _rule(
        "transport-ordinary-data",
        "transport",
        (_is("sensitivity", "normal"),),
        "seed-architecture",
        _pro("tls", 1, "A token over ordinary TLS is the usual protection for this kind of data."),
    ),
    _rule(
        "transport-no-certificates",
        "transport",
        (_is("certificates", "no"),),
        "seed-architecture",
        _con(
            "mtls",
            3,
            "Each side needs a certificate and key, and someone to renew them before they expire.",
        ),
    ),
    _rule(
        "transport-certificates-managed",
        "transport",
        (_is("certificates", "yes"),),
        "seed-architecture",
        _pro("mtls", 1, "Your team can run the certificate lifecycle it needs."),
    ),
    _rule(
        "transport-user-devices",
        "transport",
        (_is("client", "spa", "mobile", "limited-input", "cli"),),
        "sf-inbound-mtls",
        _con(
            "mtls",
            3,
            "Every person's device would need its own client certificate, and Salesforce accepts "
            "them on API calls only, not in the browser.",
        ),
    ),
    _rule(
        "transport-inbound",
        "transport",
        (_is("initiator", "external", "both"),),
        "sf-inbound-mtls",
        _note(
            "mtls",
            "Callers presenting a certificate connect to port 8443 of your My Domain.",
        ),
    ),
    _rule(
        "transport-outbound",
        "transport",
        (_is("initiator", "salesforce"),),
        "sf-client-certs",
        _note("mtls", "Salesforce presents a certificate from its key store on each callout."),
    ),
    _rule(
        "transport-prototype",
        "transport",
        (_is("environment", "prototype"),),
        "seed-architecture",
        _con("mtls", 1, "Certificate set-up slows a throwaway prototype down."),
    ),
)

RULES: tuple[Rule, ...] = (
    *_FLOW_RULES,
    *_PATTERN_RULES,
    *_TOPOLOGY_RULES,
    *_EVENT_RULES,
    *_TRANSPORT_RULES,
)

# ---------------------------------------------------------------------------------------------
# Warnings (anti-patterns) and cross-checks between decisions

_EVENTS_WANTED = _is("reacts-to", "record-changes", "business-events", "both")

WARNINGS: tuple[Alert, ...] = (
    Alert(
        "warn-password-caller",
        "bad",
        ("flow",),
        "A username and password stored in an integration can't do multi-factor sign-in, leaks "
        "with the configuration and breaks when the flow is switched off. Plan the move to the "
        "JWT bearer or client credentials flow.",
        "rfc9700-password",
        when=(_is("password-only", "yes"),),
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
        when=(_is("client", "spa", "mobile"),),
    ),
    Alert(
        "warn-unattended-without-credential",
        "bad",
        ("flow",),
        "Nothing can run unattended without holding some credential, a secret or a private key. "
        "If this client truly can't keep one, it shouldn't run without a person.",
        "seed-flows",
        when=(_is("person", "no"), _is("secret", "no")),
    ),
    Alert(
        "info-api-only-user",
        "info",
        ("flow",),
        "Run unattended integrations as a dedicated integration user with the API Only profile, "
        "so nobody can use it to sign in to the screens.",
        "sf-data-integration",
        when=(_is("person", "no"),),
    ),
    Alert(
        "info-named-credential",
        "info",
        ("flow",),
        "When Salesforce is the caller, keep the other system's credentials in a named credential "
        "backed by an external credential, never in code.",
        "sf-named-credentials",
        when=(_is("initiator", "salesforce", "both"),),
    ),
    Alert(
        "warn-events-while-waiting",
        "warn",
        ("pattern", "events"),
        "Someone waits for an answer, but events promise no response time. Keep the waiting part "
        "a direct call and use events only for the follow-up work.",
        "sf-eda",
        when=(_is("wait", "yes"), _EVENTS_WANTED),
    ),
    Alert(
        "warn-long-work-awaited",
        "warn",
        ("pattern",),
        "Work that takes over 120 seconds can't be awaited in one callout. Acknowledge at once, "
        "then deliver the result later with a call back into Salesforce or an event.",
        "sf-patterns",
        when=(_is("wait", "yes"), _is("long-running", "yes")),
    ),
    Alert(
        "warn-bulk-awaited",
        "warn",
        ("pattern",),
        "Thousands of records won't move while someone waits. Start a Bulk API job and tell the "
        "person when it has finished.",
        "sf-patterns",
        when=(_is("wait", "yes"), _is("volume", "bulk")),
    ),
    Alert(
        "warn-sync-without-copy",
        "warn",
        ("pattern",),
        "You want records kept in step but may not copy them, and those two pull against each "
        "other. Data virtualization shows the records live instead of syncing them.",
        "sf-data-integration",
        when=(_is("purpose", "data"), _is("copy", "no")),
    ),
    Alert(
        "warn-point-to-point-sprawl",
        "warn",
        ("topology",),
        "With this many systems, direct links multiply (see the chart), and each one carries its "
        "own credentials and failure modes. Plan for middleware before the next system joins.",
        "seed-architecture",
        when=(_count(at_least=5),),
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
        when=(_is("two-way", "yes"), _EVENTS_WANTED),
    ),
    Alert(
        "info-rare-changes",
        "info",
        ("events",),
        "Data that rarely changes seldom needs an event bus; a scheduled sync is simpler to run.",
        "sf-eda",
        when=(_is("change-rate", "rarely"), _EVENTS_WANTED),
    ),
    Alert(
        "warn-replay-window",
        "warn",
        ("events",),
        "The event bus keeps events for 72 hours. A consumer away for longer loses events unless "
        "middleware queues them or it catches up with a bulk resync.",
        "sf-event-durability",
        when=(_is("replay", "longer"),),
    ),
    Alert(
        "info-inbound-mutual-tls",
        "info",
        ("transport",),
        "Mutual TLS into Salesforce covers API calls only. Callers connect to port 8443 of your My "
        "Domain, and users given the permission that enforces it must present a certificate "
        "uploaded to Salesforce.",
        "sf-inbound-mtls",
        when=(_is("initiator", "external", "both"),),
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
        winners=(
            Winner("flow", ("web-server-pkce", "user-agent", "device")),
            Winner("transport", ("mtls",)),
        ),
    ),
)

# ---------------------------------------------------------------------------------------------
# Results


ReasonKind = Literal["for", "against", "note"]


@dataclass(frozen=True)
class Reason:
    text: str
    weight: int
    veto: bool
    causes: tuple[str, ...]  # each completes "you said …"
    source: Source
    rule: str
    kind: ReasonKind
    because: str  # "because you said …", or "" for general guidance


def _because(causes: tuple[str, ...]) -> str:
    return "because you said " + " and ".join(causes) if causes else ""


def _kind(effect: Effect) -> ReasonKind:
    if effect.veto or effect.weight < 0:
        return "against"
    return "for" if effect.weight > 0 else "note"


@dataclass(frozen=True)
class GradedOption:
    choice: Choice
    grade: Grade
    score: int
    rank: int
    vetoed: bool
    reasons: tuple[Reason, ...]

    @property
    def pros(self) -> tuple[Reason, ...]:
        return tuple(reason for reason in self.reasons if reason.kind == "for")

    @property
    def cons(self) -> tuple[Reason, ...]:
        return tuple(reason for reason in self.reasons if reason.kind == "against")

    @property
    def notes(self) -> tuple[Reason, ...]:
        return tuple(reason for reason in self.reasons if reason.kind == "note")

    @property
    def headline(self) -> Reason:
        """The reason that most shaped this option's grade."""
        ordered = (*self.cons, *self.pros) if self.grade == "avoid" else self.reasons
        return ordered[0] if ordered else self.reasons[0]


@dataclass(frozen=True)
class WhatIf:
    question: Question
    answer: str  # the other answer, in words
    winner: Choice
    query: str  # the permalink with that answer instead


@dataclass(frozen=True)
class FiredAlert:
    alert: Alert
    source: Source
    causes: tuple[str, ...]
    because: str


@dataclass(frozen=True)
class DecisionResult:
    decision: Decision
    options: tuple[GradedOption, ...]  # ranked, best first
    what_ifs: tuple[WhatIf, ...]  # a different answer to an answered question flips the winner
    skipped_changes: tuple[WhatIf, ...]  # answering a skipped question would flip the winner
    skipped_idle: tuple[Question, ...]  # skipped questions that wouldn't change it
    warnings: tuple[FiredAlert, ...]

    @property
    def best(self) -> GradedOption:
        return self.options[0]

    @property
    def runner_up(self) -> GradedOption | None:
        return next((option for option in self.options[1:] if not option.vetoed), None)

    @property
    def close_call(self) -> bool:
        runner_up = self.runner_up
        return runner_up is not None and self.best.score - runner_up.score <= 1


@dataclass(frozen=True)
class Companion:
    applies: bool
    text: str
    because: str
    playground_path: str


@dataclass(frozen=True)
class LinkCount:
    systems: int
    direct: int
    via_middleware: int


@dataclass(frozen=True)
class Recommendation:
    answers: Answers
    decisions: tuple[DecisionResult, ...]
    cross_checks: tuple[FiredAlert, ...]
    companion: Companion
    links: LinkCount | None

    def decision(self, decision_id: str) -> DecisionResult:
        return next(result for result in self.decisions if result.decision.id == decision_id)

    def best(self, decision_id: str) -> Choice:
        return self.decision(decision_id).best.choice

    @property
    def warnings(self) -> tuple[FiredAlert, ...]:
        return tuple(warning for result in self.decisions for warning in result.warnings)

    @property
    def alerts(self) -> tuple[FiredAlert, ...]:
        return (*self.warnings, *self.cross_checks)

    @property
    def answered(self) -> int:
        return sum(1 for question in QUESTIONS if self.answers.is_answered(question.id))


def count_links(systems: int) -> LinkCount:
    """Point-to-point needs a link per pair, n·(n−1)/2; a bus needs one per system."""
    return LinkCount(systems=systems, direct=systems * (systems - 1) // 2, via_middleware=systems)


# ---------------------------------------------------------------------------------------------
# Evaluation

_RULES_BY_DECISION: dict[str, tuple[Rule, ...]] = {
    decision.id: tuple(rule for rule in RULES if rule.decision == decision.id)
    for decision in DECISIONS
}
_RULES_BY_QUESTION: dict[tuple[str, str], tuple[Rule, ...]] = {
    (decision.id, question.id): tuple(
        rule
        for rule in _RULES_BY_DECISION[decision.id]
        if any(condition.question == question.id for condition in rule.when)
    )
    for decision in DECISIONS
    for question in QUESTIONS
}
_QUESTIONS_BY_DECISION: dict[str, tuple[Question, ...]] = {
    decision.id: tuple(
        question for question in QUESTIONS if _RULES_BY_QUESTION[(decision.id, question.id)]
    )
    for decision in DECISIONS
}

Tally = dict[str, list[int]]  # option id -> [score, vetoes]


def _apply(tally: Tally, rule: Rule, sign: int) -> None:
    for effect in rule.effects:
        entry = tally[effect.option]
        entry[0] += sign * effect.weight
        entry[1] += sign * int(effect.veto)


def _tally(decision: Decision, answers: Answers) -> Tally:
    tally: Tally = {choice.id: [0, 0] for choice in decision.choices}
    for rule in _RULES_BY_DECISION[decision.id]:
        if rule.holds(answers):
            _apply(tally, rule, 1)
    return tally


def _ranked(decision: Decision, tally: Tally) -> list[Choice]:
    # Vetoed options sink; then the higher score; then the decision's tie-break order.
    preference = decision.tie_break or tuple(choice.id for choice in decision.choices)
    order = {choice_id: index for index, choice_id in enumerate(preference)}
    return sorted(
        decision.choices,
        key=lambda choice: (tally[choice.id][1] > 0, -tally[choice.id][0], order[choice.id]),
    )


def _winner_if(
    decision: Decision, tally: Tally, answers: Answers, question: Question, value: str | int
) -> Choice:
    """The winner had `question` been answered `value`, re-scoring only the rules it touches."""
    changed = answers.with_answer(question.id, value)
    trial: Tally = {option: entry.copy() for option, entry in tally.items()}
    for rule in _RULES_BY_QUESTION[(decision.id, question.id)]:
        _apply(trial, rule, int(rule.holds(changed)) - int(rule.holds(answers)))
    return _ranked(decision, trial)[0]


def _alternatives(question: Question, answers: Answers) -> list[tuple[str | int, str]]:
    current = answers.value(question.id)
    if question.kind == "number":
        return [(n, f"{n} systems") for n in question.probes if n != current]
    return [(option.id, option.label) for option in question.options if option.id != current]


def _causes(rule_or_alert: Rule | Alert, answers: Answers) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(answers.said(condition.question) for condition in rule_or_alert.when)
    )


def _grade(*, rank: int, score: int, vetoed: bool, best_score: int) -> Grade:
    if vetoed:
        return "avoid"
    if rank == 0:
        return "best"
    if score <= -3:
        return "avoid"
    if score > 0 and best_score - score <= 2:
        return "good"
    return "possible"


def _reasons(decision: Decision, answers: Answers) -> dict[str, list[Reason]]:
    reasons: dict[str, list[Reason]] = {choice.id: [] for choice in decision.choices}
    for rule in _RULES_BY_DECISION[decision.id]:
        if not rule.holds(answers):
            continue
        causes = _causes(rule, answers)
        for effect in rule.effects:
            reasons[effect.option].append(
                Reason(
                    text=effect.text,
                    weight=effect.weight,
                    veto=effect.veto,
                    causes=causes,
                    source=SOURCE_BY_ID[rule.source],
                    rule=rule.id,
                    kind=_kind(effect),
                    because=_because(causes),
                )
            )
    for found in reasons.values():
        # Vetoes first, then the strongest reasons; answer-driven before general guidance.
        found.sort(key=lambda reason: (not reason.veto, -abs(reason.weight), not reason.causes))
    return reasons


def _alert_fires(alert: Alert, answers: Answers, winners: dict[str, str]) -> bool:
    return all(condition.holds(answers) for condition in alert.when) and all(
        winners[winner.decision] in winner.options for winner in alert.winners
    )


def _fired(alert: Alert, answers: Answers) -> FiredAlert:
    causes = _causes(alert, answers)
    return FiredAlert(
        alert=alert, source=SOURCE_BY_ID[alert.source], causes=causes, because=_because(causes)
    )


def _decide(decision: Decision, answers: Answers) -> DecisionResult:
    tally = _tally(decision, answers)
    ranked = _ranked(decision, tally)
    reasons = _reasons(decision, answers)
    best_score = tally[ranked[0].id][0]
    options = tuple(
        GradedOption(
            choice=choice,
            grade=_grade(
                rank=rank,
                score=tally[choice.id][0],
                vetoed=tally[choice.id][1] > 0,
                best_score=best_score,
            ),
            score=tally[choice.id][0],
            rank=rank,
            vetoed=tally[choice.id][1] > 0,
            reasons=tuple(reasons[choice.id]),
        )
        for rank, choice in enumerate(ranked)
    )
    what_ifs: list[WhatIf] = []
    skipped_changes: list[WhatIf] = []
    skipped_idle: list[Question] = []
    for question in _QUESTIONS_BY_DECISION[decision.id]:
        flips = [
            WhatIf(
                question=question,
                answer=label,
                winner=winner,
                query=answers.query_with(question.id, value),
            )
            for value, label in _alternatives(question, answers)
            if (winner := _winner_if(decision, tally, answers, question, value)) != ranked[0]
        ]
        if answers.is_answered(question.id):
            what_ifs.extend(flips)
        elif flips:
            skipped_changes.extend(flips)
        else:
            skipped_idle.append(question)
    return DecisionResult(
        decision=decision,
        options=options,
        what_ifs=tuple(what_ifs),
        skipped_changes=tuple(skipped_changes),
        skipped_idle=tuple(skipped_idle),
        warnings=(),
    )


COMPANION_TEXT = {
    "needed": "Add the refresh token flow: the app trades its refresh token for fresh access "
    "tokens, so it keeps working after the person has gone.",
    "not-needed": "No refresh token needed: the person signs in each time, and there is no "
    "long-lived token to steal.",
    "unknown": "If the app must keep working after the person leaves, add the refresh token "
    "flow; you skipped the question that decides it.",
    "not-issued": "No refresh token: this flow simply asks for a new access token whenever it "
    "needs one, so there is no long-lived token to guard.",
}


def _companion(best_flow: Choice, answers: Answers) -> Companion:
    path = PLAYGROUND_FLOW_PATH.format(slug=REFRESH_TOKEN_SLUG)
    offline = answers.value("offline")
    if not best_flow.refreshable:
        return Companion(False, COMPANION_TEXT["not-issued"], "", path)
    if offline is None:
        return Companion(False, COMPANION_TEXT["unknown"], "", path)
    because = "because you said " + answers.said("offline")
    if offline == "yes":
        return Companion(True, COMPANION_TEXT["needed"], because, path)
    return Companion(False, COMPANION_TEXT["not-needed"], because, path)


def recommend(answers: Answers) -> Recommendation:
    """Grade every option of every decision, explain each grade, and cross-check the winners."""
    results = [_decide(decision, answers) for decision in DECISIONS]
    winners = {result.decision.id: result.best.choice.id for result in results}
    decided = tuple(
        DecisionResult(
            decision=result.decision,
            options=result.options,
            what_ifs=result.what_ifs,
            skipped_changes=result.skipped_changes,
            skipped_idle=result.skipped_idle,
            warnings=tuple(
                _fired(alert, answers)
                for alert in WARNINGS
                if alert.decisions[0] == result.decision.id
                and _alert_fires(alert, answers, winners)
            ),
        )
        for result in results
    )
    systems = answers.value(COUNT_QUESTION)
    return Recommendation(
        answers=answers,
        decisions=decided,
        cross_checks=tuple(
            _fired(alert, answers)
            for alert in CROSS_CHECKS
            if _alert_fires(alert, answers, winners)
        ),
        companion=_companion(decided[0].best.choice, answers),
        links=count_links(systems) if isinstance(systems, int) else None,
    )

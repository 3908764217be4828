"""The vocabulary every flow shares: a Flow is the app it needs plus an ordered tuple of Steps."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from config.org_paths import API_VERSION, ORG_PATHS
from config.text import TAB_AND_LINE_BREAKS, has_control_characters
from playground.artefacts import Artefact
from playground.exchange import HttpExchange, OutgoingRequest, Transport
from playground.guides import FlowGuide

Lane = Literal["browser", "client", "authorization", "resource", "publisher", "bus", "subscriber"]
LANES: tuple[tuple[Lane, str], ...] = (
    ("browser", "Browser"),
    ("client", "Client app"),
    ("authorization", "Authorization server"),
    ("resource", "Resource server"),
)
# The event lab's diagram: who publishes, the org's event bus, who subscribes.
EVENT_LANES: tuple[tuple[Lane, str], ...] = (
    ("publisher", "Publisher"),
    ("bus", "Event bus"),
    ("subscriber", "Subscriber"),
)
_LANE_INDEX = {
    lane: number
    for lanes in (LANES, EVENT_LANES)
    for number, (lane, _) in enumerate(lanes, start=1)
}

_SHORTER = (
    ("/services/oauth2/", "/"),
    (f"/services/data/v{API_VERSION}/", "/data/"),
    ("/.well-known/openid-configuration", "/.well-known/…"),
    ("/playground/callback/", "/callback"),
)

# back-channel: the playground's server sends it; browser: the person's browser goes to the org;
# callback: filled in when the org sends the browser back; poll: a back-channel request that is
# repeated until the server stops answering "not yet" (RFC 8628 §3.4); setup: an admin changes
# the app in the org's Setup, once, before the flow (nothing goes over OAuth).
StepKind = Literal["back-channel", "browser", "callback", "poll", "setup"]
# pending: a poll step asked and the server said "not yet"; the step stays due.
Outcome = Literal["ok", "error", "pending"]
ClientAuth = Literal["", "client_secret_basic", "client_secret_post"]
# Changes to the practice app's settings in the org's Setup (field name -> value), as an admin
# makes them before a flow can run; returns "" or the org's reason for refusing them.
AppSetup = Callable[[Mapping[str, str]], str]


@dataclass(frozen=True)
class Endpoints:
    """Where a server's endpoints are: the org's fixed paths, or what discovery published.

    An empty string means the server publishes no such endpoint.
    """

    issuer: str
    authorization: str
    token: str
    jwks: str = ""
    userinfo: str = ""
    revocation: str = ""
    introspection: str = ""
    device_authorization: str = ""
    discovery: str = ""

    @classmethod
    def of_org(cls, base_url: str) -> Endpoints:
        urls = {name: base_url + path for name, path in ORG_PATHS.items()}
        return cls(issuer=base_url, **urls)

    @property
    def paths(self) -> dict[str, str]:
        """The org's path for each endpoint mapped to this server's, for relabelling arrows."""
        own = {
            "authorization": self.authorization,
            "token": self.token,
            "revocation": self.revocation,
            "introspection": self.introspection,
            "userinfo": self.userinfo,
            "jwks": self.jwks,
        }
        return {ORG_PATHS[name]: urlsplit(url).path for name, url in own.items() if url}


@dataclass(frozen=True)
class Arrow:
    source: Lane
    target: Lane
    label: str

    @property
    def start(self) -> int:
        return min(_LANE_INDEX[self.source], _LANE_INDEX[self.target])

    @property
    def end(self) -> int:
        return max(_LANE_INDEX[self.source], _LANE_INDEX[self.target])

    @property
    def span(self) -> int:
        return self.end - self.start + 1

    @property
    def rightward(self) -> bool:
        return _LANE_INDEX[self.source] < _LANE_INDEX[self.target]

    @property
    def short(self) -> str:
        """The label for narrow screens: the same message with the long path prefixes cut."""
        label = self.label
        for long, brief in _SHORTER:
            label = label.replace(long, brief)
        return label

    @property
    def description(self) -> str:
        names = dict(LANES + EVENT_LANES)
        return f"{names[self.source]} to {names[self.target]}: {self.label}"


@dataclass(frozen=True)
class DataSpace:
    """The practice app's records, through the runner's admin channel: where its REST writes
    go, and what a REST lesson asks of the org that no API call could do."""

    describe: Callable[[], str]  # a sentence naming the space the run writes to
    # Sends one request while the space's API requests for the day are spent, then gives
    # them back, so a lesson on the limit costs the visitor nothing.
    while_limit_spent: Callable[[Callable[[], HttpExchange]], HttpExchange]
    # Moves one of the app's access tokens past its lifetime, as waiting would.
    expire_access_token: Callable[[str], None]


@dataclass(frozen=True)
class StepContext:
    """Everything a step may use: the app's credentials, the org, and what earlier steps kept."""

    client_id: str
    client_secret: str  # empty for a public client
    base_url: str  # the server's issuer (for the org, also the base of its endpoints)
    redirect_uri: str
    values: Mapping[str, str]
    transport: Transport
    received: Mapping[str, str] = field(default_factory=dict)  # callback steps only
    received_exchange: HttpExchange | None = None  # the redirect, for callback steps
    endpoints: Endpoints | None = None  # None: the org's own paths below base_url
    scope: str = ""  # the visitor's choice for an external server; empty: the step's own
    client_auth: ClientAuth = ""  # how an external server wants the secret; empty: the step's
    external: bool = False  # an external server: no Salesforce-only steps or checks
    inputs: Mapping[str, str] = field(default_factory=dict)  # the step's Inputs, cleaned
    setup: AppSetup | None = None  # the practice app's Setup; None for an external server
    data_space: DataSpace | None = None  # the practice app's records; None for an external one

    @property
    def urls(self) -> Endpoints:
        return self.endpoints or Endpoints.of_org(self.base_url)

    def client_form(
        self,
        url: str,
        fields: Mapping[str, str],
        *,
        basic: bool = False,
        send_secret: bool = True,
    ) -> OutgoingRequest:
        """A form POST authenticated as this client (RFC 6749 §2.3.1).

        The secret goes in HTTP Basic or in the body: as the external server was configured,
        else as the step prefers (`basic`). A public client sends its client_id alone.
        """
        data = dict(fields)
        method = self.client_auth or ("client_secret_basic" if basic else "client_secret_post")
        if self.client_secret and send_secret and method == "client_secret_basic":
            return OutgoingRequest.form(url, data, basic_auth=(self.client_id, self.client_secret))
        data["client_id"] = self.client_id
        if self.client_secret and send_secret:
            data["client_secret"] = self.client_secret
        return OutgoingRequest.form(url, data)


@dataclass(frozen=True)
class StepResult:
    outcome: Outcome
    headline: str
    exchanges: tuple[HttpExchange, ...] = ()
    artefacts: tuple[Artefact, ...] = ()
    remember: tuple[tuple[str, str], ...] = ()
    browser_url: str = ""  # browser steps: where to send the person next
    at: float = field(default_factory=time.time)
    poll_after: int = 0  # pending poll steps: seconds to wait before asking again
    # An outcome with a story of its own (a refusal such as access_denied): the arrows to draw
    # and what to say in place of the step's usual ones; empty means the step's own.
    arrows: tuple[Arrow, ...] = ()
    why: str = ""


@dataclass(frozen=True)
class Lesson:
    """What a refused fault teaches, in three parts."""

    why: str  # why the server refused it
    gain: str  # what an attacker would have had if it had not
    fix: str  # what a client should do instead


@dataclass(frozen=True)
class Attempt:
    """What a fault works on.

    `request` is the request the step would send now (faults offered before the step runs) or
    the one it sent (faults offered after it, which replay it); `earlier` is what the step got.
    """

    ctx: StepContext
    request: OutgoingRequest | None
    earlier: StepResult | None = None


@dataclass(frozen=True)
class Fault:
    """A way to break a step on purpose ("Break it"): sent for real, refused for real.

    `run` returns a StepResult whose outcome is "ok" when the server (or the client's own
    check) refused, as it should, and "error" when the broken request got through.
    A fault never changes what the run remembers, so the step itself can still run after it.
    """

    slug: str  # kebab-case, stable: it is a form value
    label: str
    does: str  # one line: what it changes in the request
    lesson: Lesson
    run: Callable[[Attempt], StepResult]
    after: bool = False  # offered once the step has run: a second try after the real one


class InputError(ValueError):
    """A value typed into a step's form that the step cannot use; the message says why."""


def _is_noncharacter(character: str) -> bool:
    # Unicode §23.7: U+FDD0–U+FDEF and the last two code points of every plane are never
    # text; XML 1.0 (§2.2) cannot hold U+FFFE or U+FFFF, so an assertion could not carry them.
    point = ord(character)
    return 0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE


def plain_text(value: str) -> str:
    """The value without surrounding spaces; refuses control characters other than tabs and
    line breaks, and Unicode's noncharacters."""
    if has_control_characters(value, allowing=TAB_AND_LINE_BREAKS):
        raise InputError("Remove the control characters from this value.")
    if any(_is_noncharacter(character) for character in value):
        raise InputError("Remove the Unicode noncharacters (such as U+FFFE) from this value.")
    return value.strip()


@dataclass(frozen=True)
class Input:
    """A value the visitor may change before the step runs, such as one claim of an assertion.

    `initial` gives the value the step would use by itself; `clean` turns what was typed
    into what the step uses, or raises InputError with a message for the form.
    """

    name: str
    label: str
    help: str
    initial: Callable[[StepContext], str]
    clean: Callable[[str], str] = plain_text
    required: bool = True
    multiline: bool = False
    max_length: int = 256


# What a step makes before anything goes over the wire: the request for the runner to send, or
# the step's result at once when it sends nothing (a browser step's link, a callback's checks,
# a Setup change, an earlier value it lacks).
Build = Callable[[StepContext], OutgoingRequest | StepResult]
# What the step makes of the exchange the runner had: the step's result.
Read = Callable[[StepContext, HttpExchange], StepResult]


@dataclass(frozen=True)
class Step:
    """One message of a flow. It builds its request and reads the answer; the runner sends it.

    Faults start from the same `build`, so what Break it tampers with is what the step sends.
    """

    slug: str
    title: str
    kind: StepKind
    spec: str  # the section that defines this message, e.g. "RFC 6749 §4.1.3"
    arrows: tuple[Arrow, ...]
    summary: str  # shown before the step runs: what it will do
    why: str  # shown after: what just happened and why it matters
    build: Build
    read: Read | None = None  # None: `build` never returns a request
    # Slugs in playground/differences.py: where this org, Salesforce and the RFCs part ways here.
    differences: tuple[str, ...] = ()
    button: str = "Send it"
    faults: tuple[Fault, ...] = ()
    needs_endpoint: str = ""  # an Endpoints field this step cannot run without
    inputs: tuple[Input, ...] = ()
    # Checks across inputs once each is clean: an error message per input name.
    check_inputs: Callable[[Mapping[str, str]], Mapping[str, str]] | None = None

    def fault(self, slug: str) -> Fault | None:
        return next((fault for fault in self.faults if fault.slug == slug), None)

    def read_inputs(
        self, submitted: Mapping[str, str], ctx: StepContext
    ) -> tuple[dict[str, str], dict[str, str]]:
        """The inputs cleaned, and an error message for each one that cannot be used.

        An input missing from `submitted` takes its initial value, so a step sent without
        its form runs as designed.
        """
        cleaned: dict[str, str] = {}
        errors: dict[str, str] = {}
        for item in self.inputs:
            raw = submitted.get(item.name)
            value = item.initial(ctx) if raw is None else raw
            if len(value) > item.max_length:
                errors[item.name] = f"Too long: at most {item.max_length:,} characters."
                continue
            try:
                value = item.clean(value)
            except InputError as problem:
                errors[item.name] = str(problem)
                continue
            if item.required and not value:
                errors[item.name] = "This value is needed."
                continue
            cleaned[item.name] = value
        if not errors and self.check_inputs is not None:
            errors.update(self.check_inputs(cleaned))
        return cleaned, errors

    @property
    def faults_before(self) -> tuple[Fault, ...]:
        return tuple(fault for fault in self.faults if not fault.after)

    @property
    def faults_after(self) -> tuple[Fault, ...]:
        return tuple(fault for fault in self.faults if fault.after)


@dataclass(frozen=True)
class AppSpec:
    """The connected app a flow needs; passed to the org's create_connected_app."""

    grants: tuple[str, ...]
    scopes: tuple[str, ...]
    public: bool = False
    # How a confidential app proves itself in this flow when its secret plays no part.
    proves_itself_with: str = ""
    require_pkce: bool = False
    rotate_refresh_tokens: bool = True
    run_as: str | None = None
    pre_authorize: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flow:
    guide: FlowGuide
    app: AppSpec
    intro: str
    steps: tuple[Step, ...]

    @property
    def slug(self) -> str:
        return self.guide.slug

    @property
    def name(self) -> str:
        return self.guide.name

    def step(self, slug: str) -> Step | None:
        return next((step for step in self.steps if step.slug == slug), None)

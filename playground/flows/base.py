"""The vocabulary every flow shares: a Flow is the app it needs plus an ordered tuple of Steps."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from playground.exchange import HttpExchange, Transport
from playground.flows.artefacts import Artefact
from playground.flows.guide import FlowGuide

Lane = Literal["browser", "client", "authorization", "resource"]
LANES: tuple[tuple[Lane, str], ...] = (
    ("browser", "Browser"),
    ("client", "Client app"),
    ("authorization", "Authorization server"),
    ("resource", "Resource server"),
)
_LANE_INDEX = {lane: number for number, (lane, _) in enumerate(LANES, start=1)}

_SHORTER = (
    ("/services/oauth2/", "/"),
    ("/services/data/v62.0/", "/data/"),
    ("/.well-known/openid-configuration", "/.well-known/…"),
    ("/playground/callback/", "/callback"),
)

# back-channel: the playground's server sends it; browser: the person's browser goes to the org;
# callback: filled in when the org sends the browser back.
StepKind = Literal["back-channel", "browser", "callback"]
Outcome = Literal["ok", "error"]


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
        names = dict(LANES)
        return f"{names[self.source]} to {names[self.target]}: {self.label}"


@dataclass(frozen=True)
class StepContext:
    """Everything a step may use: the app's credentials, the org, and what earlier steps kept."""

    client_id: str
    client_secret: str  # empty for a public client
    base_url: str  # the org's issuer and the base of its endpoints
    redirect_uri: str
    values: Mapping[str, str]
    transport: Transport
    received: Mapping[str, str] = field(default_factory=dict)  # callback steps only
    received_exchange: HttpExchange | None = None  # the redirect, for callback steps


@dataclass(frozen=True)
class StepResult:
    outcome: Outcome
    headline: str
    exchanges: tuple[HttpExchange, ...] = ()
    artefacts: tuple[Artefact, ...] = ()
    remember: tuple[tuple[str, str], ...] = ()
    browser_url: str = ""  # browser steps: where to send the person next
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    kind: StepKind
    spec: str  # the section that defines this message, e.g. "RFC 6749 §4.1.3"
    arrows: tuple[Arrow, ...]
    summary: str  # shown before the step runs: what it will do
    why: str  # shown after: what just happened and why it matters
    run: Callable[[StepContext], StepResult]
    salesforce: tuple[str, ...] = ()  # where Salesforce departs from the RFC here
    button: str = "Send it"


@dataclass(frozen=True)
class AppSpec:
    """The connected app a flow needs; passed to the org's create_connected_app."""

    grants: tuple[str, ...]
    scopes: tuple[str, ...]
    public: bool = False
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

"""What the lab page shows of a run: both handshakes side by side, and each fault's latest try."""

from __future__ import annotations

from dataclasses import dataclass

from playground.labs.tls.bound_token import BoundTokenAttempt
from playground.labs.tls.lab_store import token_attempts, transcripts
from playground.labs.tls.scenarios import FAULTS, HANDSHAKES, Scenario
from playground.labs.tls.transcript import Transcript
from playground.models import TlsLabRun


@dataclass(frozen=True)
class Shown:
    scenario: Scenario
    transcript: Transcript | None  # None until the person asks for it
    tries: int = 0


@dataclass(frozen=True)
class LabPage:
    handshakes: tuple[Shown, ...]
    faults: tuple[Shown, ...]
    bound_token: BoundTokenAttempt | None  # the latest of each, None until tried
    stolen_token: BoundTokenAttempt | None


def lab_page(run: TlsLabRun) -> LabPage:
    latest: dict[str, Transcript] = {}
    tries: dict[str, int] = {}
    for transcript in transcripts(run):
        latest[transcript.scenario] = transcript
        tries[transcript.scenario] = tries.get(transcript.scenario, 0) + 1

    def shown(scenario: Scenario) -> Shown:
        return Shown(scenario, latest.get(scenario.slug), tries.get(scenario.slug, 0))

    attempts = {attempt.kind: attempt for attempt in token_attempts(run)}
    return LabPage(
        handshakes=tuple(shown(scenario) for scenario in HANDSHAKES),
        faults=tuple(shown(scenario) for scenario in FAULTS),
        bound_token=attempts.get("bound-token"),
        stolen_token=attempts.get("stolen-token"),
    )

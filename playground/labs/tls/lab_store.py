"""A visitor's lab runs in the database: performing a scenario's handshake and keeping it.

Every write checks the run's version, as playground runs do, so two tabs cannot lose each
other's handshakes; nothing of a run lives in process memory.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import F
from django.utils import timezone

from playground.labs.tls import bound_token, cast
from playground.labs.tls.handshake import perform
from playground.labs.tls.scenarios import HANDSHAKES, SCENARIOS, Scenario
from playground.labs.tls.transcript import Transcript
from playground.models import TlsLabRun
from playground.run_store import dump, load

# Enough for every fault several times over; the oldest go first.
MAX_HANDSHAKES_KEPT = 40
MAX_TOKEN_ATTEMPTS_KEPT = 10
RECENT_RUNS = 5


def start_run(owner: str) -> TlsLabRun:
    """A new run holding the two handshakes the lab shows side by side, performed now."""
    actors = cast.make_cast()
    now = datetime.now(UTC)
    performed = [dump(perform(scenario.build(actors), now=now)) for scenario in HANDSHAKES]
    return TlsLabRun.objects.create(owner=owner, handshakes=performed)


def break_run(run: TlsLabRun, scenario: Scenario) -> tuple[TlsLabRun, bool]:
    """The run after performing `scenario`'s handshake; False if another tab wrote first."""
    transcript = perform(scenario.build(cast.make_cast()), now=datetime.now(UTC))
    kept = [*run.handshakes, dump(transcript)]
    main, faults = kept[: len(HANDSHAKES)], kept[len(HANDSHAKES) :]
    kept = [*main, *faults[-(MAX_HANDSHAKES_KEPT - len(main)) :]]
    updated = TlsLabRun.objects.filter(pk=run.pk, version=run.version).update(
        handshakes=kept, version=F("version") + 1, updated=timezone.now()
    )
    return TlsLabRun.objects.get(pk=run.pk), bool(updated)


def try_bound_token(run: TlsLabRun, *, stolen: bool) -> tuple[TlsLabRun, bool]:
    """The run after asking the org for a bound token and using it (with its certificate, or
    stolen without it); False if another tab wrote first."""
    client_id, result = bound_token.attempt(run.client_id, owner=run.owner, stolen=stolen)
    kept = [*run.token_attempts, dump(result)][-MAX_TOKEN_ATTEMPTS_KEPT:]
    updated = TlsLabRun.objects.filter(pk=run.pk, version=run.version).update(
        client_id=client_id, token_attempts=kept, version=F("version") + 1, updated=timezone.now()
    )
    return TlsLabRun.objects.get(pk=run.pk), bool(updated)


def token_attempts(run: TlsLabRun) -> list[bound_token.BoundTokenAttempt]:
    entries = [entry for entry in run.token_attempts if isinstance(entry, dict)]
    return [load(bound_token.BoundTokenAttempt, entry) for entry in entries]


def owned_run(run_id: str, *, owner: str) -> TlsLabRun | None:
    return TlsLabRun.objects.filter(pk=run_id, owner=owner).first()


def recent_runs(owner: str) -> list[TlsLabRun]:
    return list(TlsLabRun.objects.filter(owner=owner)[:RECENT_RUNS])


def transcripts(run: TlsLabRun) -> list[Transcript]:
    """Every handshake of the run, in the order performed, skipping scenarios since withdrawn."""
    found = [load(Transcript, entry) for entry in run.handshakes if isinstance(entry, dict)]
    return [transcript for transcript in found if transcript.scenario in SCENARIOS]

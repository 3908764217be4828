"""The lab run as a transcript for the playground's curl and raw HTTP exports, secrets redacted
as in every other export."""

from __future__ import annotations

from django.conf import settings

from playground.export import Entry, Transcript
from playground.labs.events.lab import action
from playground.labs.events.report import done
from playground.models import EventLabRun
from playground.redaction import Redaction, Secret


def transcript_of(run: EventLabRun) -> Transcript:
    """Every action and fault of the run, in the order they happened."""
    entries: list[Entry] = []
    for item in done(run):
        found = action(item.step)
        if found is None:
            continue  # an action since withdrawn from the lab
        fault = found.step.fault(item.fault) if item.fault else None
        entries.append(
            Entry(
                number=len(entries) + 1,
                title=found.step.title,
                spec=found.step.spec,
                kind=found.step.kind,
                headline=item.result.headline,
                outcome=item.result.outcome,
                exchanges=item.result.exchanges,
                at=item.result.at,
                fault=fault.label if fault else "",
                does=fault.does if fault else "",
                lesson=fault.lesson if fault else None,
            )
        )
    found_secrets = [Secret(run.client_secret, "client_secret")] if run.client_secret else []
    for entry in entries:
        for exchange in entry.exchanges:
            found_secrets += exchange.secrets
    return Transcript(
        flow_name="The event lab",
        issuer=settings.HANDSHAKE_BASE_URL,
        client_id=run.client_id,
        run_id=run.id,
        created=run.created,
        entries=tuple(entries),
        redaction=Redaction.of(found_secrets),
    )

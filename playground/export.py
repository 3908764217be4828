"""A run as a transcript: for a share link, a curl script or raw HTTP, secrets redacted.

Redaction comes from one place, the exchanges' own record of their secrets (`Redaction`),
so every way of showing a run hides the same values under the same placeholders.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from unicodedata import category
from urllib.parse import parse_qsl

from playground import servers
from playground.exchange import HttpExchange
from playground.models import FlowRun
from playground.redaction import SECRET_NAMES, Redaction, Secret, Segment
from playground.run_store import breakages, results
from playground.vocabulary import Flow, Lesson, StepKind

# Headers the sender works out for itself; a script that copied them would only get them wrong.
_COMPUTED_HEADERS = frozenset({"host", "content-length", "connection", "accept-encoding"})


@dataclass(frozen=True)
class Entry:
    """One step of the run, or one Break it attempt on a step, with what went over the wire."""

    number: int
    title: str
    spec: str
    kind: StepKind
    headline: str
    outcome: str
    exchanges: tuple[HttpExchange, ...]
    at: float
    fault: str = ""  # the fault's label, for a Break it attempt
    does: str = ""
    lesson: Lesson | None = None


@dataclass(frozen=True)
class RedactedExchange:
    """An exchange cut into segments in which every secret is only its placeholder's name."""

    exchange: HttpExchange
    summary: str  # method, host and target, redacted
    request: tuple[Segment, ...]
    response: tuple[Segment, ...]


@dataclass(frozen=True)
class RedactedEntry:
    entry: Entry
    headline: str
    exchanges: tuple[RedactedExchange, ...]


@dataclass(frozen=True)
class Transcript:
    flow_name: str
    issuer: str
    client_id: str
    run_id: str
    created: datetime
    entries: tuple[Entry, ...]
    redaction: Redaction

    def redacted(self) -> tuple[RedactedEntry, ...]:
        """The entries as a share page shows them: no secret value anywhere in them."""
        hide = self.redaction
        return tuple(
            RedactedEntry(
                entry,
                hide.text(entry.headline),
                tuple(
                    RedactedExchange(
                        exchange,
                        hide.text(f"{exchange.method} {exchange.host}{exchange.target}"),
                        tuple(_blank(hide.segments(exchange.request_text()))),
                        tuple(_blank(hide.segments(exchange.response_text()))),
                    )
                    for exchange in entry.exchanges
                ),
            )
            for entry in self.entries
        )


def _blank(segments: tuple[Segment, ...]) -> list[Segment]:
    # A secret segment keeps only its placeholder name; its text is dropped.
    return [Segment("", True, s.name) if s.secret else s for s in segments]


def transcript_of(run: FlowRun, flow: Flow) -> Transcript:
    """Every recorded step and attempt, in the order they happened."""
    done = results(run)
    broken = breakages(run, flow)
    entries: list[Entry] = []
    for number, step in enumerate(flow.steps, start=1):
        if (result := done.get(step.slug)) is not None:
            entries.append(
                Entry(
                    number,
                    step.title,
                    step.spec,
                    step.kind,
                    result.headline,
                    result.outcome,
                    result.exchanges,
                    result.at,
                )
            )
        entries += [
            Entry(
                number,
                step.title,
                step.spec,
                step.kind,
                tried.result.headline,
                tried.result.outcome,
                tried.result.exchanges,
                tried.result.at,
                fault=tried.fault.label,
                does=tried.fault.does,
                lesson=tried.fault.lesson,
            )
            for tried in broken.get(step.slug, ())
        ]
    entries.sort(key=lambda entry: entry.at)
    return Transcript(
        flow_name=flow.name,
        issuer=run.base_url,
        client_id=run.client_id,
        run_id=run.id,
        created=run.created,
        entries=tuple(entries),
        redaction=redaction_of(run, entries),
    )


def redaction_of(run: FlowRun, entries: list[Entry]) -> Redaction:
    """Placeholders for every secret the run's exchanges recorded, the app's own secret, and
    the credentials the run keeps for a later step (a PKCE verifier shown before it is sent)."""
    found: list[Secret] = []
    secret = servers.secret_of(run.server) if run.server is not None else run.client_secret
    if secret:
        found.append(Secret(secret, "client_secret"))
    for entry in entries:
        for exchange in entry.exchanges:
            found += exchange.secrets
            # A Basic header's secret read out (a wrong one, sent by Break it) needs its own name.
            found += [Secret(f.value, f.name) for f in exchange.decoded().basic if f.secret]
    kept = run.values.items()
    found += [Secret(v, k) for k, v in kept if k in SECRET_NAMES and isinstance(v, str)]
    return Redaction.of(found)


# Raw HTTP ----------------------------------------------------------------------------------------


def raw_http(transcript: Transcript, *, redact: bool = True) -> str:
    """The run as plain HTTP/1.1 messages, with <name> placeholders for secrets."""

    def shown(text: str) -> str:
        return transcript.redaction.text(text) if redact else text

    lines = [
        f"Handshake transcript: {transcript.flow_name}, run {transcript.run_id[:8]}",
        f"Issuer: {transcript.issuer}",
        f"Client ID: {transcript.client_id}",
        f"Started: {transcript.created.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
        "Secrets are written as <name>: the same name stands for the same value throughout."
        if redact
        else "Secrets are included as they were sent. Keep this file private.",
        "",
    ]
    for entry in transcript.entries:
        lines.append("=" * 78)
        lines.append(_heading(entry))
        if entry.does:
            lines.append(f"What was broken: {entry.does}")
        lines.append(f"Result: {shown(entry.headline)}")
        if entry.lesson:
            lines += [
                f"Why: {entry.lesson.why}",
                f"Without this check: {entry.lesson.gain}",
                f"Fix: {entry.lesson.fix}",
            ]
        for exchange in entry.exchanges:
            lines += ["", shown(exchange.request_text()), "", shown(exchange.response_text())]
        lines.append("")
    return "\n".join(lines) + "\n"


def _heading(entry: Entry) -> str:
    if entry.fault:
        return f"Step {entry.number}, broken on purpose ({entry.fault}): {entry.title}"
    return f"Step {entry.number}: {entry.title} ({entry.spec})"


# curl ----------------------------------------------------------------------------------------


def _variable(name: str) -> str:
    return name.upper()


def _word(segments: tuple[Segment, ...], used: dict[str, None]) -> str:
    """One shell word: literal text single-quoted, each secret as "${VARIABLE}"."""
    parts = []
    for segment in segments:
        if segment.secret:
            used[_variable(segment.name)] = None
            parts.append(f'"${{{_variable(segment.name)}}}"')
        elif segment.text:
            parts.append(shlex.quote(segment.text))
    return "".join(parts) or "''"


# Unicode's control characters (C0, DEL, C1) and its line and paragraph separators.
_BREAKS_A_LINE = frozenset({"Cc", "Zl", "Zp"})


def _comment(text: str) -> str:
    """A shell comment line holding `text`: a server's words or an issuer a visitor typed may
    carry CR, LF or other controls that would end the comment and start a command."""
    return "# " + "".join(" " if category(char) in _BREAKS_A_LINE else char for char in text)


def curl_script(transcript: Transcript, *, redact: bool = True) -> str:
    """The run as a bash script of curl commands, one per exchange the client sent.

    Redacted secrets become shell variables, which must be exported before it runs.
    """
    redaction = transcript.redaction if redact else Redaction(())
    used: dict[str, None] = {}

    def word(text: str) -> str:
        return _word(redaction.segments(text), used)

    body: list[str] = []
    for entry in transcript.entries:
        body += ["", _comment(_heading(entry))]
        if entry.does:
            body.append(_comment(f"Broken on purpose: {entry.does}"))
        body.append(_comment(f"What came back: {redaction.text(entry.headline)}"))
        for exchange in entry.exchanges:
            if entry.kind == "callback":
                # The browser's request, carrying the redirect: nothing for a script to send.
                body.append(_comment(f"The browser arrived at: {redaction.text(exchange.url)}"))
                continue
            body += _curl(exchange, word)
    lines = [
        "#!/usr/bin/env bash",
        _comment(f"{transcript.flow_name}: run {transcript.run_id[:8]}, recorded by Handshake"),
        _comment(f"Issuer: {transcript.issuer}"),
        "#",
        "# Each command repeats one request the client sent. Codes and rotated tokens work",
        "# once, so running this again shows the errors a replay gets.",
    ]
    if used:
        lines += [
            "# Secrets are left out. Export each of these before running the script:",
            *(f"#   export {name}=..." for name in used),
        ]
    elif not redact:
        lines.append("# This script contains secrets. Keep it private.")
    lines += ["", "set -euo pipefail", ""]
    lines += [f': "${{{name}:?export {name} first}}"' for name in used]
    return "\n".join(lines + body) + "\n"


def _curl(exchange: HttpExchange, quote: Callable[[str], str]) -> list[str]:
    command = [
        "curl --silent --show-error --include",
        f"  --request {exchange.method}",
        f"  {quote(exchange.url)}",
    ]
    for name, value in exchange.request_headers:
        if name.lower() in _COMPUTED_HEADERS:
            continue
        command.append(f"  --header {quote(f'{name}: {value}')}")
    content_type = next((v for k, v in exchange.request_headers if k.lower() == "content-type"), "")
    if exchange.request_body and "x-www-form-urlencoded" in content_type:
        # Field by field, so each (possibly placeholder) value is encoded by curl itself.
        for name, value in parse_qsl(exchange.request_body, keep_blank_values=True):
            command.append(f"  --data-urlencode {quote(f'{name}={value}')}")
    elif exchange.request_body:
        command.append(f"  --data-raw {quote(exchange.request_body)}")
    status = f"{exchange.status} {exchange.reason}".strip() if exchange.status else "no answer"
    return [f"# The server answered {status}.", " \\\n".join(command), "echo"]

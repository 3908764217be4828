"""The decision record's own details: the integration's name (its title), owner, status, date,
and where the team chose differently from the advisor. They travel in the permalink too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal
from urllib.parse import urlencode

from advisor.questions import Answers, FieldError, QueryLike
from config.text import without_control_characters

Status = Literal["proposed", "accepted", "superseded"]
STATUSES: tuple[Status, ...] = ("proposed", "accepted", "superseded")
_STATUS_BY_NAME: dict[str, Status] = {status: status for status in STATUSES}
MAX_LINE = 120
MAX_OVERRIDE = 1000

# Query keys, in permalink order.
TITLE, OWNER, STATUS, DATE, OVERRIDE = (
    "record-title",
    "record-owner",
    "record-status",
    "record-date",
    "record-override",
)
KEYS = (TITLE, OWNER, STATUS, DATE, OVERRIDE)


@dataclass(frozen=True)
class RecordDetails:
    title: str = ""  # the integration's name
    owner: str = ""
    status: Status = "proposed"
    date: date | None = None
    override: str = ""  # "we chose X over the advisor's pick because …"
    errors: tuple[FieldError, ...] = ()

    def to_query(self) -> str:
        """The details as query pairs; the default status and empty fields are left out."""
        pairs = [
            (TITLE, self.title),
            (OWNER, self.owner),
            (STATUS, "" if self.status == "proposed" else self.status),
            (DATE, self.date.isoformat() if self.date else ""),
            (OVERRIDE, self.override),
        ]
        return urlencode([(key, value) for key, value in pairs if value])

    def error(self, key: str) -> str:
        """What was wrong with one field, or ""."""
        return " ".join(error.message for error in self.errors if error.question == key)


def design_query(answers: Answers, record: RecordDetails) -> str:
    """The permalink's query: the answers in catalogue order, then the record's details."""
    return "&".join(part for part in (answers.to_query(), record.to_query()) if part)


def _line(raw: str, limit: int) -> str:
    return " ".join(without_control_characters(raw).split())[:limit].rstrip()


def _paragraphs(raw: str) -> str:
    """Free text kept as lines: each line's control characters and extra spaces go."""
    lines = (" ".join(without_control_characters(line).split()) for line in raw.splitlines())
    return "\n".join(line for line in lines if line)[:MAX_OVERRIDE].rstrip()


def _date(raw: str) -> date | None:
    # Only YYYY-MM-DD: fromisoformat also takes 20250301 and week dates, which nobody types here.
    if len(raw) != 10:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def parse_record(data: QueryLike) -> RecordDetails:
    """Read the record's details from a query string; never raises, reports what it dropped."""
    errors: list[FieldError] = []
    status_raw = (data.get(STATUS) or "").strip()
    status = _STATUS_BY_NAME.get(status_raw, "proposed")
    if status_raw and status_raw not in _STATUS_BY_NAME:
        errors.append(FieldError(STATUS, "Choose proposed, accepted or superseded."))
    date_raw = _line(data.get(DATE) or "", 40)
    when = _date(date_raw) if date_raw else None
    if date_raw and when is None:
        errors.append(FieldError(DATE, f"“{date_raw[:20]}” is not a date like 2026-03-01."))
    raw_override = data.get(OVERRIDE) or ""
    if len(raw_override) > MAX_OVERRIDE:
        errors.append(FieldError(OVERRIDE, f"Only the first {MAX_OVERRIDE} characters are kept."))
    return RecordDetails(
        title=_line(data.get(TITLE) or "", MAX_LINE),
        owner=_line(data.get(OWNER) or "", MAX_LINE),
        status=status,
        date=when,
        override=_paragraphs(raw_override[: MAX_OVERRIDE * 2]),
        errors=tuple(errors),
    )

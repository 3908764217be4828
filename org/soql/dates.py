"""SOQL's relative date literals as ranges of days: [first day, day after the last). The org's
time zone is UTC and its weeks start on Sunday (the en_US locale); fiscal years are calendar
years, which is Salesforce's default."""

from __future__ import annotations

from datetime import date, timedelta

from org.soql.syntax import DateLiteral

DayRange = tuple[date, date]
_SAME_AS = {
    "YESTERDAY": ("LAST", "DAY", None),
    "TODAY": ("THIS", "DAY", None),
    "TOMORROW": ("NEXT", "DAY", None),
    "LAST_90_DAYS": ("LAST_N", "DAY", 90),
    "NEXT_90_DAYS": ("NEXT_N", "DAY", 90),
}
_MONTHS_IN = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}


def _split(literal: DateLiteral) -> tuple[str, str, int]:
    """LAST_WEEK → ("LAST", "WEEK", 0), LAST_N_DAYS:5 → ("LAST_N", "DAY", 5),
    N_MONTHS_AGO:2 → ("AGO", "MONTH", 2)."""
    if literal.name in _SAME_AS:
        kind, unit, n = _SAME_AS[literal.name]
        return kind, unit, n or 0
    words = literal.name.split("_")
    n = literal.n or 0
    if words[0] == "N":
        return "AGO", words[1].removesuffix("S"), n
    if words[1] == "N":
        return f"{words[0]}_N", words[2].removesuffix("S"), n
    return words[0], words[1], n


def _periods(kind: str, n: int, unit: str) -> tuple[int, int]:
    """Where the range starts and ends, in periods from the current one's start."""
    if kind == "LAST_N":
        # Salesforce: the last n days include today; the last n weeks, months… do not
        # include the current one.
        return -n, 1 if unit == "DAY" else 0
    return {"LAST": (-1, 0), "THIS": (0, 1), "NEXT": (1, 2), "NEXT_N": (1, n + 1)}.get(
        kind, (-n, 1 - n)
    )


def _days_later(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def _months_later(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    if year < date.min.year:
        return date.min
    if year > date.max.year:
        return date.max
    return date(year, month + 1, 1)


def day_range(literal: DateLiteral, today: date) -> DayRange:
    kind, unit, n = _split(literal)
    first, last = _periods(kind, n, unit)
    if unit == "DAY":
        return _days_later(today, first), _days_later(today, last)
    if unit == "WEEK":
        # Python's weekday() counts from Monday; the week here starts on Sunday.
        week = _days_later(today, -((today.weekday() + 1) % 7))
        return _days_later(week, 7 * first), _days_later(week, 7 * last)
    months = _MONTHS_IN[unit]
    start = date(today.year, (today.month - 1) // months * months + 1, 1)
    return _months_later(start, first * months), _months_later(start, last * months)

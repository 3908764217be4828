"""Running a parsed query over rows: each row a mapping of field name to value in the REST API's
JSON forms, a parent record nested under its relationship name. Names match ignoring case, and
so do text comparisons, LIKE and ORDER BY on text, as in SOQL."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from org.soql.dates import day_range
from org.soql.syntax import (
    Condition,
    DateLiteral,
    FieldPath,
    Junction,
    Like,
    Membership,
    Negation,
    Ordering,
    Query,
    Value,
)
from org.soql.tokens import QuotedText

Row = Mapping[str, Any]
_MISSING = object()


def evaluate(query: Query, rows: Iterable[Row], *, today: date) -> list[Row]:
    """The rows the query selects, in its order, past its OFFSET and within its LIMIT."""
    matched = [row for row in rows if query.where is None or _holds(query.where, row, today)]
    for ordering in reversed(query.order_by):
        matched.sort(key=partial(_order_key, ordering), reverse=ordering.descending)
    start = query.offset or 0
    end = None if query.limit is None else start + query.limit
    return matched[start:end]


def value_at(row: Row, path: FieldPath) -> Any:
    """The value a field path names in a row (None past a missing parent), ignoring case."""
    current: Any = row
    for name in path:
        if not isinstance(current, Mapping):
            return None
        found = current.get(name, _MISSING)
        if found is _MISSING:
            lowered = name.lower()
            found = next((v for k, v in current.items() if k.lower() == lowered), None)
        current = found
    return current


def _holds(condition: Condition, row: Row, today: date) -> bool:
    if isinstance(condition, Junction):
        results = (_holds(c, row, today) for c in condition.conditions)
        return all(results) if condition.operator == "AND" else any(results)
    if isinstance(condition, Negation):
        return not _holds(condition.condition, row, today)
    value = value_at(row, condition.field)
    if isinstance(condition, Like):
        return isinstance(value, str) and _like(value, condition.pattern)
    if isinstance(condition, Membership):
        found = any(_compare(value, "=", v, today) for v in condition.values)
        return found != condition.negated
    return _compare(value, condition.operator, condition.value, today)


def _compare(value: Any, operator: str, literal: Value, today: date) -> bool:
    if operator == "!=":
        return not _compare(value, "=", literal, today)
    if literal is None or value is None:
        return operator == "=" and literal is None and value is None
    if isinstance(literal, DateLiteral):
        return _in_range(value, operator, day_range(literal, today))
    mine, theirs = _comparable(value, literal), _comparable(literal, literal)
    if mine is None or theirs is None:
        return False
    return bool(
        {
            "=": mine == theirs,
            "<": mine < theirs,
            "<=": mine <= theirs,
            ">": mine > theirs,
            ">=": mine >= theirs,
        }[operator]
    )


def _in_range(value: Any, operator: str, days: tuple[date, date]) -> bool:
    moment = _moment(value)
    if moment is None:
        return False
    if isinstance(moment, datetime):
        first, after = (datetime.combine(d, time(), UTC) for d in days)
        return _range_holds(moment, operator, first, after)
    return _range_holds(moment, operator, *days)


def _range_holds(value: Any, operator: str, first: Any, after: Any) -> bool:
    # A date literal is a range: = inside it, < before it starts, > after it ends.
    return bool(
        {
            "=": first <= value < after,
            "<": value < first,
            "<=": value < after,
            ">": value >= after,
            ">=": value >= first,
        }[operator]
    )


def _moment(value: Any) -> date | datetime | None:
    """A stored date ("2024-05-01") or datetime ("2024-05-01T09:30:00.000+0000") read back."""
    if isinstance(value, datetime | date):
        return value
    if not isinstance(value, str):
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _comparable(value: Any, like: Value) -> Any:
    """`value` in a form that compares with literals of `like`'s kind, or None."""
    if isinstance(like, bool):
        return value if isinstance(value, bool) else None
    if isinstance(like, Decimal):
        return _number(value)
    if isinstance(like, datetime):
        moment = _moment(value)
        if isinstance(moment, datetime):
            return moment
        return datetime.combine(moment, time(), UTC) if isinstance(moment, date) else None
    if isinstance(like, date):
        moment = _moment(value)
        return moment.date() if isinstance(moment, datetime) else moment
    return value.lower() if isinstance(value, str) else None


def _number(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _order_key(ordering: Ordering, row: Row) -> tuple[int, int, Any]:
    value = value_at(row, ordering.field)
    if value is None:
        # Sorting in reverse flips where nulls land, so their rank is chosen to undo it.
        nulls_sort_low = ordering.nulls_last == ordering.descending
        return (0 if nulls_sort_low else 2, 0, 0)
    if isinstance(value, bool):
        return (1, 0, value)
    number = None if isinstance(value, str) else _number(value)
    if number is not None:
        return (1, 1, number)
    return (1, 2, str(value).lower())


def _like(value: str, pattern: QuotedText) -> bool:
    """SOQL LIKE: % any run of characters, _ one character, \\% and \\_ themselves; ignoring
    case. Pieces between %s are found leftmost-first, which is exact for this grammar and
    takes at most len(value) × len(pattern) character checks: no backtracking."""
    pieces: list[list[str | None]] = [[]]
    for char, escaped in zip(pattern.text, pattern.escaped, strict=True):
        if char == "%" and not escaped:
            pieces.append([])
        else:
            pieces[-1].append(None if char == "_" and not escaped else char.lower())
    text = value.lower()
    if sum(len(p) for p in pieces) > len(text):
        return False
    if len(pieces) == 1:
        return len(text) == len(pieces[0]) and _fits(text, 0, pieces[0])
    first, *middle, last = pieces
    at, end = len(first), len(text) - len(last)
    if not (_fits(text, 0, first) and _fits(text, end, last)):
        return False
    for piece in middle:
        found = _find(text, piece, at, end)
        if found < 0:
            return False
        at = found + len(piece)
    return at <= end


def _fits(text: str, at: int, piece: Sequence[str | None]) -> bool:
    return all(c is None or text[at + i] == c for i, c in enumerate(piece))


def _find(text: str, piece: Sequence[str | None], start: int, end: int) -> int:
    if None not in piece:
        return text.find("".join(piece), start, end)  # type: ignore[arg-type]
    # Literal characters and single-character wildcards only: a regular expression without
    # repetition or alternatives cannot backtrack past one attempt per position.
    compiled = re.compile("".join("." if c is None else re.escape(c) for c in piece), re.DOTALL)
    match = compiled.search(text, start, end)
    return match.start() if match else -1

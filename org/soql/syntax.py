"""A parsed SOQL query as data: what it selects, from which object, the condition a row must
meet, its order, limit and offset."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from org.soql.tokens import QuotedText

# A field as the query names it: relationship names, then the field ("Account", "Name").
FieldPath = tuple[str, ...]


@dataclass(frozen=True)
class DateLiteral:
    """A relative range of days such as TODAY, LAST_MONTH or LAST_N_DAYS:30 (`n` for the
    ones that take a number)."""

    name: str
    n: int | None = None


Value = str | Decimal | bool | date | datetime | DateLiteral | None


@dataclass(frozen=True)
class Comparison:
    field: FieldPath
    operator: str  # = != < <= > >=
    value: Value


@dataclass(frozen=True)
class Like:
    field: FieldPath
    pattern: QuotedText  # % and _ are wildcards unless written \% and \_


@dataclass(frozen=True)
class Membership:
    field: FieldPath
    values: tuple[Value, ...]
    negated: bool  # NOT IN


@dataclass(frozen=True)
class Negation:
    condition: Condition


@dataclass(frozen=True)
class Junction:
    operator: str  # AND or OR: SOQL wants parentheses before it mixes the two
    conditions: tuple[Condition, ...]


Condition = Comparison | Like | Membership | Negation | Junction


@dataclass(frozen=True)
class Ordering:
    field: FieldPath
    descending: bool = False
    nulls_last: bool = False


@dataclass(frozen=True)
class Query:
    sobject: str
    fields: tuple[FieldPath, ...]  # empty for SELECT COUNT()
    count: bool = False
    where: Condition | None = None
    order_by: tuple[Ordering, ...] = ()
    limit: int | None = None
    offset: int | None = None

    def field_paths(self) -> tuple[FieldPath, ...]:
        """Every field the query names, in SELECT, WHERE and ORDER BY, each once."""
        named = [*self.fields, *_condition_fields(self.where), *(o.field for o in self.order_by)]
        return tuple(dict.fromkeys(named))


def _condition_fields(condition: Condition | None) -> Iterator[FieldPath]:
    # An explicit stack: the parser caps nesting, but this walk needs no recursion at all.
    pending = [condition] if condition is not None else []
    while pending:
        current = pending.pop()
        if isinstance(current, Negation):
            pending.append(current.condition)
        elif isinstance(current, Junction):
            pending.extend(reversed(current.conditions))
        else:
            yield current.field

"""A very small SOQL: SELECT fields FROM object [WHERE field = 'text'] [LIMIT n]."""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUERY = re.compile(
    r"""^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<sobject>[A-Za-z_][A-Za-z0-9_]*)
        (?:\s+WHERE\s+(?P<field>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*'(?P<value>(?:[^'\\]|\\.)*)')?
        (?:\s+LIMIT\s+(?P<limit>\d{1,9}))?\s*$""",
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ESCAPE = re.compile(r"\\(.)")
MAX_LENGTH = 4000
MAX_LIMIT = 2000


class MalformedQuery(ValueError):
    """The query is outside the small grammar this org understands."""


@dataclass(frozen=True)
class Query:
    fields: tuple[str, ...]
    sobject: str
    where: tuple[str, str] | None
    limit: int | None


def parse(text: str) -> Query:
    if not text or not text.strip():
        raise MalformedQuery("The query is empty: send q=SELECT … FROM …")
    if len(text) > MAX_LENGTH:
        raise MalformedQuery(f"The query is longer than {MAX_LENGTH} characters.")
    match = _QUERY.match(text)
    if match is None:
        raise MalformedQuery(
            "This org understands SELECT field, … FROM Account|Contact "
            "[WHERE Field = 'text'] [LIMIT n], and nothing else."
        )
    fields = tuple(field.strip() for field in match["fields"].split(","))
    for field in fields:
        if not _FIELD.match(field):
            raise MalformedQuery(f"unexpected token: {field[:40]!r} is not a field name.")
    where = None
    if match["field"]:
        where = (match["field"], _ESCAPE.sub(r"\1", match["value"]))
    limit = None
    if match["limit"]:
        limit = int(match["limit"])
        if not 1 <= limit <= MAX_LIMIT:
            raise MalformedQuery(f"LIMIT must be from 1 to {MAX_LIMIT}.")
    return Query(fields=fields, sobject=match["sobject"], where=where, limit=limit)

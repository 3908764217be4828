"""SOQL as the org reads it: `parse` a query's text into a `Query` (or `MalformedQuery`), then
`evaluate` it over rows."""

from __future__ import annotations

from org.soql.errors import MalformedQuery
from org.soql.evaluator import evaluate
from org.soql.parser import parse
from org.soql.syntax import Query

__all__ = ["MalformedQuery", "Query", "evaluate", "parse"]

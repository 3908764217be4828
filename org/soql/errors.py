"""The one error SOQL parsing raises, worded as Salesforce words it: the line of the query, a
caret under the place, `ERROR at Row:r:Column:c`, and what was wrong there."""

from __future__ import annotations

# How much of a long line the message shows either side of the place it points at.
_EXCERPT_REACH = 40


class MalformedQuery(ValueError):
    """The query is outside the SOQL this org understands. `error_code` is Salesforce's code
    for the answer: MALFORMED_QUERY, or QUERY_TOO_COMPLICATED / NUMBER_OUTSIDE_VALID_RANGE."""

    def __init__(
        self, text: str, position: int, reason: str, *, error_code: str = "MALFORMED_QUERY"
    ) -> None:
        self.error_code = error_code
        self.reason = reason
        position = min(position, len(text))
        line_start = text.rfind("\n", 0, position) + 1
        self.row = text.count("\n", 0, position) + 1
        self.column = position - line_start + 1
        excerpt = _excerpt(text, position, line_start)
        super().__init__(f"\n{excerpt}\nERROR at Row:{self.row}:Column:{self.column}\n{reason}")


def _excerpt(text: str, position: int, line_start: int) -> str:
    """The line around `position`, cut to a readable width, and a caret under the place."""
    line_end = text.find("\n", position)
    line_end = len(text) if line_end == -1 else line_end
    first = max(line_start, position - _EXCERPT_REACH)
    last = min(line_end, position + _EXCERPT_REACH)
    shown = "".join(c if c.isprintable() else " " for c in text[first:last])
    return shown + "\n" + " " * (position - first) + "^"

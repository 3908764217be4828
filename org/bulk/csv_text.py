"""Bulk API 2.0's CSV: reading an upload with the job's delimiter and line ending, and writing
result files whose cells cannot run as spreadsheet formulas (OWASP: CSV injection)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

DELIMITERS = {
    "COMMA": ",",
    "TAB": "\t",
    "PIPE": "|",
    "SEMICOLON": ";",
    "CARET": "^",
    "BACKQUOTE": "`",
}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
# Salesforce writes "#N/A" in a cell to set a field to null; an empty cell leaves it alone.
NULL = "#N/A"
# A cell a spreadsheet would read as a formula starts with one of these (OWASP).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def line_ending_matches(text: str, line_ending: str) -> bool:
    """Whether the upload's line breaks are the job's (quoted values aside, roughly)."""
    if line_ending == "CRLF":
        return "\n" not in text.replace("\r\n", "")
    return "\r\n" not in text


def read_rows(text: str, *, delimiter: str) -> Iterator[list[str]]:
    """The upload's rows, header first; raises csv.Error on a malformed file."""
    return csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITERS[delimiter], strict=True)


def neutralised(value: str) -> str:
    """`value`, with a leading quote if a spreadsheet would run it as a formula; a plain
    number such as -5 stays as it is."""
    if value.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_rows(rows: Iterable[Iterable[str]], *, delimiter: str, line_ending: str) -> str:
    """CSV text of `rows`, every cell quoted and neutralised, as result files are written."""
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=DELIMITERS[delimiter],
        lineterminator=LINE_ENDINGS[line_ending],
        quoting=csv.QUOTE_ALL,
    )
    writer.writerows([neutralised(cell) for cell in row] for row in rows)
    return out.getvalue()

"""SOQL's tokenizer: one pass over the text, each character looked at a bounded number of times
(no regular expressions, so no backtracking: CWE-1333)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import Enum

from org.soql.errors import MalformedQuery

# Salesforce refuses SOQL statements longer than 100,000 characters.
MAX_LENGTH = 100_000
_SPACES = frozenset(" \t\r\n\f")
_DIGITS = frozenset("0123456789")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NAME_CHARACTERS = _LETTERS | _DIGITS | {"_"}
_PUNCTUATION = frozenset("(),.:")
# SOQL's quoted-string escapes; \_ and \% are kept for LIKE, which reads them itself.
_ESCAPES = {
    "n": "\n",
    "N": "\n",
    "r": "\r",
    "R": "\r",
    "t": "\t",
    "T": "\t",
    "b": "\b",
    "B": "\b",
    "f": "\f",
    "F": "\f",
    '"': '"',
    "'": "'",
    "\\": "\\",
}
_HEX = frozenset("0123456789abcdefABCDEF")


class Kind(Enum):
    NAME = "name"
    STRING = "string"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    OPERATOR = "operator"
    PUNCTUATION = "punctuation"
    END = "end"


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str  # as written in the query
    position: int  # index of its first character
    value: object = None  # a string's characters, a number, a date or a datetime

    def is_word(self, *words: str) -> bool:
        return self.kind is Kind.NAME and self.text.upper() in words


@dataclass(frozen=True)
class QuotedText:
    """A quoted string's characters, with where each came from: `escaped[i]` is true when
    character i was written as \\_ or \\%, which LIKE takes literally."""

    text: str
    escaped: tuple[bool, ...]


def tokenize(text: str) -> Iterator[Token]:
    """The tokens of `text`, read as they are asked for, so that an error further on does not
    hide the first one; the last is an END token."""
    if len(text) > MAX_LENGTH:
        raise MalformedQuery(
            text,
            MAX_LENGTH,
            f"SOQL statements cannot be longer than {MAX_LENGTH:,} characters",
        )
    return _Scanner(text).tokens()


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def peek(self, ahead: int = 0) -> str:
        index = self.at + ahead
        return self.text[index] if index < len(self.text) else ""

    def fail(self, reason: str, position: int | None = None) -> MalformedQuery:
        return MalformedQuery(self.text, self.at if position is None else position, reason)

    def tokens(self) -> Iterator[Token]:
        while True:
            while self.peek() in _SPACES:
                self.at += 1
            if self.at >= len(self.text):
                yield Token(Kind.END, "<EOF>", self.at)
                return
            yield self.token()

    def token(self) -> Token:
        start = self.at
        char = self.peek()
        if char in _LETTERS:
            while self.peek() in _NAME_CHARACTERS:
                self.at += 1
            return Token(Kind.NAME, self.text[start : self.at], start)
        if char in _DIGITS or (char == "-" and self.peek(1) in _DIGITS):
            return self.number_or_date()
        if char == "'":
            return self.quoted()
        if char in _PUNCTUATION:
            self.at += 1
            return Token(Kind.PUNCTUATION, char, start)
        operator = self.operator()
        if operator:
            self.at += len(operator)
            return Token(Kind.OPERATOR, operator, start)
        raise self.fail(f"unexpected token: '{char}'")

    def operator(self) -> str:
        pair = self.peek() + self.peek(1)
        if pair in {"!=", "<>", "<=", ">="}:
            return pair
        return self.peek() if self.peek() in {"=", "<", ">"} else ""

    def digits(self) -> str:
        start = self.at
        while self.peek() in _DIGITS:
            self.at += 1
        return self.text[start : self.at]

    def number_or_date(self) -> Token:
        start = self.at
        negative = self.peek() == "-"
        if negative:
            self.at += 1
        whole = self.digits()
        if not negative and len(whole) == 4 and self.peek() == "-":
            return self.date_or_datetime(start)
        if self.peek() == "." and self.peek(1) in _DIGITS:
            self.at += 1
            self.digits()
        self.refuse_glued(start)
        written = self.text[start : self.at]
        return Token(Kind.NUMBER, written, start, Decimal(written))

    def refuse_glued(self, start: int) -> None:
        # "5abc" or "2024-01-01x" is not a number followed by a name: SOQL wants a break.
        if self.peek() in _NAME_CHARACTERS:
            raise self.fail(f"unexpected token: '{self.text[start : self.at + 1][:40]}'", start)

    def fixed_digits(self, count: int, start: int) -> int:
        written = self.text[self.at : self.at + count]
        if len(written) != count or not all(c in _DIGITS for c in written):
            raise self.fail(f"unexpected token: '{self.text[start : self.at + count][:40]}'", start)
        self.at += count
        return int(written)

    def expect(self, char: str, start: int) -> None:
        if self.peek() != char:
            raise self.fail(f"unexpected token: '{self.text[start : self.at + 1][:40]}'", start)
        self.at += 1

    def date_or_datetime(self, start: int) -> Token:
        year = int(self.text[start : self.at])
        self.expect("-", start)
        month = self.fixed_digits(2, start)
        self.expect("-", start)
        day = self.fixed_digits(2, start)
        try:
            day_value = date(year, month, day)
        except ValueError:
            raise self.fail(f"invalid date: {self.text[start : self.at]}", start) from None
        if self.peek() != "T":
            self.refuse_glued(start)
            return Token(Kind.DATE, self.text[start : self.at], start, day_value)
        self.at += 1
        moment = self.clock(start)
        self.refuse_glued(start)
        return Token(
            Kind.DATETIME,
            self.text[start : self.at],
            start,
            datetime.combine(day_value, moment[0], moment[1]).astimezone(UTC),
        )

    def clock(self, start: int) -> tuple[time, timezone]:
        hour = self.fixed_digits(2, start)
        self.expect(":", start)
        minute = self.fixed_digits(2, start)
        self.expect(":", start)
        second = self.fixed_digits(2, start)
        micro = 0
        if self.peek() == ".":
            self.at += 1
            fraction = self.digits()[:6]
            if not fraction:
                raise self.fail(f"unexpected token: '{self.text[start : self.at][:40]}'", start)
            micro = int(fraction.ljust(6, "0"))
        zone = self.zone(start)
        try:
            return time(hour, minute, second, micro), zone
        except ValueError:
            raise self.fail(f"invalid time: {self.text[start : self.at]}", start) from None

    def zone(self, start: int) -> timezone:
        sign = self.peek()
        if sign == "Z":
            self.at += 1
            return UTC
        if sign not in {"+", "-"}:
            raise self.fail(f"unexpected token: '{self.text[start : self.at + 1][:40]}'", start)
        self.at += 1
        hours = self.fixed_digits(2, start)
        self.expect(":", start)
        minutes = self.fixed_digits(2, start)
        if hours > 23 or minutes > 59:
            raise self.fail(f"invalid time zone: {self.text[start : self.at]}", start)
        offset = timedelta(hours=hours, minutes=minutes)
        return timezone(-offset if sign == "-" else offset)

    def quoted(self) -> Token:
        start = self.at
        self.at += 1
        characters: list[str] = []
        escaped: list[bool] = []
        while True:
            char = self.peek()
            if not char:
                raise self.fail("unexpected token: '<EOF>': the quoted string never ends", start)
            self.at += 1
            if char == "'":
                break
            if char != "\\":
                characters.append(char)
                escaped.append(False)
                continue
            characters.append(self.escape(start))
            escaped.append(self.text[self.at - 1] in {"_", "%"})
        value = QuotedText("".join(characters), tuple(escaped))
        return Token(Kind.STRING, self.text[start : self.at], start, value)

    def escape(self, start: int) -> str:
        code = self.peek()
        self.at += 1
        if code in _ESCAPES:
            return _ESCAPES[code]
        if code in {"_", "%"}:
            return code
        if code == "u":
            digits = self.text[self.at : self.at + 4]
            if len(digits) == 4 and all(c in _HEX for c in digits):
                self.at += 4
                return chr(int(digits, 16))
        raise self.fail(
            "Invalid string literal: a backslash may only start \\n \\r \\t \\b \\f \\\" \\' "
            "\\\\ \\_ \\% or \\uXXXX",
            self.at - 2,
        )

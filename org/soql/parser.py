"""SOQL's recursive-descent parser over the tokenizer's tokens: SELECT fields or COUNT(), FROM,
WHERE (comparisons, LIKE, IN, NOT, AND/OR in parentheses), ORDER BY, LIMIT, OFFSET. Each token
is read once; the only recursion is into parentheses, whose depth is capped."""

from __future__ import annotations

from decimal import Decimal

from org.soql.errors import MalformedQuery
from org.soql.syntax import (
    Comparison,
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
from org.soql.tokens import Kind, QuotedText, Token, tokenize

# Parentheses deeper than this answer QUERY_TOO_COMPLICATED instead of growing the stack.
MAX_NESTING = 32
# Salesforce: a query reaches parents at most five relationships away.
MAX_RELATIONSHIP_HOPS = 5
# Salesforce answers NUMBER_OUTSIDE_VALID_RANGE past OFFSET 2000.
MAX_OFFSET = 2000
_MAX_INTEGER = 2**31 - 1
# Salesforce's reserved words: never a field or object name.
_RESERVED = frozenset({
    "AND", "ASC", "DESC", "EXCLUDES", "FIRST", "FROM", "GROUP", "HAVING", "IN", "INCLUDES",
    "LAST", "LIKE", "LIMIT", "NOT", "NULL", "NULLS", "OR", "SELECT", "WHERE", "WITH",
})  # fmt: skip
# Real SOQL this org does not implement: say so rather than only "unexpected token".
_NOT_HERE = {
    "GROUP": "GROUP BY",
    "HAVING": "HAVING",
    "WITH": "WITH",
    "FOR": "FOR VIEW / FOR UPDATE",
    "USING": "USING SCOPE",
    "TYPEOF": "TYPEOF",
    "INCLUDES": "INCLUDES",
    "EXCLUDES": "EXCLUDES",
}
_OPERATORS = {"=": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_PLAIN_DATE_LITERALS = frozenset({
    "YESTERDAY", "TODAY", "TOMORROW", "LAST_WEEK", "THIS_WEEK", "NEXT_WEEK", "LAST_MONTH",
    "THIS_MONTH", "NEXT_MONTH", "LAST_90_DAYS", "NEXT_90_DAYS", "THIS_QUARTER", "LAST_QUARTER",
    "NEXT_QUARTER", "THIS_YEAR", "LAST_YEAR", "NEXT_YEAR",
})  # fmt: skip
_COUNTED_DATE_LITERALS = frozenset(
    name
    for unit in ("DAYS", "WEEKS", "MONTHS", "QUARTERS", "YEARS")
    for name in (f"LAST_N_{unit}", f"NEXT_N_{unit}", f"N_{unit}_AGO")
)


def parse(text: str) -> Query:
    """The query `text` says; MalformedQuery (and nothing else) when it is not SOQL we read."""
    return _Parser(text).query()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.unread = tokenize(text)
        # The current token and the one after it: the parser never looks further ahead.
        self.window = [next(self.unread)]
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.window[0]

    @property
    def following(self) -> Token:
        if len(self.window) == 1:
            self.window.append(next(self.unread, self.current))
        return self.window[1]

    def advance(self) -> Token:
        token = self.current
        if token.kind is not Kind.END:
            self.window = self.window[1:] or [next(self.unread, token)]
        return token

    def fail(self, token: Token | None = None, reason: str = "") -> MalformedQuery:
        token = token or self.current
        if not reason:
            reason = f"unexpected token: '{token.text[:40]}'"
            missing = _NOT_HERE.get(token.text.upper()) if token.kind is Kind.NAME else None
            if missing:
                reason += f" (this org's SOQL has no {missing})"
        return MalformedQuery(self.text, token.position, reason)

    def word(self, *words: str) -> Token:
        if not self.current.is_word(*words):
            raise self.fail()
        return self.advance()

    def punctuation(self, char: str) -> Token:
        if self.current.kind is not Kind.PUNCTUATION or self.current.text != char:
            raise self.fail()
        return self.advance()

    def at_punctuation(self, char: str) -> bool:
        return self.current.kind is Kind.PUNCTUATION and self.current.text == char

    def name(self) -> str:
        token = self.current
        if token.kind is not Kind.NAME or token.text.upper() in _RESERVED:
            raise self.fail()
        return self.advance().text

    def query(self) -> Query:
        self.word("SELECT")
        count, fields = self.selection()
        self.word("FROM")
        sobject = self.name()
        where = None
        if self.current.is_word("WHERE"):
            self.advance()
            where = self.condition()
        order_by = self.order_by()
        limit = self.integer_clause("LIMIT")
        offset = self.integer_clause("OFFSET", at_most=MAX_OFFSET)
        if self.current.kind is not Kind.END:
            raise self.fail()
        return Query(sobject, fields, count, where, order_by, limit, offset)

    def selection(self) -> tuple[bool, tuple[FieldPath, ...]]:
        if self.current.is_word("COUNT") and self.following.text == "(":
            self.advance()
            self.punctuation("(")
            if not self.at_punctuation(")"):
                raise self.fail(reason="this org answers COUNT() only, without a field")
            self.advance()
            return True, ()
        fields = [self.field()]
        while self.at_punctuation(","):
            self.advance()
            fields.append(self.field())
        return False, tuple(fields)

    def field(self) -> FieldPath:
        start = self.current
        parts = [self.name()]
        while self.at_punctuation("."):
            self.advance()
            parts.append(self.name())
        if len(parts) - 1 > MAX_RELATIONSHIP_HOPS:
            raise self.fail(
                start,
                f"SOQL statements cannot query relationships more than "
                f"{MAX_RELATIONSHIP_HOPS} levels away",
            )
        return tuple(parts)

    def condition(self) -> Condition:
        first = self.term()
        if not self.current.is_word("AND", "OR"):
            return first
        operator = self.current.text.upper()
        conditions = [first]
        while self.current.is_word("AND", "OR"):
            # SOQL: AND and OR side by side need parentheses to say which binds first.
            if self.current.text.upper() != operator:
                raise self.fail()
            self.advance()
            conditions.append(self.term())
        return Junction(operator, tuple(conditions))

    def term(self) -> Condition:
        if self.current.is_word("NOT"):
            self.advance()
            return Negation(self.primary())
        return self.primary()

    def primary(self) -> Condition:
        if not self.at_punctuation("("):
            return self.comparison()
        opening = self.advance()
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise MalformedQuery(
                self.text,
                opening.position,
                f"Query is too complicated: parentheses nested more than {MAX_NESTING} deep",
                error_code="QUERY_TOO_COMPLICATED",
            )
        inner = self.condition()
        self.punctuation(")")
        self.depth -= 1
        return inner

    def comparison(self) -> Condition:
        field = self.field()
        token = self.current
        if token.kind is Kind.OPERATOR:
            self.advance()
            return Comparison(field, _OPERATORS[token.text], self.value())
        if token.is_word("LIKE"):
            self.advance()
            pattern = self.current
            if pattern.kind is not Kind.STRING:
                raise self.fail()
            self.advance()
            assert isinstance(pattern.value, QuotedText)
            return Like(field, pattern.value)
        negated = token.is_word("NOT")
        if negated:
            self.advance()
        self.word("IN")
        return Membership(field, self.value_list(), negated)

    def value_list(self) -> tuple[Value, ...]:
        self.punctuation("(")
        values = [self.value()]
        while self.at_punctuation(","):
            self.advance()
            values.append(self.value())
        self.punctuation(")")
        return tuple(values)

    def value(self) -> Value:
        token = self.current
        if token.kind is Kind.STRING:
            assert isinstance(token.value, QuotedText)
            if any(token.value.escaped):
                raise self.fail(token, "\\_ and \\% are escapes for LIKE patterns only")
            self.advance()
            return token.value.text
        if token.kind in {Kind.NUMBER, Kind.DATE, Kind.DATETIME}:
            self.advance()
            return token.value  # type: ignore[return-value]
        if token.is_word("NULL"):
            self.advance()
            return None
        if token.is_word("TRUE", "FALSE"):
            self.advance()
            return token.text.upper() == "TRUE"
        if token.is_word(*_PLAIN_DATE_LITERALS):
            self.advance()
            return DateLiteral(token.text.upper())
        if token.is_word(*_COUNTED_DATE_LITERALS):
            return self.counted_date_literal()
        raise self.fail()

    def counted_date_literal(self) -> DateLiteral:
        name = self.advance()
        colon = self.current
        number = self.following
        written = colon.text + number.text
        glued = colon.position == name.position + len(name.text) == number.position - 1
        if written[0] != ":" or not glued:
            raise self.fail(name, f"{name.text.upper()} needs a number, as in {name.text}:7")
        self.advance()
        return DateLiteral(name.text.upper(), self.small_integer())

    def small_integer(self) -> int:
        token = self.current
        number = token.value
        if token.kind is not Kind.NUMBER or not isinstance(number, Decimal):
            raise self.fail()
        if "." in token.text or number < 0:
            raise self.fail(token, f"expected a whole number from 0, not {token.text[:40]}")
        if number > _MAX_INTEGER:
            raise self.fail(token, f"{token.text[:40]} is larger than {_MAX_INTEGER}")
        self.advance()
        return int(number)

    def order_by(self) -> tuple[Ordering, ...]:
        if not (self.current.is_word("ORDER") and self.following.is_word("BY")):
            return ()
        self.advance()
        self.advance()
        orderings = [self.ordering()]
        while self.at_punctuation(","):
            self.advance()
            orderings.append(self.ordering())
        return tuple(orderings)

    def ordering(self) -> Ordering:
        field = self.field()
        descending = False
        if self.current.is_word("ASC", "DESC"):
            descending = self.advance().text.upper() == "DESC"
        # SOQL: nulls come first in ascending order and last in descending, unless told.
        nulls_last = descending
        if self.current.is_word("NULLS"):
            self.advance()
            nulls_last = self.word("FIRST", "LAST").text.upper() == "LAST"
        return Ordering(field, descending, nulls_last)

    def integer_clause(self, keyword: str, *, at_most: int = _MAX_INTEGER) -> int | None:
        if not self.current.is_word(keyword):
            return None
        self.advance()
        written = self.current
        number = self.small_integer()
        if number > at_most:
            raise MalformedQuery(
                self.text,
                written.position,
                f"Maximum SOQL {keyword.lower()} allowed is {at_most}",
                error_code="NUMBER_OUTSIDE_VALID_RANGE",
            )
        return number

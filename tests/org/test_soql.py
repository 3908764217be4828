from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from org import soql
from org.soql import MalformedQuery, Query, evaluate, parse
from org.soql.dates import day_range
from org.soql.syntax import Comparison, DateLiteral, Junction, Like, Membership, Negation, Ordering

SOQL_DIR = str(Path(soql.__file__).parent)
WEDNESDAY = date(2024, 5, 15)


def _malformed(text: str) -> MalformedQuery:
    with pytest.raises(MalformedQuery) as caught:
        parse(text)
    return caught.value


def _where(condition: str):
    return parse(f"SELECT Id FROM Account WHERE {condition}").where


# --- what the parser reads -------------------------------------------------------------------


def test_reads_fields_parent_fields_and_the_object():
    query = parse("select Id, Name, Account.Name, Account.Owner.Name from Contact")

    assert query.sobject == "Contact"
    assert query.fields == (("Id",), ("Name",), ("Account", "Name"), ("Account", "Owner", "Name"))
    assert not query.count


def test_reads_count():
    query = parse("SELECT COUNT() FROM Account WHERE Name != null")

    assert query.count
    assert query.fields == ()


@pytest.mark.parametrize(
    ("written", "operator"),
    [("=", "="), ("!=", "!="), ("<>", "!="), ("<", "<"), ("<=", "<="), (">", ">"), (">=", ">=")],
)
def test_reads_every_comparison_operator(written, operator):
    assert _where(f"NumberOfEmployees {written} 10") == Comparison(
        ("NumberOfEmployees",), operator, Decimal(10)
    )


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("null", None),
        ("NULL", None),
        ("true", True),
        ("False", False),
        ("-12.50", Decimal("-12.50")),
        ("2024-02-29", date(2024, 2, 29)),
        ("2024-02-29T23:01:01Z", datetime(2024, 2, 29, 23, 1, 1, tzinfo=UTC)),
        ("2024-02-29T23:01:01.250+01:00", datetime(2024, 2, 29, 22, 1, 1, 250000, tzinfo=UTC)),
        ("2024-02-29T23:01:01-08:00", datetime(2024, 3, 1, 7, 1, 1, tzinfo=UTC)),
        ("TODAY", DateLiteral("TODAY")),
        ("last_n_days:30", DateLiteral("LAST_N_DAYS", 30)),
        ("N_MONTHS_AGO:2", DateLiteral("N_MONTHS_AGO", 2)),
    ],
)
def test_reads_literals(literal, value):
    where = _where(f"Field = {literal}")

    assert isinstance(where, Comparison)
    assert where.value == value
    assert type(where.value) is type(value)


@pytest.mark.parametrize(
    ("written", "text"),
    [
        (r"'O\'Brien'", "O'Brien"),
        (r"'tab\there'", "tab\there"),
        (r"'A\NB'", "A\nB"),
        (r"'back\\slash'", "back\\slash"),
        (r"'quote\"d'", 'quote"d'),
        (r"'caf\u00e9'", "café"),
        ("'SELECT * FROM x WHERE a OR b'", "SELECT * FROM x WHERE a OR b"),
    ],
)
def test_reads_salesforces_string_escapes(written, text):
    assert _where(f"Name = {written}") == Comparison(("Name",), "=", text)


def test_like_keeps_escaped_wildcards_apart():
    where = _where(r"Name LIKE 'Ter\%%'")

    assert isinstance(where, Like)
    assert where.pattern.text == "Ter%%"
    assert where.pattern.escaped == (False, False, False, True, False)


def test_reads_in_and_not_in():
    assert _where("Industry IN ('Energy', 'Retail')") == Membership(
        ("Industry",), ("Energy", "Retail"), negated=False
    )
    assert _where("Id NOT IN ('a')") == Membership(("Id",), ("a",), negated=True)


def test_reads_and_or_not_and_parentheses():
    where = _where("(Name = 'a' OR Name = 'b') AND NOT Type = 'c' AND (Rating = null)")

    assert where == Junction(
        "AND",
        (
            Junction("OR", (Comparison(("Name",), "=", "a"), Comparison(("Name",), "=", "b"))),
            Negation(Comparison(("Type",), "=", "c")),
            Comparison(("Rating",), "=", None),
        ),
    )


def test_reads_order_by_limit_and_offset():
    query = parse(
        "SELECT Id FROM Account ORDER BY Name, CreatedDate DESC, Rating ASC NULLS LAST,"
        " Phone DESC NULLS FIRST LIMIT 10 OFFSET 2000"
    )

    assert query.order_by == (
        Ordering(("Name",)),
        Ordering(("CreatedDate",), descending=True, nulls_last=True),
        Ordering(("Rating",), nulls_last=True),
        Ordering(("Phone",), descending=True, nulls_last=False),
    )
    assert (query.limit, query.offset) == (10, 2000)


def test_an_object_named_order_is_not_an_order_by():
    assert parse("SELECT Id FROM Order ORDER BY Id").sobject == "Order"


def test_field_paths_name_every_field_once():
    query = parse(
        "SELECT Name, Account.Name FROM Contact WHERE (Email = null OR Name LIKE 'a%') "
        "AND NOT Account.Industry IN ('x') ORDER BY Name"
    )

    assert query.field_paths() == (
        ("Name",),
        ("Account", "Name"),
        ("Email",),
        ("Account", "Industry"),
    )


def test_whitespace_of_every_kind_separates_tokens():
    assert parse("SELECT\tId\r\nFROM\fAccount\n") == Query("Account", (("Id",),))


# --- what it refuses, and how it says so ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column", "reason"),
    [
        ("", 1, "unexpected token: '<EOF>'"),
        ("SELECT FROM Account", 8, "unexpected token: 'FROM'"),
        ("SELECT Id FROM", 15, "unexpected token: '<EOF>'"),
        ("SELECT Id, FROM Account", 12, "unexpected token: 'FROM'"),
        ("DELETE FROM Account", 1, "unexpected token: 'DELETE'"),
        ("SELECT Id FROM Account; DROP TABLE x", 23, "unexpected token: ';'"),
        ("SELECT Id FROM Account WHERE Name = 'O'Brien'", 40, "unexpected token: 'Brien'"),
        ("SELECT Id FROM Account WHERE a = 1 AND b = 2 OR c = 3", 46, "unexpected token: 'OR'"),
        ("SELECT Id FROM Account WHERE NOT NOT a = 1", 34, "unexpected token: 'NOT'"),
        ("SELECT Id FROM Account WHERE Name NOT LIKE 'a'", 39, "unexpected token: 'LIKE'"),
        ("SELECT Id FROM Account WHERE (a = 1", 36, "unexpected token: '<EOF>'"),
        ("SELECT Id FROM Account WHERE a = ", 34, "unexpected token: '<EOF>'"),
        ("SELECT Id FROM Account WHERE a = 5abc", 34, "unexpected token: '5a'"),
        ("SELECT Id FROM Account WHERE a = 2024-13-01", 34, "invalid date: 2024-13-01"),
        ("SELECT Id FROM Account WHERE a = 2024-01-01T25:00:00Z", 34, "invalid time"),
        ("SELECT Id FROM Account LIMIT 1.5", 30, "expected a whole number from 0"),
        ("SELECT Id FROM Account LIMIT -1", 30, "expected a whole number from 0"),
        ("SELECT Id FROM Account LIMIT 99999999999", 30, "is larger than 2147483647"),
        ("SELECT Id FROM Account ORDER BY Name LIMIT 5 WHERE a = 1", 46, "unexpected token"),
        ("SELECT Id FROM Account WHERE a = 'x", 34, "the quoted string never ends"),
        ("SELECT Id FROM Account WHERE a = 'a\\qb'", 36, "Invalid string literal"),
        ("SELECT Id FROM Account WHERE a = 'a\\%'", 34, "for LIKE patterns only"),
        ("SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS", 44, "needs a number"),
        ("SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS: 5", 44, "needs a number"),
        ("SELECT COUNT(Id) FROM Account", 14, "COUNT() only"),
        ("SELECT (SELECT Id FROM Contacts) FROM Account", 8, "unexpected token: '('"),
        ("SELECT Industry FROM Account GROUP BY Industry", 30, "has no GROUP BY"),
        ("SELECT Id FROM Account WITH SECURITY_ENFORCED", 24, "has no WITH"),
        ("SELECT Id FROM Account FOR UPDATE", 24, "has no FOR VIEW / FOR UPDATE"),
        ("SELECT a.b.c.d.e.f.g FROM Account", 8, "more than 5 levels away"),
        ("SELECT Id FROM Account WHERE Name = é", 37, "unexpected token: 'é'"),
    ],
)
def test_anything_else_is_malformed_with_its_place(text, column, reason):
    error = _malformed(text)

    assert error.error_code == "MALFORMED_QUERY"
    assert (error.row, error.column) == (1, column)
    assert reason in error.reason
    assert f"ERROR at Row:1:Column:{column}\n" in str(error)


def test_the_message_shows_the_line_with_a_caret_under_the_place():
    error = _malformed("SELECT Id\nFROM Account\nWHERE Name = 'a' OR")

    assert (error.row, error.column) == (3, 20)
    assert str(error) == (
        "\nWHERE Name = 'a' OR\n                   ^\nERROR at Row:3:Column:20\n"
        "unexpected token: '<EOF>'"
    )


def test_an_offset_past_2000_is_out_of_range_as_in_salesforce():
    error = _malformed("SELECT Id FROM Account OFFSET 2001")

    assert error.error_code == "NUMBER_OUTSIDE_VALID_RANGE"
    assert error.reason == "Maximum SOQL offset allowed is 2000"


# --- I1: linear time, caps ------------------------------------------------------------------


def _steps(text: str) -> int:
    """Python lines run inside org/soql while parsing `text`: a deterministic operation count
    that does not depend on the machine's speed."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        count += event == "line"
        return local

    def calls(frame, event, arg):
        nonlocal count
        if not frame.f_code.co_filename.startswith(SOQL_DIR):
            return None
        count += 1
        return local

    sys.settrace(calls)
    try:
        parse(text)
    except MalformedQuery:
        pass
    finally:
        sys.settrace(None)
    return count


# Lines of tokenizer and parser per character of query: generous, but a fixed constant.
STEPS_PER_CHARACTER = 40


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda n: "SELECT" + " " * n + "x", id="spaces-then-x"),
        pytest.param(lambda n: "SELECT Id FROM Account WHERE Name = 'x'" + " " * n, id="trailing"),
        pytest.param(lambda n: "SELECT " + "Id, " * (n // 4) + "Id FROM Account", id="fields"),
        pytest.param(
            lambda n: "SELECT Id FROM A WHERE " + "a = 1 AND " * (n // 10) + "b = 2", id="ands"
        ),
        pytest.param(lambda n: "SELECT Id FROM A WHERE a IN (" + "'x'," * (n // 4), id="in-list"),
        pytest.param(lambda n: "SELECT Id FROM A WHERE a LIKE '" + "%_" * (n // 2), id="quote"),
    ],
)
def test_i1_parsing_takes_steps_linear_in_the_query(make):
    small, large = make(4_000), make(40_000)

    small_steps, large_steps = _steps(small), _steps(large)

    assert large_steps <= STEPS_PER_CHARACTER * len(large)
    # Ten times the text, at most about ten times the work: nothing grows faster than linear.
    assert large_steps <= 10.5 * small_steps


def test_i1_the_reported_query_of_4000_spaces_is_answered_at_once():
    text = "SELECT" + " " * 4000 + "x"

    assert _steps(text) <= STEPS_PER_CHARACTER * len(text)
    assert _malformed(text).column == 4008


def test_i1_deeply_nested_parentheses_stop_at_the_cap_and_say_so():
    text = "SELECT Id FROM Account WHERE " + "(" * 40_000 + "a = 1" + ")" * 40_000

    error = _malformed(text)

    assert error.error_code == "QUERY_TOO_COMPLICATED"
    assert error.column == len("SELECT Id FROM Account WHERE ") + 33
    assert _steps(text) <= STEPS_PER_CHARACTER * len(text)


def test_i1_nesting_up_to_the_cap_is_fine():
    text = "SELECT Id FROM Account WHERE " + "(" * 32 + "a = 1" + ")" * 32

    assert parse(text).where == Comparison(("a",), "=", Decimal(1))


def test_i1_a_query_of_100001_characters_is_refused_before_it_is_read():
    at_cap = "SELECT Id FROM Account WHERE Name = '" + "x" * (100_000 - 38) + "'"
    over = at_cap[:-1] + "x'"

    assert len(at_cap) == 100_000
    assert parse(at_cap).sobject == "Account"
    error = _malformed(over)
    assert len(over) == 100_001
    assert error.error_code == "MALFORMED_QUERY"
    assert "cannot be longer than 100,000 characters" in error.reason
    assert _steps(over) < 200


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("SELECT" + " " * 4000 + "x", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account WHERE Name = '" + "x" * 100_000 + "'", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account WHERE " + "(" * 5000 + "Name = 'x'", "QUERY_TOO_COMPLICATED"),
    ],
)
def test_i1_the_probes_queries_get_salesforces_400_over_http(oauth, text, code):
    app = oauth.app(grants=["client_credentials"], run_as="ada@handshake.example")
    token = oauth.token(app, grant_type="client_credentials").json()["access_token"]

    response = oauth.client.get(
        f"/services/data/v62.0/query/?q={quote(text)}", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 400
    [error] = response.json()
    assert error["errorCode"] == code
    assert "ERROR at Row:1:Column:" in error["message"]


# --- hypothesis: MalformedQuery or a Query, never anything else -----------------------------

_SOQL_PIECES = st.sampled_from(
    [
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "ASC",
        "DESC", "NULLS", "FIRST", "LAST", "LIMIT", "OFFSET", "COUNT", "null", "true", "Id",
        "Name", "Account", "Account.Name", "(", ")", ",", ".", ":", "=", "!=", "<>", "<", ">=",
        "'a%_'", "'\\''", "'\\", "'\\u12", "12", "-3.5", "2024-05-01", "2024-05-01T10:00:00Z",
        "2024-05-01T10:00:00+0", "TODAY", "LAST_N_DAYS:3", "N_YEARS_AGO:99999999", "LAST_N_DAYS",
        "9999999999999999999999", " ", "\n",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_a_query_or_malformed_query(text):
    try:
        result: Query | MalformedQuery = parse(text)
    except MalformedQuery as error:
        result = error
    assert isinstance(result, Query) or result.error_code in {
        "MALFORMED_QUERY",
        "QUERY_TOO_COMPLICATED",
    }


@settings(max_examples=500, deadline=None)
@given(st.lists(_SOQL_PIECES, max_size=40), st.lists(st.sampled_from([" ", ""]), max_size=40))
def test_soql_shaped_token_soup_is_a_query_or_malformed_query(pieces, gaps):
    text = "SELECT Id FROM Account " + "".join(
        piece + (gaps[i] if i < len(gaps) else " ") for i, piece in enumerate(pieces)
    )
    try:
        query = parse(text)
    except MalformedQuery:
        return
    # Whatever parses can also be run, over rows of any shape, without an error.
    rows: list[dict[str, Any]] = [
        {"Id": "1", "Name": None, "Account": {"Name": "x"}},
        {"id": 2, "name": 3.5},
    ]
    assert isinstance(evaluate(query, rows, today=WEDNESDAY), list)


_QUERIES = st.builds(
    lambda fields, obj, where, order: f"SELECT {fields} FROM {obj}{where}{order}",
    st.sampled_from(
        ["Id", "Id, Name", "COUNT()", "Name, Account.Name", "Account.Owner.Name", "Owner.Email",
         "CreatedBy.Name, Parent.Name", "Nope.Name", "Account.Nope", "Name.Id", "Id, Id"]
    ),
    st.sampled_from(["Account", "Contact", "Opportunity", "Case", "Asset", "User"]),
    st.sampled_from(
        ["", " WHERE Name = null", " WHERE Account.Name LIKE 'a%'", " WHERE CreatedDate = TODAY",
         " WHERE Amount > 5", " WHERE Name = 5", " WHERE Id IN ('001', 2024-01-01)",
         " WHERE NOT (IsDeleted = true OR Name != 'x')", " WHERE CloseDate < NEXT_N_YEARS:99999"]
    ),
    st.sampled_from(
        ["", " ORDER BY Name", " ORDER BY Account.Name DESC NULLS LAST LIMIT 3 OFFSET 1",
         " LIMIT 0", " OFFSET 2000"]
    ),
)  # fmt: skip


@pytest.fixture
def api_token(oauth):
    app = oauth.app(grants=["client_credentials"], run_as="ada@handshake.example")
    return oauth.token(app, grant_type="client_credentials").json()["access_token"]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_QUERIES)
def test_any_query_over_http_is_an_answer_or_salesforces_error_never_a_500(oauth, api_token, text):
    response = oauth.client.get(
        f"/services/data/v62.0/query?q={quote(text)}",
        headers={"Authorization": f"Bearer {api_token}"},
    )

    assert response.status_code in {200, 400}, (text, response.content[:300])
    body = response.json()
    if response.status_code == 400:
        assert body[0]["errorCode"] in {
            "MALFORMED_QUERY",
            "INVALID_FIELD",
            "INVALID_TYPE",
            "NUMBER_OUTSIDE_VALID_RANGE",
        }, text
    else:
        assert body["totalSize"] >= len(body["records"])


# --- the evaluator ----------------------------------------------------------------------------

ROWS: list[dict[str, Any]] = [
    {"Id": "a1", "Name": "Acme", "Industry": "Energy", "NumberOfEmployees": 250, "Rating": None,
     "CreatedDate": "2024-05-15T08:00:00.000+0000", "Birthdate": "1990-05-14",
     "Account": {"Id": "p1", "Name": "Zeta Holdings"}, "IsDeleted": False, "Amount": 10.5},
    {"Id": "a2", "Name": "beta ltd", "Industry": "Retail", "NumberOfEmployees": 12,
     "Rating": "Hot", "CreatedDate": "2024-05-14T23:59:59.000+0000", "Birthdate": "1990-05-15",
     "Account": None, "IsDeleted": True, "Amount": None},
    {"Id": "a3", "Name": "Ter%minal", "Industry": None, "NumberOfEmployees": None,
     "Rating": "cold", "CreatedDate": "2024-03-01T00:00:00.000+0000", "Birthdate": None,
     "Account": {"Id": "p2", "Name": "alpha"}, "IsDeleted": False, "Amount": 3},
]  # fmt: skip


def _ids(query_text: str, rows=ROWS, today=WEDNESDAY) -> list[str]:
    return [row["Id"] for row in evaluate(parse(query_text), rows, today=today)]


@pytest.mark.parametrize(
    ("where", "ids"),
    [
        ("Name = 'ACME'", ["a1"]),
        ("name != 'acme'", ["a2", "a3"]),
        ("Rating = null", ["a1"]),
        ("Rating != null", ["a2", "a3"]),
        ("NumberOfEmployees > 12", ["a1"]),
        ("NumberOfEmployees >= 12", ["a1", "a2"]),
        ("NumberOfEmployees < 100", ["a2"]),
        ("Amount = 10.5", ["a1"]),
        ("Amount <= 3", ["a3"]),
        ("IsDeleted = true", ["a2"]),
        ("Industry IN ('energy', 'RETAIL')", ["a1", "a2"]),
        ("Industry NOT IN ('Energy')", ["a2", "a3"]),
        ("Name LIKE 'a%'", ["a1"]),
        ("Name LIKE '%LTD'", ["a2"]),
        ("Name LIKE '_eta%'", ["a2"]),
        ("Name LIKE 'Ter\\%%'", ["a3"]),
        ("Name LIKE 'Ter\\%'", []),
        ("Name LIKE '%e%a%'", ["a2", "a3"]),
        ("Name LIKE 'acme'", ["a1"]),
        ("Rating LIKE '%'", ["a2", "a3"]),
        ("Account.Name = 'alpha'", ["a3"]),
        ("account.name LIKE 'Z%'", ["a1"]),
        ("Account.Name = null", ["a2"]),
        ("(Name = 'Acme' OR Rating = 'Hot') AND NOT Industry = 'Retail'", ["a1"]),
        ("NOT (Name = 'Acme' OR Rating = 'Hot')", ["a3"]),
        ("Name = 'Acme' OR Name = 'beta ltd' OR Name = 'x'", ["a1", "a2"]),
        ("CreatedDate = TODAY", ["a1"]),
        ("CreatedDate = YESTERDAY", ["a2"]),
        ("CreatedDate > YESTERDAY", ["a1"]),
        ("CreatedDate < YESTERDAY", ["a3"]),
        ("CreatedDate <= YESTERDAY", ["a2", "a3"]),
        ("CreatedDate = LAST_N_DAYS:1", ["a1", "a2"]),
        ("CreatedDate = THIS_MONTH", ["a1", "a2"]),
        ("CreatedDate = LAST_N_MONTHS:2", ["a3"]),
        ("CreatedDate >= 2024-05-14T23:00:00Z", ["a1", "a2"]),
        ("CreatedDate > 2024-05-15T09:00:00+02:00", ["a1"]),
        ("Birthdate = 1990-05-15", ["a2"]),
        ("Birthdate < 1990-05-15", ["a1"]),
        ("Name = 5", []),
        ("NumberOfEmployees = 'x'", []),
    ],
)
def test_the_evaluator_filters_as_soql_does(where, ids):
    assert _ids(f"SELECT Id FROM Account WHERE {where}") == ids


@pytest.mark.parametrize(
    ("order", "ids"),
    [
        ("Name", ["a1", "a2", "a3"]),
        ("Name DESC", ["a3", "a2", "a1"]),
        ("Rating", ["a1", "a3", "a2"]),
        ("Rating NULLS LAST", ["a3", "a2", "a1"]),
        ("Rating DESC", ["a2", "a3", "a1"]),
        ("Rating DESC NULLS FIRST", ["a1", "a2", "a3"]),
        ("NumberOfEmployees DESC", ["a1", "a2", "a3"]),
        ("Account.Name", ["a2", "a3", "a1"]),
        ("IsDeleted, Name DESC", ["a3", "a1", "a2"]),
    ],
)
def test_the_evaluator_orders_as_soql_does(order, ids):
    assert _ids(f"SELECT Id FROM Account ORDER BY {order}") == ids


def test_offset_and_limit_apply_after_the_order():
    assert _ids("SELECT Id FROM Account ORDER BY Name DESC LIMIT 1 OFFSET 1") == ["a2"]
    assert _ids("SELECT Id FROM Account LIMIT 0") == []
    assert _ids("SELECT Id FROM Account OFFSET 5") == []


def test_count_is_the_number_of_rows_that_match():
    query = parse("SELECT COUNT() FROM Account WHERE Rating != null")

    assert len(evaluate(query, ROWS, today=WEDNESDAY)) == 2


def test_rows_come_back_as_the_same_objects():
    assert (
        evaluate(parse("SELECT Id FROM Account WHERE Name = 'acme'"), ROWS, today=WEDNESDAY)[0]
        is ROWS[0]
    )


def test_like_is_not_slowed_by_a_pattern_of_many_wildcards():
    pattern = "%a" * 2000 + "%b"
    rows = [{"Id": "x", "Name": "a" * 3000}]

    assert _ids(f"SELECT Id FROM Account WHERE Name LIKE '{pattern}'", rows) == []


def test_datetimes_with_an_offset_compare_in_utc():
    rows = [{"Id": "x", "CreatedDate": "2024-05-15T01:00:00+02:00"}]

    assert _ids("SELECT Id FROM Account WHERE CreatedDate = YESTERDAY", rows) == ["x"]


# --- date literals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "first", "after"),
    [
        ("YESTERDAY", "2024-05-14", "2024-05-15"),
        ("TODAY", "2024-05-15", "2024-05-16"),
        ("TOMORROW", "2024-05-16", "2024-05-17"),
        ("LAST_WEEK", "2024-05-05", "2024-05-12"),
        ("THIS_WEEK", "2024-05-12", "2024-05-19"),
        ("NEXT_WEEK", "2024-05-19", "2024-05-26"),
        ("LAST_MONTH", "2024-04-01", "2024-05-01"),
        ("THIS_MONTH", "2024-05-01", "2024-06-01"),
        ("NEXT_MONTH", "2024-06-01", "2024-07-01"),
        ("LAST_90_DAYS", "2024-02-15", "2024-05-16"),
        ("NEXT_90_DAYS", "2024-05-16", "2024-08-14"),
        ("LAST_N_DAYS:7", "2024-05-08", "2024-05-16"),
        ("NEXT_N_DAYS:7", "2024-05-16", "2024-05-23"),
        ("N_DAYS_AGO:3", "2024-05-12", "2024-05-13"),
        ("LAST_N_WEEKS:2", "2024-04-28", "2024-05-12"),
        ("NEXT_N_WEEKS:2", "2024-05-19", "2024-06-02"),
        ("N_WEEKS_AGO:1", "2024-05-05", "2024-05-12"),
        ("LAST_N_MONTHS:3", "2024-02-01", "2024-05-01"),
        ("NEXT_N_MONTHS:8", "2024-06-01", "2025-02-01"),
        ("N_MONTHS_AGO:5", "2023-12-01", "2024-01-01"),
        ("THIS_QUARTER", "2024-04-01", "2024-07-01"),
        ("LAST_QUARTER", "2024-01-01", "2024-04-01"),
        ("NEXT_QUARTER", "2024-07-01", "2024-10-01"),
        ("LAST_N_QUARTERS:2", "2023-10-01", "2024-04-01"),
        ("NEXT_N_QUARTERS:1", "2024-07-01", "2024-10-01"),
        ("N_QUARTERS_AGO:4", "2023-04-01", "2023-07-01"),
        ("THIS_YEAR", "2024-01-01", "2025-01-01"),
        ("LAST_YEAR", "2023-01-01", "2024-01-01"),
        ("NEXT_YEAR", "2025-01-01", "2026-01-01"),
        ("LAST_N_YEARS:2", "2022-01-01", "2024-01-01"),
        ("NEXT_N_YEARS:2", "2025-01-01", "2027-01-01"),
        ("N_YEARS_AGO:10", "2014-01-01", "2015-01-01"),
    ],
)
def test_date_literals_are_salesforces_ranges(literal, first, after):
    where = _where(f"CreatedDate = {literal}")
    assert isinstance(where, Comparison)
    assert isinstance(where.value, DateLiteral)

    assert day_range(where.value, WEDNESDAY) == (
        date.fromisoformat(first),
        date.fromisoformat(after),
    )


def test_a_week_starting_on_sunday_contains_that_sunday():
    sunday = date(2024, 5, 12)

    assert day_range(DateLiteral("THIS_WEEK"), sunday) == (sunday, sunday + timedelta(days=7))


@pytest.mark.parametrize("name", ["LAST_N_DAYS", "NEXT_N_WEEKS", "N_YEARS_AGO", "NEXT_N_MONTHS"])
def test_huge_counts_stay_within_the_calendar(name):
    first, after = day_range(DateLiteral(name, 2**31 - 1), WEDNESDAY)

    assert date.min <= first <= after <= date.max


def test_an_offset_in_a_datetime_literal_is_kept():
    where = _where("CreatedDate = 2024-01-01T00:00:00+05:30")
    assert isinstance(where, Comparison)

    assert where.value == datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=5, minutes=30)))

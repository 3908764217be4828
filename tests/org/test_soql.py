from __future__ import annotations

import pytest

from org.soql import MalformedQuery, Query, parse


def test_parses_fields_object_where_and_limit():
    query = parse("select Id, Name from Account where Name = 'O\\'Brien Ltd' limit 5")

    assert query == Query(
        fields=("Id", "Name"), sobject="Account", where=("Name", "O'Brien Ltd"), limit=5
    )


def test_parses_a_bare_select():
    assert parse("SELECT Email FROM Contact") == Query(("Email",), "Contact", None, None)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "SELECT FROM Account",
        "SELECT Id FROM",
        "SELECT Id, FROM Account",
        "SELECT Id FROM Account LIMIT 0",
        "SELECT Id FROM Account LIMIT 99999",
        "SELECT Id FROM Account WHERE Name LIKE 'A%'",
        "SELECT Id FROM Account ORDER BY Name",
        "SELECT (SELECT Id FROM Contacts) FROM Account",
        "DELETE FROM Account",
        "SELECT Id FROM Account; DROP TABLE org_account",
        "SELECT Id FROM Account" + " " * 5000,
    ],
)
def test_anything_else_is_malformed(text):
    with pytest.raises(MalformedQuery):
        parse(text)

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from django.http import QueryDict

from advisor.questions import (
    MAX_NAME_LENGTH,
    MAX_NAMES,
    QUESTIONS,
    Answers,
    differences,
    fieldsets,
    parse_answers,
    parse_permalink,
)


def test_known_answers_are_kept_and_nothing_is_reported():
    answers = parse_answers(QueryDict("person=no&client=backend&system-count=4"))

    assert answers.choices == {"person": "no", "client": "backend"}
    assert answers.numbers == {"system-count": 4}
    assert answers.errors == ()


@pytest.mark.parametrize(
    ("query", "question", "message"),
    [
        ("person=maybe", "person", "“maybe” is not one of the answers here"),
        ("system-count=lots", "system-count", "“lots” is not a whole number"),
        ("system-count=1", "system-count", "Give a number from 2 to 50; 1 was ignored"),
        ("system-count=%EF%BC%95", "system-count", "is not a whole number"),
        ("system-count=-3", "system-count", "is not a whole number"),
    ],
)
def test_unknown_values_are_ignored_and_reported_against_their_question(query, question, message):
    answers = parse_answers(QueryDict(query))

    assert answers.value(question) is None
    assert [error.question for error in answers.errors] == [question]
    assert message in answers.errors[0].message


def test_empty_values_mean_skipped_not_wrong():
    answers = parse_answers(QueryDict("person=&client=&system-count=&system-names="))

    assert answers == Answers()


def test_unrelated_parameters_are_ignored_silently():
    answers = parse_answers(QueryDict("utm_source=newsletter&person=yes"))

    assert answers.choices == {"person": "yes"}
    assert answers.errors == ()


def test_system_names_are_split_trimmed_deduplicated_and_capped():
    many = ", ".join(f"System {index}" for index in range(MAX_NAMES + 5))

    answers = parse_answers({"system-names": f" SAP  ERP ,,sap erp, Billing\x00 , {'x' * 90}"})
    capped = parse_answers({"system-names": many})

    assert answers.names[:2] == ("SAP ERP", "Billing")
    assert len(answers.names[2]) == MAX_NAME_LENGTH
    assert answers.names[2].endswith("…")
    assert len(capped.names) == MAX_NAMES
    assert any("first 12 names" in error.message for error in capped.errors)


def test_names_made_only_of_control_characters_are_reported():
    answers = parse_answers({"system-names": "\x1b, \x00"})

    assert answers.names == ()
    assert answers.errors[0].message == "No usable names were found, so none are used."


def test_more_names_than_counted_systems_is_explained():
    answers = parse_answers({"system-count": "2", "system-names": "A, B, C"})

    assert answers.numbers["system-count"] == 2
    assert answers.system_total == 4
    assert "You named 3 other systems but counted 2" in answers.errors[0].message


def test_canonical_query_follows_catalogue_order_and_omits_skipped_questions():
    answers = parse_answers(QueryDict("sensitivity=high&person=no&client=&system-names=A,B"))

    assert answers.to_query() == "person=no&system-names=A%2C+B&sensitivity=high"


def test_with_answer_changes_one_answer_only():
    answers = parse_answers({"person": "no", "client": "backend"})

    changed = answers.with_answer("person", "yes")

    assert changed.choices == {"person": "yes", "client": "backend"}
    assert answers.choices["person"] == "no"


def test_said_phrases_complete_because_you_said():
    answers = parse_answers({"person": "no", "system-count": "6"})

    assert answers.said("person") == "no person is present"
    assert answers.said("system-count") == "6 systems take part"


def test_fieldsets_cover_every_question_once_with_its_error():
    answers = parse_answers({"person": "maybe", "client": "spa"})

    sets = fieldsets(answers)
    fields = [field for fieldset in sets for field in fieldset.fields]

    assert [field.question.id for field in fields] == [question.id for question in QUESTIONS]
    by_id = {field.question.id: field for field in fields}
    assert by_id["client"].value == "spa"
    assert by_id["person"].value == ""
    assert by_id["person"].errors


@pytest.mark.parametrize(
    "pasted",
    [
        "https://handshake.example/advisor/?person=no&client=backend#decision-flow",
        "?person=no&client=backend",
        "person=no&client=backend",
    ],
)
def test_a_permalink_can_be_pasted_whole_or_as_a_query(pasted):
    answers = parse_permalink(pasted)

    assert answers.choices == {"person": "no", "client": "backend"}


def test_garbage_pasted_as_a_permalink_gives_no_answers():
    answers = parse_permalink("%%%&&&===?!")

    assert answers.choices == {}


def test_differences_list_only_the_questions_that_disagree():
    first = parse_answers({"person": "no", "client": "backend"})
    second = parse_answers({"person": "yes", "client": "backend", "wait": "yes"})

    rows = differences(first, second)

    assert [(question.id, a, b) for question, a, b in rows] == [
        ("person", "No, it runs unattended", "Yes, someone is signed in and waiting"),
        ("wait", "skipped", "Yes"),
    ]


def test_canonical_query_parses_back_to_itself():
    answers = parse_answers({"person": "no", "system-count": "5", "system-names": "ERP, Billing"})

    again = parse_answers(dict(parse_qsl(answers.to_query())))

    assert again == answers

from __future__ import annotations

import string
from urllib.parse import parse_qsl, urlencode

from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.decisions import DECISIONS
from advisor.questions import QUESTIONS, parse_answers
from advisor.recommendation import recommend

GRADES = {"best", "good", "possible", "avoid"}


def _answer(question):
    if question.kind == "choice":
        return st.sampled_from([option.id for option in question.options])
    if question.kind == "number":
        return st.integers(question.minimum, question.maximum).map(str)
    return st.text(max_size=80)


answer_sets = st.fixed_dictionaries(
    {}, optional={question.id: _answer(question) for question in QUESTIONS}
)


@settings(max_examples=300, deadline=None)
@given(answer_sets)
def test_every_decision_always_yields_a_ranked_explained_result(given_answers):
    recommendation = recommend(parse_answers(given_answers))

    assert [result.decision for result in recommendation.decisions] == list(DECISIONS)
    for result in recommendation.decisions:
        assert len(result.options) == len(result.decision.choices)
        assert (result.best.grade == "best") == (result.verdict == "clear")
        assert not result.best.vetoed
        scores = [(option.vetoed, -option.score) for option in result.options]
        assert scores == sorted(scores)
        for option in result.options:
            assert option.grade in GRADES
            assert option.reasons
            assert all(reason.text and reason.source.title for reason in option.reasons)


@settings(max_examples=300, deadline=None)
@given(answer_sets)
def test_no_option_graded_best_scores_at_or_below_zero_and_ties_have_no_best(given_answers):
    recommendation = recommend(parse_answers(given_answers))

    for result in recommendation.decisions:
        best = [option for option in result.options if option.grade == "best"]
        assert all(option.score > 0 for option in best)
        assert len(best) <= 1
        if result.best.score <= 0:
            assert result.verdict == "no-clear-winner"
            assert not best
        elif result.runner_up is not None and result.runner_up.score == result.best.score:
            assert result.verdict == "tie"
            assert not best
            assert result.runner_up in result.tied
        else:
            assert best == [result.best]


@settings(max_examples=200, deadline=None)
@given(answer_sets)
def test_the_permalink_reproduces_the_same_answers(given_answers):
    answers = parse_answers(given_answers)

    again = parse_answers(dict(parse_qsl(answers.to_query())))

    assert again.choices == answers.choices
    assert again.numbers == answers.numbers
    assert again.names == answers.names
    assert again.to_query() == answers.to_query()


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([q.id for q in QUESTIONS]), st.text(max_size=700)))
def test_parsing_never_raises_and_keeps_only_valid_answers(raw):
    answers = parse_answers(raw)

    for question_id, value in answers.choices.items():
        assert next(q for q in QUESTIONS if q.id == question_id).option(value) is not None
    reported = {error.question for error in answers.errors}
    for question_id, value in raw.items():
        if value.strip() and not answers.is_answered(question_id):
            assert question_id in reported


query_keys = st.sampled_from([question.id for question in QUESTIONS] + ["a", "b", "x", ""])
garbage = st.text(alphabet=string.printable + "é€\u202e<>\"'%&=#", max_size=60)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.tuples(query_keys, garbage), max_size=8),
    st.sampled_from(
        [
            "/advisor/",
            "/advisor/diagram.svg",
            "/advisor/decision-record.md",
            "/advisor/recommendation.json",
            "/advisor/compare/",
        ]
    ),
)
def test_garbage_query_strings_never_cause_a_server_error(pairs, path):
    client = Client(raise_request_exception=False)

    response = client.get(f"{path}?{urlencode(pairs)}", headers={"HX-Request": "true"})
    plain = client.get(f"{path}?{urlencode(pairs)}")

    assert response.status_code in {200, 302}
    assert plain.status_code in {200, 302}

from __future__ import annotations

import pytest

from advisor.handoff import FLOW_ANSWERS, GRADED_AS, design_for_flow, implied_query
from advisor.questions import parse_permalink
from advisor.recommendation import recommend
from playground.flows import FLOWS

# Flows a person would never be advised to start with: the advisor adds PKCE to a web app with
# a server and to a single-page app, and says why.
ADVISED_AGAINST = {"web-server", "user-agent"}
NOT_A_FLOW_CHOICE = {"refresh-token", "remote-call-in"}


def test_every_playground_flow_implies_some_answers():
    assert set(FLOWS) == set(FLOW_ANSWERS)


@pytest.mark.parametrize("slug", sorted(FLOW_ANSWERS))
def test_a_flows_implied_answers_are_consistent_and_keep_it_in_play(slug):
    recommendation = recommend(parse_permalink(implied_query(slug)))

    assert recommendation.answers.errors == ()
    assert recommendation.contradictions == ()
    if slug in NOT_A_FLOW_CHOICE:
        return
    flow = recommendation.decision("flow")
    graded_as = GRADED_AS.get(slug, slug)
    option = next(option for option in flow.options if option.choice.playground == graded_as)
    assert not option.vetoed
    if slug not in ADVISED_AGAINST:
        assert flow.verdict == "clear"
        assert flow.best.choice.playground == graded_as


def test_the_refresh_token_flow_gets_the_advisors_word_on_refresh_tokens():
    fit = design_for_flow("person=yes&client=server-web&offline=yes", "refresh-token")

    assert fit is not None
    assert fit.option == ""
    (reason,) = fit.reasons
    assert reason.kind == "for"
    assert reason.given == "Given that the app must keep access without asking again."


def test_the_rest_lesson_is_graded_as_the_remote_call_in_pattern():
    fit = design_for_flow(implied_query("remote-call-in"), "remote-call-in")

    assert fit is not None
    assert fit.option == "Remote call-in"
    assert fit.grade == "best"


def test_a_pasted_permalink_reads_like_its_query():
    fit = design_for_flow("https://elsewhere.example/advisor/?person=no&record-owner=Ops", "device")

    assert fit is not None
    assert fit.query == "person=no&record-owner=Ops"


def test_the_standard_device_flow_is_graded_as_the_device_flow():
    fit = design_for_flow(implied_query("device-rfc8628"), "device-rfc8628")

    assert fit is not None
    assert fit.option == "Device flow"

from __future__ import annotations

import pytest
from django.apps import apps

from advisor import scenarios
from advisor.catalogue import CatalogueError, check_catalogue, validate_catalogue
from advisor.decisions import DECISIONS
from advisor.questions import QUESTIONS
from advisor.rules import tables
from advisor.rules.alerts import CROSS_CHECKS, WARNINGS
from advisor.rules.tables import RULES
from advisor.rules.vocabulary import Alert, Effect, Rule, When, Winner
from advisor.scenarios import SCENARIOS, Scenario
from advisor.sources import SOURCES


def problems_with(*, extra_rules=(), extra_alerts=(), extra_scenarios=()):
    return validate_catalogue(
        question_list=QUESTIONS,
        decision_list=DECISIONS,
        rule_list=(*RULES, *extra_rules),
        alert_list=(*WARNINGS, *CROSS_CHECKS, *extra_alerts),
        scenario_list=(*SCENARIOS, *extra_scenarios),
        source_list=SOURCES,
    )


def test_the_shipped_catalogue_is_consistent():
    assert problems_with() == ()


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (
            Rule("typo-question", "flow", (When("persn", ("no",)),), (), "seed-flows"),
            "rule 'typo-question': unknown question 'persn'",
        ),
        (
            Rule("typo-option", "flow", (When("person", ("nobody",)),), (), "seed-flows"),
            "rule 'typo-option': question 'person' has no option 'nobody'",
        ),
        (
            Rule("typo-effect", "flow", (), (Effect("implicit", 1, "x"),), "seed-flows"),
            "rule 'typo-effect': decision 'flow' has no option 'implicit'",
        ),
        (
            Rule("typo-decision", "auth", (), (), "seed-flows"),
            "rule 'typo-decision': unknown decision 'auth'",
        ),
        (
            Rule("typo-source", "flow", (), (), "a-blog-post"),
            "rule 'typo-source': unknown source 'a-blog-post'",
        ),
        (
            Rule("free-text", "topology", (When("system-names", ("x",)),), (), "seed-flows"),
            "can't depend on free-text question 'system-names'",
        ),
    ],
)
def test_a_dangling_id_in_a_rule_is_caught(rule, problem):
    assert any(problem in found for found in problems_with(extra_rules=(rule,)))


def test_a_dangling_id_in_an_alert_is_caught():
    alert = Alert(
        "bad-alert", "warn", ("flow",), "x", "seed-flows", winners=(Winner("events", ("kafka",)),)
    )

    assert "alert 'bad-alert': decision 'events' has no option 'kafka'" in problems_with(
        extra_alerts=(alert,)
    )


def test_a_dangling_id_in_a_scenario_is_caught():
    scenario = Scenario(
        "broken", "Broken", "story", "discuss", {"person": "sometimes", "colour": "red"}, {}
    )

    found = problems_with(extra_scenarios=(scenario,))

    assert "scenario 'broken': question 'person' has no option 'sometimes'" in found
    assert "scenario 'broken': unknown question 'colour'" in found


def test_an_option_without_general_guidance_is_caught():
    without_general = tuple(rule for rule in RULES if rule.id != "transport-general")

    found = validate_catalogue(
        question_list=QUESTIONS,
        decision_list=DECISIONS,
        rule_list=without_general,
        alert_list=(),
        scenario_list=(),
        source_list=SOURCES,
    )

    assert "decision 'transport': option 'tls' has no general reason" in found


def test_start_up_refuses_a_catalogue_with_a_dangling_id(monkeypatch):
    dangling = Rule("dangling", "events", (When("reacts-to", ("gossip",)),), (), "sf-eda")
    monkeypatch.setattr(tables, "RULES", (*RULES, dangling))

    with pytest.raises(CatalogueError, match="has no option 'gossip'"):
        apps.get_app_config("advisor").ready()


def test_start_up_refuses_a_scenario_with_a_dangling_id(monkeypatch):
    broken = Scenario("broken", "Broken", "s", "d", {"volume": "enormous"}, {})
    monkeypatch.setattr(scenarios, "SCENARIOS", (*SCENARIOS, broken))

    with pytest.raises(CatalogueError):
        check_catalogue()

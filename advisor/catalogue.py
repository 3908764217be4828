"""Check that the advisor's catalogues agree with each other: no rule or scenario names an id
that doesn't exist, and every decision can always produce a graded, explained answer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from advisor import budgets, decisions, questions, scenarios, sources
from advisor.decisions import Decision
from advisor.questions import Question
from advisor.rules import alerts, contradictions, tables
from advisor.rules.vocabulary import Alert, Rule, When
from advisor.scenarios import Scenario
from advisor.sources import Source

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class CatalogueError(ValueError):
    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "The advisor's catalogue is inconsistent:\n- " + "\n- ".join(self.problems)
        )


def _duplicates(ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for item in ids:
        if item in seen:
            repeated.append(item)
        seen.add(item)
    return repeated


def _check_when(where: str, when: When, question_by_id: Mapping[str, Question]) -> list[str]:
    question = question_by_id.get(when.question)
    if question is None:
        return [f"{where}: unknown question {when.question!r}"]
    if question.kind == "number":
        if when.options or (when.at_least is None and when.at_most is None):
            return [f"{where}: question {when.question!r} needs numeric bounds"]
        return []
    if question.kind != "choice":
        return [f"{where}: rules can't depend on free-text question {when.question!r}"]
    if not when.options:
        return [f"{where}: condition on {when.question!r} names no option"]
    known = {option.id for option in question.options}
    return [
        f"{where}: question {when.question!r} has no option {option!r}"
        for option in when.options
        if option not in known
    ]


def _check_scenario(scenario: Scenario, question_by_id: Mapping[str, Question]) -> list[str]:
    problems: list[str] = []
    for question_id, value in scenario.answers.items():
        question = question_by_id.get(question_id)
        where = f"scenario {scenario.id!r}"
        if question is None:
            problems.append(f"{where}: unknown question {question_id!r}")
        elif question.kind == "choice" and question.option(value) is None:
            problems.append(f"{where}: question {question_id!r} has no option {value!r}")
        elif question.kind == "number" and not (
            value.isdigit() and question.minimum <= int(value) <= question.maximum
        ):
            problems.append(f"{where}: {value!r} is out of range for {question_id!r}")
    return problems


def validate_catalogue(
    *,
    question_list: Iterable[Question],
    decision_list: Iterable[Decision],
    rule_list: Iterable[Rule],
    alert_list: Iterable[Alert],
    scenario_list: Iterable[Scenario],
    source_list: Iterable[Source],
) -> tuple[str, ...]:
    """Every inconsistency found, in words; an empty tuple means the catalogue is sound."""
    question_list, decision_list = tuple(question_list), tuple(decision_list)
    rule_list, alert_list = tuple(rule_list), tuple(alert_list)
    scenario_list, source_list = tuple(scenario_list), tuple(source_list)
    question_by_id = {question.id: question for question in question_list}
    decision_by_id = {decision.id: decision for decision in decision_list}
    source_ids = {source.id for source in source_list}
    problems: list[str] = []

    for kind, ids in (
        ("question", [question.id for question in question_list]),
        ("decision", [decision.id for decision in decision_list]),
        ("rule", [rule.id for rule in rule_list]),
        ("alert", [alert.id for alert in alert_list]),
        ("scenario", [scenario.id for scenario in scenario_list]),
        ("source", [source.id for source in source_list]),
    ):
        problems += [f"duplicate {kind} id {item!r}" for item in _duplicates(ids)]
        problems += [
            f"{kind} id {item!r} is not a kebab-case slug" for item in ids if not _SLUG.match(item)
        ]
    for question in question_list:
        option_ids = [option.id for option in question.options]
        problems += [
            f"question {question.id!r} repeats option {item!r}" for item in _duplicates(option_ids)
        ]
        if question.kind == "choice" and len(option_ids) < 2:
            problems.append(f"question {question.id!r} needs at least two options")
    for decision in decision_list:
        choice_ids = [choice.id for choice in decision.choices]
        if decision.tie_break and sorted(decision.tie_break) != sorted(choice_ids):
            problems.append(f"decision {decision.id!r}: tie-break must list each option once")

    for rule in rule_list:
        where = f"rule {rule.id!r}"
        target = decision_by_id.get(rule.decision)
        if target is None:
            problems.append(f"{where}: unknown decision {rule.decision!r}")
            continue
        if rule.source not in source_ids:
            problems.append(f"{where}: unknown source {rule.source!r}")
        for when in rule.when:
            problems += _check_when(where, when, question_by_id)
        problems += [
            f"{where}: decision {rule.decision!r} has no option {effect.option!r}"
            for effect in rule.effects
            if target.choice(effect.option) is None
        ]

    for alert in alert_list:
        where = f"alert {alert.id!r}"
        if alert.source not in source_ids:
            problems.append(f"{where}: unknown source {alert.source!r}")
        problems += [
            f"{where}: unknown decision {decision_id!r}"
            for decision_id in alert.decisions
            if decision_id not in decision_by_id
        ]
        for when in alert.when:
            problems += _check_when(where, when, question_by_id)
        for winner in alert.winners:
            target = decision_by_id.get(winner.decision)
            if target is None:
                problems.append(f"{where}: unknown decision {winner.decision!r}")
                continue
            problems += [
                f"{where}: decision {winner.decision!r} has no option {option!r}"
                for option in winner.options
                if target.choice(option) is None
            ]

    for scenario in scenario_list:
        problems += _check_scenario(scenario, question_by_id)
        for decision_id, option in scenario.expected.items():
            target = decision_by_id.get(decision_id)
            if target is None or target.choice(option) is None:
                problems.append(f"scenario {scenario.id!r}: unknown outcome {decision_id}={option}")

    # Invariants the result page relies on: each option always carries at least one reason
    # (a rule that needs no answers), and some option of each decision can never be vetoed.
    for decision in decision_list:
        own = [rule for rule in rule_list if rule.decision == decision.id]
        general = {effect.option for rule in own if not rule.when for effect in rule.effects}
        vetoable = {effect.option for rule in own for effect in rule.effects if effect.veto}
        problems += [
            f"decision {decision.id!r}: option {choice.id!r} has no general reason"
            for choice in decision.choices
            if choice.id not in general
        ]
        if all(choice.id in vetoable for choice in decision.choices):
            problems.append(f"decision {decision.id!r}: every option can be vetoed")
    return tuple(problems)


def check_catalogue() -> None:
    """Validate the live catalogues (looked up now, so a patched catalogue is what's checked)."""
    problems = validate_catalogue(
        question_list=questions.QUESTIONS,
        decision_list=decisions.DECISIONS,
        rule_list=tables.RULES,
        alert_list=(
            *alerts.WARNINGS,
            *alerts.CROSS_CHECKS,
            *contradictions.CONTRADICTIONS,
            *budgets.BUDGET_ALERTS,
        ),
        scenario_list=scenarios.SCENARIOS,
        source_list=sources.SOURCES,
    )
    if problems:
        raise CatalogueError(problems)

"""The vocabulary of rules: conditions on answers, effects on options, rules and alerts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from advisor.questions import COUNT_QUESTION, Answers

Severity = Literal["bad", "warn", "info"]


@dataclass(frozen=True)
class When:
    """One condition on one answer: a choice among `options`, or a number within bounds.
    With `unless`, it holds when the question is skipped or answered with none of `options`."""

    question: str
    options: tuple[str, ...] = ()
    at_least: int | None = None
    at_most: int | None = None
    unless: bool = False

    def holds(self, answers: Answers) -> bool:
        value = answers.value(self.question)
        if self.unless:
            return value not in self.options
        if value is None:
            return False
        if isinstance(value, int):
            return (self.at_least is None or value >= self.at_least) and (
                self.at_most is None or value <= self.at_most
            )
        return value in self.options


@dataclass(frozen=True)
class Effect:
    """What a rule does to one option: a reason for (weight > 0), against (< 0) or a note."""

    option: str
    weight: int
    text: str
    veto: bool = False


@dataclass(frozen=True)
class Rule:
    id: str
    decision: str
    when: tuple[When, ...]
    effects: tuple[Effect, ...]
    source: str

    def holds(self, answers: Answers) -> bool:
        return all(condition.holds(answers) for condition in self.when)


@dataclass(frozen=True)
class Winner:
    decision: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class Alert:
    """A warning or cross-check, raised by answers and/or by what won other decisions."""

    id: str
    severity: Severity
    decisions: tuple[str, ...]
    text: str
    source: str
    when: tuple[When, ...] = ()
    winners: tuple[Winner, ...] = ()


def answer_is(question: str, *options: str) -> When:
    return When(question, options=options)


def answer_not(question: str, *options: str) -> When:
    """Holds unless the answer is one of `options`: a skipped question counts as "not"."""
    return When(question, options=options, unless=True)


def count_between(*, at_least: int | None = None, at_most: int | None = None) -> When:
    return When(COUNT_QUESTION, at_least=at_least, at_most=at_most)


def pro(option: str, weight: int, text: str) -> Effect:
    return Effect(option, abs(weight), text)


def con(option: str, weight: int, text: str) -> Effect:
    return Effect(option, -abs(weight), text)


def note(option: str, text: str) -> Effect:
    return Effect(option, 0, text)


def veto(option: str, text: str) -> Effect:
    return Effect(option, -3, text, veto=True)


def each(options: Iterable[str], weight: int, text: str) -> tuple[Effect, ...]:
    return tuple(Effect(option, weight, text) for option in options)


def rule(
    rule_id: str, decision: str, when: tuple[When, ...], source: str, *effects: Effect
) -> Rule:
    return Rule(rule_id, decision, when, effects, source)

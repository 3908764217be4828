"""The result of grading every option of the five decisions, and recommend() that computes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from advisor.budgets import Budget, count_budgets
from advisor.decisions import (
    DECISIONS,
    PLAYGROUND_FLOW_PATH,
    REFRESH_TOKEN_SLUG,
    Choice,
    Decision,
)
from advisor.questions import COUNT_QUESTION, QUESTIONS, Answers, Question
from advisor.rules.alerts import CROSS_CHECKS, WARNINGS
from advisor.rules.contradictions import CONTRADICTIONS
from advisor.rules.tables import RULES
from advisor.rules.vocabulary import Alert, Effect, Rule
from advisor.sources import SOURCE_BY_ID, Source

Grade = Literal["best", "good", "possible", "avoid"]
# clear: one option leads; tie: several share the top score; no-clear-winner: none scores above 0.
Verdict = Literal["clear", "tie", "no-clear-winner"]

# ---------------------------------------------------------------------------------------------
# Results


ReasonKind = Literal["for", "against", "note"]


@dataclass(frozen=True)
class Reason:
    text: str
    weight: int
    veto: bool
    causes: tuple[str, ...]  # each completes "you said …"
    source: Source
    rule: str
    kind: ReasonKind
    because: str  # "because you said …", or "" for general guidance


def _because(causes: tuple[str, ...]) -> str:
    return "because you said " + " and ".join(causes) if causes else ""


def given_that(causes: tuple[str, ...]) -> str:
    """The answers behind a reason as a statement about the integration, for records a team
    signs (not "because you said"); "" for general guidance."""
    return f"Given that {' and '.join(causes)}." if causes else ""


def _kind(effect: Effect) -> ReasonKind:
    if effect.veto or effect.weight < 0:
        return "against"
    return "for" if effect.weight > 0 else "note"


@dataclass(frozen=True)
class GradedOption:
    choice: Choice
    grade: Grade
    score: int
    rank: int
    vetoed: bool
    reasons: tuple[Reason, ...]

    @property
    def pros(self) -> tuple[Reason, ...]:
        return tuple(reason for reason in self.reasons if reason.kind == "for")

    @property
    def cons(self) -> tuple[Reason, ...]:
        return tuple(reason for reason in self.reasons if reason.kind == "against")

    @property
    def notes(self) -> tuple[Reason, ...]:
        return tuple(reason for reason in self.reasons if reason.kind == "note")

    @property
    def headline(self) -> Reason:
        """The reason that most shaped this option's grade."""
        ordered = (*self.cons, *self.pros) if self.grade == "avoid" else self.reasons
        return ordered[0] if ordered else self.reasons[0]


@dataclass(frozen=True)
class WhatIf:
    question: Question
    answer: str  # the other answer, in words
    winner: Choice  # the option that would lead
    query: str  # the permalink with that answer instead
    verdict: Verdict  # "clear" when it would win outright, not merely lead a tie


@dataclass(frozen=True)
class FiredAlert:
    alert: Alert
    source: Source
    causes: tuple[str, ...]
    because: str


@dataclass(frozen=True)
class DecisionResult:
    decision: Decision
    options: tuple[GradedOption, ...]  # ranked, best first
    what_ifs: tuple[WhatIf, ...]  # a different answer to an answered question flips the winner
    skipped_changes: tuple[WhatIf, ...]  # answering a skipped question would flip the winner
    skipped_idle: tuple[Question, ...]  # skipped questions that wouldn't change it
    warnings: tuple[FiredAlert, ...]
    verdict: Verdict

    @property
    def best(self) -> GradedOption:
        """The leading option: the best when the verdict is clear, else the first by tie-break
        (what the diagram draws and the cross-checks compare)."""
        return self.options[0]

    @property
    def outcome(self) -> str:
        """What the decision came to, in words: its winner, its tied options, or no winner."""
        if self.verdict == "tie":
            return " or ".join(option.choice.name for option in self.tied)
        if self.verdict == "no-clear-winner":
            return "No clear winner"
        return self.best.choice.name

    @property
    def tied(self) -> tuple[GradedOption, ...]:
        """The options sharing the top score, when the verdict is a tie."""
        if self.verdict != "tie":
            return ()
        top = self.best.score
        return tuple(option for option in self.options if not option.vetoed and option.score == top)

    @property
    def runner_up(self) -> GradedOption | None:
        return next((option for option in self.options[1:] if not option.vetoed), None)

    @property
    def close_call(self) -> bool:
        runner_up = self.runner_up
        return (
            self.verdict == "clear"
            and runner_up is not None
            and self.best.score - runner_up.score <= 1
        )


@dataclass(frozen=True)
class Companion:
    applies: bool
    text: str
    because: str
    playground_path: str
    caution: str = ""  # how to hold the refresh token, where it's hard to keep safe
    causes: tuple[str, ...] = ()  # each completes "you said …"


@dataclass(frozen=True)
class LinkCount:
    systems: int
    direct: int
    via_middleware: int


@dataclass(frozen=True)
class Recommendation:
    answers: Answers
    decisions: tuple[DecisionResult, ...]
    cross_checks: tuple[FiredAlert, ...]
    contradictions: tuple[FiredAlert, ...]
    companion: Companion
    links: LinkCount | None
    budgets: tuple[Budget, ...]

    def decision(self, decision_id: str) -> DecisionResult:
        return next(result for result in self.decisions if result.decision.id == decision_id)

    def best(self, decision_id: str) -> Choice:
        return self.decision(decision_id).best.choice

    @property
    def warnings(self) -> tuple[FiredAlert, ...]:
        return tuple(warning for result in self.decisions for warning in result.warnings)

    @property
    def alerts(self) -> tuple[FiredAlert, ...]:
        return (*self.contradictions, *self.warnings, *self.cross_checks)

    @property
    def answered(self) -> int:
        return sum(1 for question in QUESTIONS if self.answers.is_answered(question.id))


def count_links(systems: int) -> LinkCount:
    """Point-to-point needs a link per pair, n·(n−1)/2; a bus needs one per system."""
    return LinkCount(systems=systems, direct=systems * (systems - 1) // 2, via_middleware=systems)


# ---------------------------------------------------------------------------------------------
# Evaluation

_RULES_BY_DECISION: dict[str, tuple[Rule, ...]] = {
    decision.id: tuple(rule for rule in RULES if rule.decision == decision.id)
    for decision in DECISIONS
}
_RULES_BY_QUESTION: dict[tuple[str, str], tuple[Rule, ...]] = {
    (decision.id, question.id): tuple(
        rule
        for rule in _RULES_BY_DECISION[decision.id]
        if any(condition.question == question.id for condition in rule.when)
    )
    for decision in DECISIONS
    for question in QUESTIONS
}
_QUESTIONS_BY_DECISION: dict[str, tuple[Question, ...]] = {
    decision.id: tuple(
        question for question in QUESTIONS if _RULES_BY_QUESTION[(decision.id, question.id)]
    )
    for decision in DECISIONS
}

Tally = dict[str, list[int]]  # option id -> [score, vetoes]


def _apply(tally: Tally, rule: Rule, sign: int) -> None:
    for effect in rule.effects:
        entry = tally[effect.option]
        entry[0] += sign * effect.weight
        entry[1] += sign * int(effect.veto)


def _tally(decision: Decision, answers: Answers) -> Tally:
    tally: Tally = {choice.id: [0, 0] for choice in decision.choices}
    for rule in _RULES_BY_DECISION[decision.id]:
        if rule.holds(answers):
            _apply(tally, rule, 1)
    return tally


def _ranked(decision: Decision, tally: Tally) -> list[Choice]:
    # Vetoed options sink; then the higher score; then the decision's tie-break order.
    preference = decision.tie_break or tuple(choice.id for choice in decision.choices)
    order = {choice_id: index for index, choice_id in enumerate(preference)}
    return sorted(
        decision.choices,
        key=lambda choice: (tally[choice.id][1] > 0, -tally[choice.id][0], order[choice.id]),
    )


def _winner_if(
    decision: Decision, tally: Tally, answers: Answers, question: Question, value: str | int
) -> tuple[Choice, Verdict]:
    """The leader, and the verdict, had `question` been answered `value`, re-scoring only the
    rules it touches."""
    changed = answers.with_answer(question.id, value)
    trial: Tally = {option: entry.copy() for option, entry in tally.items()}
    for rule in _RULES_BY_QUESTION[(decision.id, question.id)]:
        _apply(trial, rule, int(rule.holds(changed)) - int(rule.holds(answers)))
    ranked = _ranked(decision, trial)
    return ranked[0], _verdict(ranked, trial)


def _alternatives(question: Question, answers: Answers) -> list[tuple[str | int, str]]:
    current = answers.value(question.id)
    if question.kind == "number":
        return [(n, f"{n:,} {question.unit}") for n in question.probes if n != current]
    return [(option.id, option.label) for option in question.options if option.id != current]


def _causes(rule_or_alert: Rule | Alert, answers: Answers) -> tuple[str, ...]:
    # A skipped question can satisfy an "unless" condition, but it is nothing the person said.
    said = (answers.said(condition.question) for condition in rule_or_alert.when)
    return tuple(dict.fromkeys(cause for cause in said if cause))


def _verdict(ranked: list[Choice], tally: Tally) -> Verdict:
    top = tally[ranked[0].id][0]
    if top <= 0:
        return "no-clear-winner"
    runner_up = next((choice for choice in ranked[1:] if tally[choice.id][1] == 0), None)
    if runner_up is not None and tally[runner_up.id][0] == top:
        return "tie"
    return "clear"


def _grade(*, rank: int, score: int, vetoed: bool, best_score: int, verdict: Verdict) -> Grade:
    if vetoed:
        return "avoid"
    if rank == 0 and verdict == "clear":
        return "best"
    if score <= -3:
        return "avoid"
    if score > 0 and best_score - score <= 2:
        return "good"
    return "possible"


def _reasons(decision: Decision, answers: Answers) -> dict[str, list[Reason]]:
    reasons: dict[str, list[Reason]] = {choice.id: [] for choice in decision.choices}
    for rule in _RULES_BY_DECISION[decision.id]:
        if not rule.holds(answers):
            continue
        causes = _causes(rule, answers)
        for effect in rule.effects:
            reasons[effect.option].append(
                Reason(
                    text=effect.text,
                    weight=effect.weight,
                    veto=effect.veto,
                    causes=causes,
                    source=SOURCE_BY_ID[rule.source],
                    rule=rule.id,
                    kind=_kind(effect),
                    because=_because(causes),
                )
            )
    for found in reasons.values():
        # Vetoes first, then the strongest reasons; answer-driven before general guidance.
        found.sort(key=lambda reason: (not reason.veto, -abs(reason.weight), not reason.causes))
    return reasons


def _alert_fires(alert: Alert, answers: Answers, winners: dict[str, str]) -> bool:
    return all(condition.holds(answers) for condition in alert.when) and all(
        winners[winner.decision] in winner.options for winner in alert.winners
    )


def _fired(alert: Alert, answers: Answers) -> FiredAlert:
    causes = _causes(alert, answers)
    return FiredAlert(
        alert=alert, source=SOURCE_BY_ID[alert.source], causes=causes, because=_because(causes)
    )


def _decide(decision: Decision, answers: Answers) -> DecisionResult:
    tally = _tally(decision, answers)
    ranked = _ranked(decision, tally)
    reasons = _reasons(decision, answers)
    best_score = tally[ranked[0].id][0]
    verdict = _verdict(ranked, tally)
    options = tuple(
        GradedOption(
            choice=choice,
            grade=_grade(
                rank=rank,
                score=tally[choice.id][0],
                vetoed=tally[choice.id][1] > 0,
                best_score=best_score,
                verdict=verdict,
            ),
            score=tally[choice.id][0],
            rank=rank,
            vetoed=tally[choice.id][1] > 0,
            reasons=tuple(reasons[choice.id]),
        )
        for rank, choice in enumerate(ranked)
    )
    what_ifs: list[WhatIf] = []
    skipped_changes: list[WhatIf] = []
    skipped_idle: list[Question] = []
    for question in _QUESTIONS_BY_DECISION[decision.id]:
        flips = [
            WhatIf(
                question=question,
                answer=label,
                winner=winner,
                query=answers.query_with(question.id, value),
                verdict=then,
            )
            for value, label in _alternatives(question, answers)
            for winner, then in (_winner_if(decision, tally, answers, question, value),)
            # A flip changes the leader, or settles a tie or a no-winner in the leader's favour.
            if winner != ranked[0] or (then == "clear" and verdict != "clear")
        ]
        if answers.is_answered(question.id):
            what_ifs.extend(flips)
        elif flips:
            skipped_changes.extend(flips)
        else:
            skipped_idle.append(question)
    return DecisionResult(
        decision=decision,
        options=options,
        what_ifs=tuple(what_ifs),
        skipped_changes=tuple(skipped_changes),
        skipped_idle=tuple(skipped_idle),
        warnings=(),
        verdict=verdict,
    )


_COMPANION_TEXT = {
    "needed": "Add the refresh token flow: the app trades its refresh token for fresh access "
    "tokens, so it keeps working after the person has gone.",
    "not-needed": "No refresh token needed: the person signs in each time, and there is no "
    "long-lived token to steal.",
    "unknown": "If the app must keep working after the person leaves, add the refresh token "
    "flow; you skipped the question that decides it.",
    "not-issued": "No refresh token: this flow simply asks for a new access token whenever it "
    "needs one, so there is no long-lived token to guard.",
}
_BROWSER_REFRESH_CAUTION = (
    "A refresh token kept in the browser can be read by any script that runs on the page. Turn "
    "on refresh token rotation (each use returns a new token, and a reused one revokes them "
    "all), keep its lifetime short, or keep the tokens on a small server of your own (a "
    "backend-for-frontend) and give the browser only a session cookie."
)


def _companion(best_flow: Choice, answers: Answers) -> Companion:
    path = PLAYGROUND_FLOW_PATH.format(slug=REFRESH_TOKEN_SLUG)
    offline = answers.value("offline")
    if not best_flow.refreshable:
        return Companion(False, _COMPANION_TEXT["not-issued"], "", path)
    if offline is None:
        return Companion(False, _COMPANION_TEXT["unknown"], "", path)
    causes = (answers.said("offline"),)
    because = _because(causes)
    if offline == "yes":
        caution = _BROWSER_REFRESH_CAUTION if answers.value("client") == "spa" else ""
        return Companion(True, _COMPANION_TEXT["needed"], because, path, caution, causes)
    return Companion(False, _COMPANION_TEXT["not-needed"], because, path, causes=causes)


def recommend(answers: Answers) -> Recommendation:
    """Grade every option of every decision, explain each grade, and cross-check the winners."""
    results = [_decide(decision, answers) for decision in DECISIONS]
    winners = {result.decision.id: result.best.choice.id for result in results}
    budgets = count_budgets(answers)
    decided = tuple(
        DecisionResult(
            decision=result.decision,
            options=result.options,
            what_ifs=result.what_ifs,
            skipped_changes=result.skipped_changes,
            skipped_idle=result.skipped_idle,
            warnings=(
                *(
                    _fired(alert, answers)
                    for alert in WARNINGS
                    if alert.decisions[0] == result.decision.id
                    and _alert_fires(alert, answers, winners)
                ),
                *(
                    FiredAlert(
                        budget.alert,
                        SOURCE_BY_ID[budget.alert.source],
                        (),
                        "by the count: " + budget.arithmetic.removesuffix("."),
                    )
                    for budget in budgets
                    if budget.alert and budget.allocation.decision == result.decision.id
                ),
            ),
            verdict=result.verdict,
        )
        for result in results
    )
    systems = answers.value(COUNT_QUESTION)
    return Recommendation(
        answers=answers,
        decisions=decided,
        cross_checks=tuple(
            _fired(alert, answers)
            for alert in CROSS_CHECKS
            if _alert_fires(alert, answers, winners)
        ),
        contradictions=tuple(
            _fired(alert, answers)
            for alert in CONTRADICTIONS
            if all(condition.holds(answers) for condition in alert.when)
        ),
        companion=_companion(decided[0].best.choice, answers),
        links=count_links(systems) if isinstance(systems, int) else None,
        budgets=budgets,
    )

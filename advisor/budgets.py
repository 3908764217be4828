"""The daily allocations a design review counts: API calls and event deliveries against what the
org allows, with the arithmetic shown and an alert once the share used runs high."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.questions import Answers
from advisor.rules.vocabulary import Alert

NEARLY_USED = 80  # per cent: spikes, retries and new integrations need the rest


@dataclass(frozen=True)
class Allocation:
    id: str
    decision: str  # the decision whose warnings show this allocation's alerts
    used_question: str
    allowed_question: str
    counted: str  # "API calls a day"
    exceeded: Alert
    nearly_used: Alert


@dataclass(frozen=True)
class Budget:
    allocation: Allocation
    used: int
    allowed: int

    @property
    def share(self) -> int:
        """The share of the allocation used, in whole per cent (rounded up: a budget is only
        safe once it is safe at the next call)."""
        return -(-100 * self.used // self.allowed)

    @property
    def arithmetic(self) -> str:
        return (
            f"{self.used:,} {self.allocation.counted} of an allocation of {self.allowed:,}: "
            f"{self.share}% used."
        )

    @property
    def alert(self) -> Alert | None:
        if self.share > 100:
            return self.allocation.exceeded
        if self.share >= NEARLY_USED:
            return self.allocation.nearly_used
        return None


ALLOCATIONS: tuple[Allocation, ...] = (
    Allocation(
        "api",
        "pattern",
        "api-calls",
        "api-allocation",
        "API calls a day",
        exceeded=Alert(
            "problem-api-allocation-exceeded",
            "bad",
            ("pattern",),
            "The expected calls exceed the org's daily API allocation, so calls will be "
            "refused before the day is out. Move bulk work to Bulk API jobs, group writes with "
            "sObject Collections or Composite requests, or buy more allocation.",
            "sf-api-limits",
        ),
        nearly_used=Alert(
            "warn-api-allocation-nearly-used",
            "warn",
            ("pattern",),
            "The expected calls use most of the org's daily API allocation, which every other "
            "integration shares. Leave room for retries and the next integration.",
            "sf-api-limits",
        ),
    ),
    Allocation(
        "events",
        "events",
        "event-deliveries",
        "event-allocation",
        "event deliveries a day",
        exceeded=Alert(
            "problem-event-allocation-exceeded",
            "bad",
            ("events",),
            "The expected deliveries exceed the org's daily event delivery allocation, and "
            "events past it are not delivered to outside subscribers. Fewer subscribers per "
            "event (one middleware subscriber fanning out), or an add-on licence.",
            "sf-api-limits",
        ),
        nearly_used=Alert(
            "warn-event-allocation-nearly-used",
            "warn",
            ("events",),
            "The expected deliveries use most of the org's daily event delivery allocation; a "
            "busy day or one more subscriber would run past it.",
            "sf-api-limits",
        ),
    ),
)

BUDGET_ALERTS: tuple[Alert, ...] = tuple(
    alert for allocation in ALLOCATIONS for alert in (allocation.exceeded, allocation.nearly_used)
)


def count_budgets(answers: Answers) -> tuple[Budget, ...]:
    """A budget for each allocation whose use and size were both answered."""
    budgets = []
    for allocation in ALLOCATIONS:
        used = answers.numbers.get(allocation.used_question)
        allowed = answers.numbers.get(allocation.allowed_question)
        if used is not None and allowed:
            budgets.append(Budget(allocation, used, allowed))
    return tuple(budgets)

"""Every rule of the five decisions as one table, in decision order."""

from __future__ import annotations

from advisor.rules.events import EVENT_RULES
from advisor.rules.flow import FLOW_RULES
from advisor.rules.pattern import PATTERN_RULES
from advisor.rules.topology import TOPOLOGY_RULES
from advisor.rules.transport import TRANSPORT_RULES
from advisor.rules.vocabulary import Rule

RULES: tuple[Rule, ...] = (
    *FLOW_RULES,
    *PATTERN_RULES,
    *TOPOLOGY_RULES,
    *EVENT_RULES,
    *TRANSPORT_RULES,
)

"""The advisor's design on the playground's flow pages: the one place the playground reaches the
advisor (ARCHITECTURE.md), through the advisor's plain data and its URLs."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from advisor.handoff import FlowFit, design_for_flow, implied_query


@dataclass(frozen=True)
class Handoff:
    fit: FlowFit | None  # the design that came along, as the advisor read it
    advisor_url: str  # back to that design, or to the answers the flow implies


def flow_handoff(raw_design: str, slug: str) -> Handoff:
    """What a flow page shows of a design (user input, read by the advisor's own parsers)."""
    fit = design_for_flow(raw_design, slug) if raw_design else None
    query = fit.query if fit else implied_query(slug)
    path = reverse("advisor:wizard")
    return Handoff(fit, f"{path}?{query}" if query else f"{path}#topic-people")

"""The advisor's side of the hand-off with the playground: what a design says about one flow the
playground runs, and the answers a flow implies when no design came along."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from advisor.decisions import PLAYGROUND_FLOW_PATH, REFRESH_TOKEN_SLUG
from advisor.questions import QUESTIONS, parse_answers
from advisor.recommendation import Reason, Recommendation, given_that, recommend
from advisor.record import design_query, parse_record

# A design is the permalink's query: every answer and the record's longest field fit well inside.
MAX_DESIGN = 8000

# What running a flow says about the integration: the facts that make the flow the one to run.
# The advisor may still prefer another flow for them (a web app with a server gets PKCE added).
FLOW_ANSWERS: Mapping[str, Mapping[str, str]] = {
    "web-server": {
        "initiator": "external",
        "person": "yes",
        "client": "server-web",
        "secret": "yes",
    },
    "web-server-pkce": {
        "initiator": "external",
        "person": "yes",
        "client": "server-web",
        "secret": "yes",
        "environment": "production",
    },
    "user-agent": {"initiator": "external", "person": "yes", "client": "spa", "secret": "no"},
    "jwt-bearer": {
        "initiator": "external",
        "person": "no",
        "client": "backend",
        "secret": "yes",
        "certificates": "yes",
        "run-as": "one-user",
    },
    "client-credentials": {
        "initiator": "external",
        "person": "no",
        "client": "backend",
        "secret": "yes",
        "certificates": "no",
        "run-as": "one-user",
    },
    "device": {"initiator": "external", "person": "yes", "client": "limited-input", "secret": "no"},
    "username-password": {
        "initiator": "external",
        "person": "no",
        "client": "cli",
        "password-only": "yes",
        "environment": "prototype",
    },
    "saml-bearer": {
        "initiator": "external",
        "person": "yes",
        "client": "server-web",
        "secret": "yes",
        "saml": "yes",
        "certificates": "yes",
    },
    "asset-token": {"initiator": "external", "person": "no", "devices": "yes"},
    "device-rfc8628": {
        "initiator": "external",
        "person": "yes",
        "client": "limited-input",
        "secret": "no",
    },
    REFRESH_TOKEN_SLUG: {"initiator": "external", "person": "yes", "offline": "yes"},
    "remote-call-in": {"initiator": "external", "wait": "yes", "speaks-rest": "yes"},
}

# The playground's RFC 8628 run of the device flow is graded as the device flow it follows.
GRADED_AS = {"device-rfc8628": "device"}


@dataclass(frozen=True)
class DesignReason:
    kind: str  # "for", "against" or "note"
    text: str
    given: str  # the answers behind it as a statement, or "" for general guidance
    source_title: str
    source_url: str


@dataclass(frozen=True)
class FlowFit:
    """What one design says about one flow: the advisor's grade of it and its reasons."""

    query: str  # the design's canonical permalink query (answers, then the record's details)
    title: str  # the integration's name, if the design gave one
    option: str  # the advisor's name for the flow, or "" when no decision offers it
    grade: str  # best, good, possible or avoid; "" when no decision grades it
    pick: str  # what the advisor chose in that decision
    reasons: tuple[DesignReason, ...]


def implied_query(slug: str) -> str:
    """The advisor's query for the answers a flow implies, in catalogue order ("" if none)."""
    answers = FLOW_ANSWERS.get(slug, {})
    return urlencode([(q.id, answers[q.id]) for q in QUESTIONS if q.id in answers])


def _reason(reason: Reason) -> DesignReason:
    source = reason.source
    return DesignReason(
        reason.kind, reason.text, given_that(reason.causes), source.title, source.url
    )


def _fit(recommendation: Recommendation, slug: str, *, query: str, title: str) -> FlowFit:
    path = PLAYGROUND_FLOW_PATH.format(slug=GRADED_AS.get(slug, slug))
    for result in recommendation.decisions:
        for option in result.options:
            if option.choice.live is not None and option.choice.live.path == path:
                reasons = tuple(_reason(reason) for reason in option.reasons)
                return FlowFit(
                    query, title, option.choice.name, option.grade, result.outcome, reasons
                )
    companion = recommendation.companion
    if slug == REFRESH_TOKEN_SLUG:
        kind = "for" if companion.applies else "note"
        reason = DesignReason(kind, companion.text, given_that(companion.causes), "", "")
        return FlowFit(query, title, "", "", "", (reason,))
    return FlowFit(query, title, "", "", "", ())


def design_for_flow(raw: str, slug: str) -> FlowFit | None:
    """Read a design someone brought along (a permalink or its query: user input) with the
    advisor's own parsers, dropping what doesn't parse; None when nothing in it does."""
    text = raw.strip()[:MAX_DESIGN]
    fields = dict(parse_qsl(urlsplit(text).query if "?" in text else text))
    answers, record = parse_answers(fields), parse_record(fields)
    query = design_query(answers, record)
    if not query:
        return None
    return _fit(recommend(answers), slug, query=query, title=record.title)

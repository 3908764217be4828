"""Export a recommendation as a Markdown architecture decision record (MADR layout), a zip of that
record beside its diagram, or JSON."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date
from typing import Any

from advisor import diagrams
from advisor.questions import NAMES_QUESTION, QUESTIONS, TOPICS, questions_in
from advisor.recommendation import (
    DecisionResult,
    FiredAlert,
    GradedOption,
    Reason,
    Recommendation,
    given_that,
)
from advisor.record import RecordDetails
from advisor.sources import Source

GRADE_WORDS = {"best": "Best", "good": "Good", "possible": "Possible", "avoid": "Avoid"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def _md(text: str) -> str:
    """Escape text a person typed, so it can't turn into links, HTML or headings."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


MARKDOWN_NAME = "integration-decision.md"
DIAGRAM_NAME = "integration-diagram.svg"


def title(recommendation: Recommendation, record: RecordDetails | None = None) -> str:
    outcomes = ", ".join(result.outcome for result in recommendation.decisions)
    if record is not None and record.title:
        return f"{_md(record.title)}: {outcomes}"
    return "Integration design: " + outcomes


def _given(causes: tuple[str, ...]) -> str:
    return f" {given_that(causes)}" if causes else ""


def _source(source: Source) -> str:
    return f"[{source.title}]({source.url})" if source.url else f"({source.title})"


def _reason_line(reason: Reason, *, good: str = "Good", bad: str = "Bad") -> str:
    word = {"for": good, "against": bad, "note": "Neutral"}[reason.kind]
    veto = " Rules it out." if reason.veto else ""
    return f"* {word}: {reason.text}{veto}{_given(reason.causes)} {_source(reason.source)}"


def _alert_line(fired: FiredAlert) -> str:
    return (
        f"* **{fired.alert.severity.upper()}** {fired.alert.text}{_given(fired.causes)} "
        + _source(fired.source)
    )


def _context(recommendation: Recommendation) -> list[str]:
    answers = recommendation.answers
    lines = [
        "We need to choose how this integration authenticates, which integration pattern it "
        "follows, whether it runs point-to-point or through middleware, whether it uses "
        "Salesforce events, and how its connections are secured. The answers below describe "
        "the integration; they were given in the Handshake advisor.",
        "",
    ]
    for topic in TOPICS:
        answered = [
            question for question in questions_in(topic.id) if answers.is_answered(question.id)
        ]
        if not answered:
            continue
        lines.append(f"**{topic.title}**")
        lines.append("")
        for question in answered:
            if question.id == NAMES_QUESTION:
                shown = ", ".join(_md(name) for name in answers.names)
            else:
                value = answers.value(question.id)
                option = question.option(value) if isinstance(value, str) else None
                shown = option.label if option else str(value)
            lines.append(f"* {question.prompt} {shown}")
        lines.append("")
    skipped = [question.prompt for question in QUESTIONS if not answers.is_answered(question.id)]
    if skipped:
        lines.append(f"Questions left unanswered ({len(skipped)}):")
        lines.append("")
        lines += [f"* {prompt}" for prompt in skipped]
        lines.append("")
    return lines


def _drivers(recommendation: Recommendation) -> list[str]:
    causes: dict[str, None] = {}
    for result in recommendation.decisions:
        for option in result.options[:2]:
            for reason in option.reasons:
                for cause in reason.causes:
                    causes.setdefault(cause)
    if not causes:
        return ["* No answers were given; the outcome rests on general guidance only."]
    return [f"* {cause[:1].upper()}{cause[1:]}." for cause in causes]


def _option_block(option: GradedOption) -> list[str]:
    lines = [
        f"#### {option.choice.name} ({GRADE_WORDS[option.grade]})",
        "",
        option.choice.summary,
        "",
    ]
    lines += [_reason_line(reason) for reason in option.reasons]
    lines.append("")
    return lines


def _outcome_line(result: DecisionResult) -> str:
    heading = f"{result.decision.number}. {result.decision.title}"
    if result.verdict == "tie":
        return (
            f"{heading}: not decided yet, {result.outcome} tie on these answers; the "
            "questions that would separate them are listed under the options."
        )
    if result.verdict == "no-clear-winner":
        return (
            f"{heading}: not decided yet, no option scores above zero on these answers; "
            "answer the questions that matter here first."
        )
    best = result.best
    top = best.pros[0] if best.pros else best.reasons[0]
    close = ""
    if result.close_call and result.runner_up is not None:
        close = f" Close call: {result.runner_up.choice.name} came within a point."
    return f'{heading}: chosen option "{best.choice.name}". {top.text}{_given(top.causes)}{close}'


def _front_matter(record: RecordDetails, today: date) -> list[str]:
    # MADR's front matter is YAML; a JSON string is a valid YAML scalar whatever was typed.
    owner = [f"decision-makers: {json.dumps(record.owner, ensure_ascii=False)}"]
    return [
        "---",
        f"status: {record.status}",
        f"date: {(record.date or today).isoformat()}",
        *(owner if record.owner else []),
        "---",
    ]


def _override(record: RecordDetails) -> list[str]:
    lines = ["### Where the team chose differently from the advisor", ""]
    if not record.override:
        return [*lines, "* Nowhere: the team follows the advisor's choices above.", ""]
    return [*lines, *(f"> {_md(line)}  " for line in record.override.splitlines()), ""]


def _diagram(recommendation: Recommendation, *, diagram_file: str) -> list[str]:
    picture = [f"![The recommended architecture]({diagram_file})", ""] if diagram_file else []
    return [
        "### Diagram",
        "",
        *picture,
        "```mermaid",
        diagrams.to_mermaid(recommendation),
        "```",
        "",
    ]


def to_markdown(
    recommendation: Recommendation,
    *,
    permalink: str,
    today: date,
    record: RecordDetails | None = None,
    diagram_file: str = "",
) -> str:
    """A complete MADR document: paste it into docs/decisions/ and edit from there. With
    `diagram_file` the record also shows that image (the SVG beside it in the zip)."""
    record = record or RecordDetails()
    lines = [
        *_front_matter(record, today),
        "",
        f"# {title(recommendation, record)}",
        "",
        "## Context and Problem Statement",
        "",
        *_context(recommendation),
        f"Permalink to these answers: <{permalink}>",
        "",
        "## Decision Drivers",
        "",
        *_drivers(recommendation),
        "",
        "## Considered Options",
        "",
    ]
    for result in recommendation.decisions:
        names = ", ".join(option.choice.name for option in result.options)
        lines.append(f"* {result.decision.title}: {names}")
    lines += ["", "## Decision Outcome", ""]
    if record.owner:
        lines += [f"Owner: {_md(record.owner)}", ""]
    for result in recommendation.decisions:
        lines.append(_outcome_line(result))
    lines.append("")
    lines += _override(record)
    lines += _diagram(recommendation, diagram_file=diagram_file)
    lines += ["### Consequences", ""]
    for result in recommendation.decisions:
        best = result.best
        lines += [_reason_line(reason) for reason in (*best.pros, *best.cons)]
    companion = recommendation.companion
    lines.append(f"* Neutral: {companion.text}")
    if companion.caution:
        lines.append(f"* Bad, unless handled: {companion.caution}")
    lines += ["", "### Contradictions in the answers", ""]
    lines += [_alert_line(fired) for fired in recommendation.contradictions] or [
        "* None: the answers are consistent with each other."
    ]
    lines += ["", "### Warnings and cross-checks", ""]
    alerts = (*recommendation.warnings, *recommendation.cross_checks)
    lines += [_alert_line(fired) for fired in alerts] or ["* None raised by these answers."]
    lines += ["", "## Pros and Cons of the Options", ""]
    for result in recommendation.decisions:
        lines += [f"### {result.decision.number}. {result.decision.title}", ""]
        for option in result.options:
            lines += _option_block(option)
        if result.what_ifs:
            lines.append("What would change this decision:")
            lines.append("")
            lines += [
                f'* Answering "{what_if.answer}" to "{what_if.question.prompt}" would make '
                f"{what_if.winner.name} "
                + ("win." if what_if.verdict == "clear" else "lead, though not clearly.")
                for what_if in result.what_ifs
            ]
            lines.append("")
    if recommendation.links is not None:
        links = recommendation.links
        lines += [
            "## More Information",
            "",
            f"With {links.systems} systems, joining each to every other takes up to "
            f"{links.direct} links; through middleware it takes {links.via_middleware}.",
            "",
        ]
    else:
        lines += ["## More Information", ""]
    if recommendation.budgets:
        lines += ["Daily allocations:", ""]
        lines += [f"* {budget.arithmetic}" for budget in recommendation.budgets]
        lines.append("")
    sources = {
        reason.source.id: reason.source
        for result in recommendation.decisions
        for option in result.options
        for reason in option.reasons
    }
    lines.append("Sources behind these reasons:")
    lines.append("")
    lines += [
        f"* [{source.title}]({source.url})" if source.url else f"* {source.title}"
        for source in sorted(sources.values(), key=lambda source: source.title)
    ]
    lines += ["", f"Generated by the Handshake advisor on {today.isoformat()}.", ""]
    return "\n".join(lines)


def _reason_data(reason: Reason) -> dict[str, Any]:
    return {
        "kind": reason.kind,
        "text": reason.text,
        "weight": reason.weight,
        "rules_out": reason.veto,
        "because": list(reason.causes),
        "rule": reason.rule,
        "source": {"id": reason.source.id, "title": reason.source.title, "url": reason.source.url},
    }


def _alert_data(fired: FiredAlert) -> dict[str, Any]:
    return {
        "id": fired.alert.id,
        "severity": fired.alert.severity,
        "decisions": list(fired.alert.decisions),
        "text": fired.alert.text,
        "because": list(fired.causes),
        "source": fired.source.id,
    }


def to_zip(
    recommendation: Recommendation, *, permalink: str, today: date, record: RecordDetails
) -> bytes:
    """The Markdown record with the diagram's SVG beside it, the image it shows."""
    markdown = to_markdown(
        recommendation, permalink=permalink, today=today, record=record, diagram_file=DIAGRAM_NAME
    )
    svg = diagrams.render_svg(diagrams.build_graph(recommendation))
    stamp = (*(record.date or today).timetuple()[:3], 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in ((MARKDOWN_NAME, markdown), (DIAGRAM_NAME, svg)):
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), text)
    return buffer.getvalue()


def _record_data(record: RecordDetails) -> dict[str, Any]:
    return {
        "title": record.title or None,
        "owner": record.owner or None,
        "status": record.status,
        "date": record.date.isoformat() if record.date else None,
        "override": record.override or None,
    }


def to_data(
    recommendation: Recommendation, *, permalink: str, record: RecordDetails | None = None
) -> dict[str, Any]:
    answers = recommendation.answers
    return {
        "permalink": permalink,
        "record": _record_data(record or RecordDetails()),
        "answers": {
            **dict(answers.choices),
            **dict(answers.numbers),
            **({NAMES_QUESTION: list(answers.names)} if answers.names else {}),
        },
        "input_errors": [{"question": e.question, "message": e.message} for e in answers.errors],
        "decisions": [
            {
                "id": result.decision.id,
                "title": result.decision.title,
                "best": result.best.choice.id if result.verdict == "clear" else None,
                "verdict": result.verdict,
                "tied": [option.choice.id for option in result.tied],
                "leading": result.best.choice.id,
                "close_call": result.close_call,
                "options": [
                    {
                        "id": option.choice.id,
                        "name": option.choice.name,
                        "grade": option.grade,
                        "score": option.score,
                        "rank": option.rank + 1,
                        "playground": option.choice.playground_path or None,
                        "live": option.choice.live.path if option.choice.live else None,
                        "reasons": [_reason_data(reason) for reason in option.reasons],
                    }
                    for option in result.options
                ],
                "what_ifs": [
                    {
                        "question": w.question.id,
                        "answer": w.answer,
                        "winner": w.winner.id,
                        "verdict": w.verdict,
                    }
                    for w in result.what_ifs
                ],
                "skipped_would_change": [
                    {
                        "question": w.question.id,
                        "answer": w.answer,
                        "winner": w.winner.id,
                        "verdict": w.verdict,
                    }
                    for w in result.skipped_changes
                ],
                "warnings": [_alert_data(fired) for fired in result.warnings],
            }
            for result in recommendation.decisions
        ],
        "cross_checks": [_alert_data(fired) for fired in recommendation.cross_checks],
        "contradictions": [_alert_data(fired) for fired in recommendation.contradictions],
        "budgets": [
            {
                "allocation": budget.allocation.id,
                "used": budget.used,
                "allowed": budget.allowed,
                "share_percent": budget.share,
                "arithmetic": budget.arithmetic,
            }
            for budget in recommendation.budgets
        ],
        "refresh_token": {
            "add": recommendation.companion.applies,
            "text": recommendation.companion.text,
            "caution": recommendation.companion.caution or None,
        },
        "links": None
        if recommendation.links is None
        else {
            "systems": recommendation.links.systems,
            "point_to_point": recommendation.links.direct,
            "middleware": recommendation.links.via_middleware,
        },
    }


def to_json(
    recommendation: Recommendation, *, permalink: str, record: RecordDetails | None = None
) -> str:
    data = to_data(recommendation, permalink=permalink, record=record)
    return json.dumps(data, indent=2, ensure_ascii=False)

from __future__ import annotations

import ast
import re
import tomllib
from datetime import date
from pathlib import Path

import pytest

from advisor.adr import to_json, to_markdown
from advisor.questions import parse_answers, parse_permalink
from advisor.recommendation import recommend
from advisor.rules.alerts import WARNINGS
from advisor.rules.tables import RULES
from advisor.scenarios import SCENARIOS
from advisor.sources import SOURCE_BY_ID, SOURCES

ROOT = Path(__file__).resolve().parents[2]
TABLE = tomllib.loads((Path(__file__).parent / "rfc_sections.toml").read_text())
SECTION = r"[A-Z]?\d+(?:\.\d+)*"
# "RFC 9700 §2.1.2", "RFC 8693 §2.1-2.2", "RFC 6749 §4.1.2, §4.1.2.1" (a list of sections)
CITATION = re.compile(rf"RFC ?(\d{{4}})[ ,]*§ ?({SECTION}(?:(?: ?[-–] ?|, ?§ ?){SECTION})*)")

# Text the site shows: the advisor's catalogues, the playground's flows (flow and run pages) and
# its Salesforce-versus-RFC notes, and the templates of both rooms.
SHOWN_MODULES = (
    *sorted((ROOT / "advisor").rglob("*.py")),
    *sorted((ROOT / "playground" / "flows").glob("*.py")),
    ROOT / "playground" / "differences.py",
)
SHOWN_TEMPLATES = (
    *sorted((ROOT / "templates" / "advisor").rglob("*.html")),
    *sorted((ROOT / "templates" / "playground").rglob("*.html")),
)


def _literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings
    ]


def _shown_texts() -> list[tuple[str, str]]:
    texts = [
        (str(path.relative_to(ROOT)), text) for path in SHOWN_MODULES for text in _literals(path)
    ]
    for path in SHOWN_TEMPLATES:
        without_comments = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.S)
        texts.append((str(path.relative_to(ROOT)), without_comments))
    for scenario in SCENARIOS:
        recommendation = recommend(parse_permalink(scenario.to_query()))
        texts.append(
            (
                f"decision record of {scenario.id}",
                to_markdown(
                    recommendation,
                    permalink="https://handshake.example/advisor/",
                    today=date(2026, 1, 1),
                ),
            )
        )
        texts.append((f"JSON of {scenario.id}", to_json(recommendation, permalink="")))
    return texts


def citations(text: str) -> list[tuple[str, str]]:
    found = []
    for match in CITATION.finditer(text):
        for section in re.findall(SECTION, match.group(2)):
            found.append((match.group(1), section))
    return found


def test_the_citation_reader_finds_single_ranged_and_listed_sections():
    assert citations("see RFC 9700 §2.1.2.") == [("9700", "2.1.2")]
    assert citations("RFC 8693 §2.1-2.2 and RFC 6749 §4.1.2, §4.1.2.1") == [
        ("8693", "2.1"),
        ("8693", "2.2"),
        ("6749", "4.1.2"),
        ("6749", "4.1.2.1"),
    ]


def test_every_rfc_section_the_site_cites_is_in_the_table_of_sections():
    shown = _shown_texts()
    cited = {(rfc, section, where) for where, text in shown for rfc, section in citations(text)}
    missing = sorted(
        f"RFC {rfc} §{section} ({where})"
        for rfc, section, where in cited
        if section not in TABLE.get(rfc, {}).get("sections", {})
    )
    assert len(cited) > 40  # the reader really reads the flows, notes and advisor
    assert missing == []


@pytest.mark.parametrize("source", [s for s in SOURCES if "§" in s.title], ids=lambda s: s.id)
def test_a_standards_title_and_its_link_name_the_same_section(source):
    ((rfc, section),) = citations(source.title)
    assert source.url.endswith(f"/rfc{rfc}.html#section-{section}")
    assert section in TABLE[rfc]["sections"]


def _cited_by(source_id: str) -> list[str]:
    """What each rule and warning that cites a source says, with the option it speaks about."""
    said = [
        f"{effect.option}: {effect.text}"
        for rule in RULES
        if rule.source == source_id
        for effect in rule.effects
    ]
    for alert in WARNINGS:
        if alert.source == source_id:
            about = {option for winner in alert.winners for option in winner.options}
            said.append(f"{', '.join(sorted(about)) or 'warning'}: {alert.text}")
    return said


def test_only_the_password_grant_is_held_to_rfc_9700_section_2_4():
    said = _cited_by("rfc9700-password")
    assert said
    assert [line for line in said if "password" not in line.lower()] == []


def test_a_token_in_the_address_bar_is_held_to_the_implicit_grant_section():
    recommendation = recommend(parse_answers({"environment": "production"}))
    flow = next(result for result in recommendation.decisions if result.decision.id == "flow")
    user_agent = next(option for option in flow.options if option.choice.id == "user-agent")
    in_urls = [reason for reason in user_agent.reasons if "URL" in reason.text]

    assert in_urls
    assert {reason.source.id for reason in in_urls} == {"rfc9700-implicit"}
    assert SOURCE_BY_ID["rfc9700-implicit"].title.startswith("RFC 9700 §2.1.2")
    record = to_markdown(recommendation, permalink="", today=date(2026, 1, 1))
    for line in record.splitlines():
        if "exposed in URLs" in line:
            assert "[RFC 9700 §2.1.2" in line

from __future__ import annotations

import json
from datetime import date

from advisor.adr import to_json, to_markdown
from advisor.questions import parse_answers, parse_permalink
from advisor.recommendation import recommend
from advisor.scenarios import SCENARIO_BY_ID

PERMALINK = "https://handshake.example/advisor/?person=no"


def nightly():
    return recommend(parse_permalink(SCENARIO_BY_ID["nightly-erp-sync"].to_query()))


def test_markdown_follows_the_madr_layout():
    text = to_markdown(nightly(), permalink=PERMALINK, today=date(2025, 3, 1))

    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Context and Problem Statement",
        "## Decision Drivers",
        "## Considered Options",
        "## Decision Outcome",
        "## Pros and Cons of the Options",
        "## More Information",
    ]
    assert text.startswith("---\nstatus: proposed\ndate: 2025-03-01\n---\n")


def test_markdown_records_the_context_drivers_and_outcome_from_the_answers():
    text = to_markdown(nightly(), permalink=PERMALINK, today=date(2025, 3, 1))

    assert "# Integration design: JWT bearer flow, Batch data synchronization" in text
    assert (
        "* Is a person using the app while it talks to Salesforce? No, it runs unattended" in text
    )
    assert "* No person is present" in text
    assert '1. Authentication flow: chosen option "JWT bearer flow".' in text
    assert "Close call: Client credentials flow came within a point." in text
    assert f"<{PERMALINK}>" in text
    assert "With 3 systems, joining each to every other takes up to 3 links" in text


def test_markdown_lists_pros_and_cons_of_every_option_with_sources():
    text = to_markdown(nightly(), permalink=PERMALINK, today=date(2025, 3, 1))

    assert "#### Username-password flow (Avoid)" in text
    assert "* Bad: Not for production" in text
    assert "(because you said this is for production)" in text
    assert "[RFC 9700 §2.4: the password grant must not be used]" in text


def test_markdown_escapes_names_a_person_typed():
    answers = parse_answers({"system-names": "[click](https://evil.example), <img>"})

    text = to_markdown(recommend(answers), permalink=PERMALINK, today=date(2025, 3, 1))

    assert r"\[click\]\(https://evil\.example\)" in text
    assert "<img>" not in text


def test_json_carries_every_grade_reason_and_source():
    data = json.loads(to_json(nightly(), permalink=PERMALINK))

    flow = data["decisions"][0]
    assert flow["id"] == "flow"
    assert flow["best"] == "jwt-bearer"
    assert flow["close_call"] is True
    assert [option["grade"] for option in flow["options"]][0] == "best"
    reason = flow["options"][0]["reasons"][0]
    assert set(reason) == {"kind", "text", "weight", "rules_out", "because", "rule", "source"}
    assert data["answers"]["system-names"] == ["SAP ERP", "Data warehouse"]
    assert data["links"] == {"systems": 3, "point_to_point": 3, "middleware": 3}
    assert data["permalink"] == PERMALINK

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile
from datetime import date

from advisor.adr import DIAGRAM_NAME, MARKDOWN_NAME, to_data, to_json, to_markdown, to_zip
from advisor.questions import parse_answers, parse_permalink
from advisor.recommendation import recommend
from advisor.record import parse_record
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
    assert "Given that this is for production." in text
    assert "because you said" not in text
    assert "[RFC 9700 §2.4: the password grant must not be used](https://" in text


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


RECORD = parse_record(
    {
        "record-title": "ERP nightly sync",
        "record-owner": "Integration team",
        "record-status": "accepted",
        "record-date": "2026-02-01",
        "record-override": "We chose the client credentials flow over the JWT bearer flow\n"
        "because [the vendor](https://evil.example) supports nothing else.",
    }
)


def test_markdown_carries_the_records_title_owner_status_and_date():
    text = to_markdown(nightly(), permalink=PERMALINK, today=date(2025, 3, 1), record=RECORD)

    assert text.startswith(
        '---\nstatus: accepted\ndate: 2026-02-01\ndecision-makers: "Integration team"\n---\n'
    )
    assert "\n# ERP nightly sync: JWT bearer flow, Batch data synchronization," in text
    assert "Owner: Integration team" in text


def test_markdown_keeps_the_teams_override_as_quoted_text():
    text = to_markdown(nightly(), permalink=PERMALINK, today=date(2025, 3, 1), record=RECORD)

    section = text.split("### Where the team chose differently from the advisor\n\n")[1]
    assert section.startswith(
        "> We chose the client credentials flow over the JWT bearer flow  \n"
        r"> because \[the vendor\]\(https://evil\.example\) supports nothing else\.  "
    )


def test_markdown_says_when_the_team_follows_the_advisor():
    text = to_markdown(nightly(), permalink=PERMALINK, today=date(2025, 3, 1))

    assert "* Nowhere: the team follows the advisor's choices above." in text


def test_markdown_writes_drivers_as_statements():
    text = to_markdown(nightly(), permalink=PERMALINK, today=date(2025, 3, 1))

    drivers = text.split("## Decision Drivers\n\n")[1].split("\n\n")[0].splitlines()
    assert "* No person is present." in drivers
    assert all(line.endswith(".") and "you said" not in line for line in drivers)


def test_markdown_links_every_source_that_has_an_address():
    text = to_markdown(nightly(), permalink=PERMALINK, today=date(2025, 3, 1))

    sources = text.split("Sources behind these reasons:\n\n")[1].split("\n\n")[0].splitlines()
    linked = [line for line in sources if "](https://" in line]
    assert linked
    for result in nightly().decisions:
        for option in result.options:
            for reason in option.reasons:
                if reason.source.url:
                    assert f"[{reason.source.title}]({reason.source.url})" in text


def test_markdown_draws_the_diagram_as_a_mermaid_block():
    text = to_markdown(nightly(), permalink=PERMALINK, today=date(2025, 3, 1))

    block = text.split("```mermaid\n")[1].split("\n```")[0]
    assert block.startswith("flowchart LR\n")
    assert '["SAP ERP"]' in block
    assert '-- "TLS" -->' in block
    assert "![" not in text  # only the zip has the SVG beside the Markdown


def test_mermaid_labels_cannot_break_out_of_their_quotes():
    answers = parse_answers({"system-names": 'A"] --> evil["x, <b>`|'})

    text = to_markdown(recommend(answers), permalink=PERMALINK, today=date(2025, 3, 1))

    block = text.split("```mermaid\n")[1].split("\n```")[0]
    assert '["A#quot;] --#gt; evil[#quot;x"]' in block
    assert '["#lt;b#gt;#96;#124;"]' in block


def test_the_zip_holds_the_record_and_the_svg_it_shows():
    archive = zipfile.ZipFile(
        io.BytesIO(to_zip(nightly(), permalink=PERMALINK, today=date(2025, 3, 1), record=RECORD))
    )

    assert archive.namelist() == [MARKDOWN_NAME, DIAGRAM_NAME]
    markdown = archive.read(MARKDOWN_NAME).decode()
    assert f"![The recommended architecture]({DIAGRAM_NAME})" in markdown
    assert "status: accepted" in markdown
    svg = ET.fromstring(archive.read(DIAGRAM_NAME))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert archive.getinfo(MARKDOWN_NAME).date_time == (2026, 2, 1, 0, 0, 0)


def test_json_carries_the_record():
    data = to_data(nightly(), permalink=PERMALINK, record=RECORD)

    assert data["record"]["title"] == "ERP nightly sync"
    assert data["record"]["status"] == "accepted"
    assert data["record"]["date"] == "2026-02-01"

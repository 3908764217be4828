"""Every row of the security catalogue has a test named after it, or a stated reason.

The catalogue (shared/reference/security-catalogue.md) lists the attacks the org, the
playground and the inspector must withstand; each row's test is called `test_<row>_…`
(for example `test_b1_code_replay_revokes_issued_tokens`), so `pytest -k b1` runs it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

ROWS = {
    "A": range(1, 19),
    "B": (1, *range(3, 14)),  # the catalogue has no B2
    "C": range(1, 11),
    "D": range(1, 8),
    "E": range(1, 6),
    "F": range(1, 11),
    "G": range(1, 7),
    "H": range(1, 8),
    "I": range(1, 10),
    "J": range(1, 9),
}

# Rows checked outside `make test`, and why.
ELSEWHERE = {
    "H3": "200 trainees for minutes is a load test: `make loadtest` (bench/loadtest.py) runs it "
    "on SQLite and PostgreSQL and fails on any 5xx or broken promise.",
}


def _test_names() -> set[str]:
    pattern = re.compile(r"^\s*def (test_\w+)", re.MULTILINE)
    return {name for path in TESTS.rglob("test_*.py") for name in pattern.findall(path.read_text())}


ALL_ROWS = [f"{group}{number}" for group, numbers in ROWS.items() for number in numbers]


@pytest.mark.parametrize("row", ALL_ROWS)
def test_every_catalogue_row_has_its_test(row):
    tag = f"_{row.lower()}_"
    covered = any(tag in f"_{name.removeprefix('test_')}" for name in _test_names())

    assert covered or row in ELSEWHERE, f"no test named after catalogue row {row}"

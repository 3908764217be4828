"""The shared vocabulary's input cleaning: what a step's form accepts as plain text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playground.vocabulary import InputError, plain_text


@given(st.text(alphabet=st.characters(min_codepoint=0x20, exclude_characters="\x7f")))
def test_text_without_controls_comes_back_stripped(value):
    assert plain_text(value) == value.strip()


def test_line_breaks_and_tabs_are_kept_inside_a_value():
    assert plain_text("  -----BEGIN-----\r\n\tbody\n  ") == "-----BEGIN-----\r\n\tbody"


@pytest.mark.parametrize("control", ["\x00", "\x1b", "\x7f"])
def test_other_control_characters_are_refused_with_a_message(control):
    with pytest.raises(InputError, match="control characters"):
        plain_text(f"ada{control}@handshake.example")

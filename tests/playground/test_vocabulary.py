"""The shared vocabulary's input cleaning: what a step's form accepts as plain text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playground.vocabulary import InputError, plain_text


def _is_noncharacter(character: str) -> bool:
    return 0xFDD0 <= ord(character) <= 0xFDEF or ord(character) & 0xFFFE == 0xFFFE


TEXT = st.characters(min_codepoint=0x20, exclude_characters="\x7f")


@given(st.text(alphabet=TEXT.filter(lambda character: not _is_noncharacter(character))))
def test_text_without_controls_comes_back_stripped(value):
    assert plain_text(value) == value.strip()


@given(st.text(alphabet=TEXT), st.sampled_from(["\ufffe", "\uffff", "\ufdd0", "\U0010fffe"]))
def test_a_noncharacter_anywhere_is_refused_with_a_message(value, noncharacter):
    with pytest.raises(InputError, match="noncharacters"):
        plain_text(value + noncharacter)


def test_line_breaks_and_tabs_are_kept_inside_a_value():
    assert plain_text("  -----BEGIN-----\r\n\tbody\n  ") == "-----BEGIN-----\r\n\tbody"


@pytest.mark.parametrize("control", ["\x00", "\x1b", "\x7f"])
def test_other_control_characters_are_refused_with_a_message(control):
    with pytest.raises(InputError, match="control characters"):
        plain_text(f"ada{control}@handshake.example")

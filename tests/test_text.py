"""config/text.py: the control-character filter every room uses."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.text import (
    TAB_AND_LINE_BREAKS,
    has_control_characters,
    is_control,
    without_control_characters,
)

# Text with controls, C1 controls, other Unicode and plain ASCII all likely.
texts = st.text(
    alphabet=st.one_of(
        st.characters(max_codepoint=0x7F),
        st.characters(min_codepoint=0x80, max_codepoint=0x9F),
        st.characters(),
    )
)


@pytest.mark.parametrize("code", [*range(0x20), 0x7F])
def test_c0_controls_and_delete_are_control_characters(code):
    assert is_control(chr(code))


@pytest.mark.parametrize("character", [" ", "a", "~", "\x80", "\x9f", "\xa0", "é", "\u2028"])
def test_printable_text_and_c1_controls_are_not(character):
    assert not is_control(character)


@given(texts)
def test_without_control_characters_replaces_each_one_by_a_space_and_keeps_the_rest(value):
    cleaned = without_control_characters(value)

    assert len(cleaned) == len(value)
    assert not has_control_characters(cleaned)
    for before, after in zip(value, cleaned, strict=True):
        assert after == (" " if is_control(before) else before)


@given(texts)
def test_the_filter_is_the_advisors_former_pattern(value):
    assert without_control_characters(value) == re.sub(r"[\x00-\x1f\x7f]", " ", value)


@given(texts)
def test_text_has_control_characters_exactly_when_the_filter_changes_it(value):
    assert has_control_characters(value) == (without_control_characters(value) != value)


@given(texts)
def test_allowed_control_characters_are_not_counted(value):
    others = "".join(character for character in value if character not in TAB_AND_LINE_BREAKS)

    assert has_control_characters(value, allowing=TAB_AND_LINE_BREAKS) == has_control_characters(
        others
    )


def test_line_breaks_and_tab_are_allowed_when_asked():
    assert has_control_characters("a\tb\r\nc")
    assert not has_control_characters("a\tb\r\nc", allowing=TAB_AND_LINE_BREAKS)
    assert has_control_characters("a\nb\x00", allowing=TAB_AND_LINE_BREAKS)

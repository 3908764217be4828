"""Callback URLs an app may register: spaces and control characters are refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from org.redirect_uris import MAX_LENGTH, redirect_uri_problem

REFUSED = "A callback URL cannot contain spaces or control characters."


@pytest.mark.parametrize(
    "character", ["\x00", "\t", "\n", "\r", "\x1b", "\x7f", " ", "\xa0", "\u2028"]
)
def test_a_callback_url_with_a_space_or_control_character_is_refused(character):
    assert redirect_uri_problem(f"https://app.example/c{character}b") == REFUSED


@pytest.mark.parametrize("character", ["\x80", "é"])
def test_other_characters_are_not_refused_as_control_characters(character):
    assert redirect_uri_problem(f"https://app.example/c{character}b") != REFUSED


@given(st.text(min_size=1, max_size=MAX_LENGTH))
def test_a_callback_url_is_refused_for_spaces_exactly_when_it_holds_one_or_a_control(uri):
    before = any(char.isspace() or ord(char) < 0x20 or ord(char) == 0x7F for char in uri)

    assert (redirect_uri_problem(uri) == REFUSED) == before

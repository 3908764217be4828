"""Control characters in text a visitor typed: the one filter every room uses.

Plain Python (no Django), so the advisor's domain, the org and the playground may all import it.
"""

from __future__ import annotations

TAB_AND_LINE_BREAKS = frozenset("\t\n\r")


def is_control(character: str) -> bool:
    """C0 controls and DEL (U+007F): never meant as text in a URL, a claim or a name."""
    return ord(character) < 0x20 or ord(character) == 0x7F


def has_control_characters(value: str, *, allowing: frozenset[str] = frozenset()) -> bool:
    """Whether `value` holds a control character other than those in `allowing`."""
    return any(is_control(character) and character not in allowing for character in value)


def without_control_characters(value: str) -> str:
    """`value` with every control character replaced by a space."""
    return "".join(" " if is_control(character) else character for character in value)

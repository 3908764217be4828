"""Secret marking: every credential in an exchange is found and marked (security-critical)."""

from __future__ import annotations

from playground.redaction import Secret, mark_secrets


def test_mark_secrets_splits_every_occurrence_longest_first():
    segments = mark_secrets(
        "a=secret-one&b=secret-one-longer",
        (Secret("secret-one", "code"), Secret("secret-one-longer", "access_token")),
    )

    assert [(s.text, s.secret, s.name) for s in segments] == [
        ("a=", False, ""),
        ("secret-one", True, "code"),
        ("&b=", False, ""),
        ("secret-one-longer", True, "access_token"),
    ]

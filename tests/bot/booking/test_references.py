"""Booking references: readable, unambiguous, found in free text."""

from __future__ import annotations

import pytest

from bot.booking.references import ALPHABET, find_reference, is_reference, new_reference


def test_references_avoid_ambiguous_characters_and_are_all_different() -> None:
    references = {new_reference() for _ in range(2000)}
    assert len(references) == 2000
    for reference in references:
        assert len(reference) == 8
        assert not set("01OIL") & set(reference)
        assert is_reference(reference)
    assert set("".join(references)) == set(ALPHABET)  # the whole alphabet is used


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ABCD2345", "ABCD2345"),
        ("ma référence est abcd2345 merci", "ABCD2345"),
        ("ABCD-2345", "ABCD2345"),
        ("abcd 2345", "ABCD2345"),
        ("référence : 7HKQ9MZP.", "7HKQ9MZP"),
        ("je veux réserver", None),  # an 8-letter word is not a reference (no digit)
        ("ABCD23456", None),  # too long
        ("ABCD0345", None),  # 0 is not in the alphabet
        ("", None),
    ],
)
def test_find_reference_in_a_message(text: str, expected: str | None) -> None:
    assert find_reference(text) == expected

"""Booking references: short, unambiguous when read aloud or copied by hand, not guessable.

Eight characters from an alphabet without 0/O, 1/I/L (31 symbols, about 39.6 bits): guessing one
is hopeless, and a reference only opens a booking together with its e-mail address. Every
reference holds at least one digit, so that ordinary French words ("RESERVER") are never taken
for a reference in free text.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
_DIGITS = frozenset("23456789")
_CANDIDATE = re.compile(
    rf"(?<![A-Z0-9])([{ALPHABET}]{{4}})[\s-]?([{ALPHABET}]{{4}})(?![A-Z0-9])",
)


def new_reference() -> str:
    """Return a fresh random reference (uniqueness is enforced by the database)."""
    while True:
        reference = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if _DIGITS.intersection(reference):
            return reference


def is_reference(text: str) -> bool:
    """True when `text` is exactly a well-formed reference (after `normalize_reference`)."""
    return (
        len(text) == LENGTH
        and all(ch in ALPHABET for ch in text)
        and bool(_DIGITS.intersection(text))
    )


def normalize_reference(text: str) -> str:
    """Upper-case `text` and drop spaces and dashes: "abcd-2345" → "ABCD2345"."""
    return re.sub(r"[\s-]", "", text).upper()


def find_reference(text: str) -> str | None:
    """Return the first reference written in a free-text message, or None.

    Accepts lower case and one dash or space in the middle ("abcd-2345", "ABCD 2345").
    """
    for match in _CANDIDATE.finditer(text.upper()):
        candidate = match.group(1) + match.group(2)
        if is_reference(candidate):
            return candidate
    return None


def format_reference(reference: str) -> str:
    """Reference as shown to people: unchanged (8 characters read easily without a dash)."""
    return reference

"""French text helpers shared by the NLU components, the routing and the knowledge base."""

from __future__ import annotations

import re
import unicodedata

# Typographic apostrophes and look-alikes that users (and Word, and phones) type.
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "´": "'", "`": "'", "′": "'"})
_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-"})
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")

MAX_MESSAGE_CHARS = 2000
"""Longer messages are cut before NLU: nobody describes a purchase in more, and DIET's cost
grows with the token count (a 10 000-character paste would otherwise stall a worker)."""


def normalize_message(text: str) -> str:
    """Return `text` as the NLU pipeline should see it.

    Apostrophes and dashes are unified (the tokenizer splits "d’Azur" and "d'Azur" differently),
    control and zero-width characters removed, non-breaking spaces and runs of spaces collapsed,
    and the text cut to `MAX_MESSAGE_CHARS`.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_APOSTROPHES).translate(_DASHES)
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    return text[:MAX_MESSAGE_CHARS]


def fold(text: str) -> str:
    """Fold `text` for matching: lower case, no accents, apostrophes and hyphens as spaces.

    >>> fold("Provence-Alpes-Côte d’Azur")
    'provence alpes cote d azur'
    """
    text = normalize_message(text).lower().replace("œ", "oe").replace("æ", "ae")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[-'’.,;:!?()\"/«»]", " ", text)
    return _SPACES.sub(" ", text).strip()


def has_letters(text: str) -> bool:
    """True when `text` holds at least one letter or digit (not only emoji or punctuation)."""
    return any(ch.isalnum() for ch in text)


def edit_distance_at_most(a: str, b: str, limit: int) -> bool:
    """True when the Levenshtein distance between `a` and `b` is at most `limit`."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)
            )
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit

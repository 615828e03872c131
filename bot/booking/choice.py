"""Understand which session a buyer means when they type instead of clicking a button."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.booking.formatting import local_zone
from bot.booking.repository import SessionView
from bot.text import fold

_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}  # fmt: skip
_ORDINALS = {
    "premiere": 0, "1re": 0, "1ere": 0, "premier": 0, "deuxieme": 1, "seconde": 1, "2e": 1,
    "troisieme": 2, "3e": 2, "quatrieme": 3, "4e": 3, "cinquieme": 4, "5e": 4,
}  # fmt: skip
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:er)? (" + "|".join(_MONTHS) + r")\b")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})\b")
_ID = re.compile(r"^\s*(?:session\s*)?(?:n\s*°?\s*|numero\s*)?(\d{1,9})\s*$")


def parse_session_id(value: object) -> int | None:
    """A session id from a button entity or a typed number ("3", "session 3"), else None."""
    text = fold(str(value or "")).replace("°", " ")
    match = _ID.match(text)
    return int(match.group(1)) if match else None


def match_session(text: str, offered: Sequence[SessionView]) -> int | None:
    """Id of the one offered session the text designates, or None when none or several match.

    Understands an id ("3"), a rank in the list shown ("la deuxième", "la dernière") and a
    date ("le 14 janvier", "14/01").
    """
    as_id = parse_session_id(text)
    if as_id is not None:
        return as_id if any(s.id == as_id for s in offered) else None
    folded = fold(text)
    words = folded.split()
    if "derniere" in words and offered:
        return offered[-1].id
    for word in words:
        if word in _ORDINALS and _ORDINALS[word] < len(offered):
            return offered[_ORDINALS[word]].id
    day_month: tuple[int, int] | None = None
    if match := _DAY_MONTH.search(folded):
        day_month = (int(match.group(1)), _MONTHS[match.group(2)])
    elif match := _NUMERIC_DATE.search(text):
        day_month = (int(match.group(1)), int(match.group(2)))
    if day_month is None:
        return None
    found = [
        s.id
        for s in offered
        if (
            s.starts_at.astimezone(local_zone()).day,
            s.starts_at.astimezone(local_zone()).month,
        )
        == day_month
    ]
    return found[0] if len(found) == 1 else None

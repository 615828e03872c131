"""French wording of session dates, formats and seat counts, shared by the bot and the CLI."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.settings import get_settings

_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
FORMAT_LABELS = {"en_ligne": "en ligne", "presentiel": "en présentiel"}


@lru_cache(maxsize=4)
def local_zone(name: str | None = None) -> ZoneInfo:
    """The zone sessions are shown in (APP_TIMEZONE, Europe/Paris by default)."""
    return ZoneInfo(name or get_settings().timezone)


def french_date(moment: datetime) -> str:
    """ "jeudi 14 janvier 2027" (and "1er" for the first day of a month), in local time."""
    local = moment.astimezone(local_zone())
    day = "1er" if local.day == 1 else str(local.day)
    return f"{_DAYS[local.weekday()]} {day} {_MONTHS[local.month - 1]} {local.year}"


def french_time(moment: datetime) -> str:
    """ "10 h 00", in local time (the typographic norm of the French administration)."""
    local = moment.astimezone(local_zone())
    return f"{local.hour} h {local.minute:02d}"


def french_period(start: datetime, end: datetime) -> str:
    """ "jeudi 14 janvier 2027, 10 h 00 – 11 h 30" (both dates when it spans two days)."""
    same_day = start.astimezone(local_zone()).date() == end.astimezone(local_zone()).date()
    if same_day:
        return f"{french_date(start)}, {french_time(start)} – {french_time(end)}"
    return f"{french_date(start)}, {french_time(start)} – {french_date(end)}, {french_time(end)}"


def seats_left_label(seats_left: int) -> str:
    """ "3 places restantes", "1 place restante", "complet"."""
    if seats_left <= 0:
        return "complet"
    if seats_left == 1:
        return "1 place restante"
    return f"{seats_left} places restantes"

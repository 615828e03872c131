"""When the hotline answers, and what the user is told on hand-over.

Opening hours come from the environment (HOTLINE_DAYS, HOTLINE_OPENS, HOTLINE_CLOSES, in the
application's time zone); the defaults, Monday to Friday 9:00-17:00, are a placeholder for the
programme team to set, not a published commitment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.settings import get_settings

_DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


@dataclass(frozen=True)
class Hours:
    """Opening days (ISO: 1 = Monday) and hours."""

    days: tuple[int, ...]
    opens: time
    closes: time

    def is_open(self, moment: datetime) -> bool:
        """True when `moment` (aware) falls within the opening hours."""
        local = moment.astimezone(ZoneInfo(get_settings().timezone))
        return local.isoweekday() in self.days and self.opens <= local.time() < self.closes

    def describe(self) -> str:
        """ "du lundi au vendredi, de 9 h à 17 h"."""
        days = sorted(self.days)
        if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
            span = f"du {_DAY_NAMES[days[0] - 1]} au {_DAY_NAMES[days[-1] - 1]}"
        else:
            span = "le " + ", ".join(_DAY_NAMES[d - 1] for d in days)
        return f"{span}, de {_hour(self.opens)} à {_hour(self.closes)}"


def _hour(value: time) -> str:
    return f"{value.hour} h" if value.minute == 0 else f"{value.hour} h {value.minute:02d}"


def _days(text: str) -> tuple[int, ...]:
    start, _, end = text.partition("-")
    first, last = int(start), int(end or start)
    if not 1 <= first <= last <= 7:
        raise ValueError(f"HOTLINE_DAYS invalide : {text!r} (par exemple 1-5)")
    return tuple(range(first, last + 1))


def get_hours() -> Hours:
    """The hotline's hours from the environment (defaults: 1-5, 09:00, 17:00)."""
    return Hours(
        days=_days(os.environ.get("HOTLINE_DAYS", "1-5")),
        opens=time.fromisoformat(os.environ.get("HOTLINE_OPENS", "09:00")),
        closes=time.fromisoformat(os.environ.get("HOTLINE_CLOSES", "17:00")),
    )


def handoff_message(ticket_id: int, moment: datetime, hours: Hours | None = None) -> str:
    """What happens next, in French, depending on whether the hotline is open now."""
    hours = hours or get_hours()
    opening = hours.describe()
    if hours.is_open(moment):
        return (
            f"Je transmets votre demande à un conseiller de la hotline (demande n° {ticket_id}). "
            "Il vous répondra ici, dès qu'il sera disponible. En attendant, vos messages lui "
            "sont transmis et je ne réponds plus à sa place. "
            f"La hotline est ouverte {opening}."
        )
    return (
        f"La hotline est fermée en ce moment : elle est ouverte {opening}. "
        f"Votre demande est enregistrée (n° {ticket_id}) : un conseiller vous répondra ici "
        "dès la réouverture. Vos messages suivants lui seront transmis."
    )

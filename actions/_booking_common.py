"""Shared pieces of the SPASER booking actions (journey 4); no action is registered from here.

The booking service is synchronous (SQLAlchemy): every call, including the first
`get_booking_service()` (which runs the migrations), goes through `in_thread` so that one slow
database call does not block the action server's event loop for every user.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import suppress
from functools import partial
from typing import Any, TypeVar

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.booking.emails import InvalidEmail, find_email, normalize_email
from bot.booking.formatting import FORMAT_LABELS, french_period, seats_left_label
from bot.booking.references import find_reference
from bot.booking.repository import BookingView, SessionView
from bot.booking.service import BookingService, get_booking_service
from bot.cards import sessions_card

logger = logging.getLogger(__name__)

T = TypeVar("T")
ServiceFactory = Callable[[], BookingService]

MAX_SESSIONS_SHOWN = 8
TECHNICAL_ERROR = (
    "Désolé, je n'arrive pas à accéder aux inscriptions pour le moment. Réessayez dans "
    "quelques minutes : si vous aviez déjà confirmé, votre inscription n'a pas été doublée."
)
NO_SESSION = (
    "Aucune session de la mission SPASER n'est ouverte aux inscriptions pour le moment. "
    "Les prochaines dates sont annoncées sur achats-durables.gouv.fr."
)
INVALID_REFERENCE = (
    "Je ne reconnais pas cette référence. Elle compte 8 caractères (lettres et chiffres) et "
    "figure dans votre message de confirmation."
)


async def in_thread(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking call in a worker thread and await its result."""
    return await asyncio.to_thread(partial(function, *args, **kwargs))


def session_when(session: SessionView) -> str:
    """ "Titre – jeudi 14 janvier 2027, 10 h 00 – 11 h 30, en ligne" (no seat count)."""
    where = FORMAT_LABELS.get(session.format, session.format)
    if session.format == "presentiel" and session.place:
        where = f"{where} à {session.place}"
    return f"{session.title} – {french_period(session.starts_at, session.ends_at)}, {where}"


def session_label(session: SessionView) -> str:
    """ "Titre – jeudi 14 janvier 2027, 10 h 00 – 11 h 30, en ligne, 12 places restantes"."""
    seats = seats_left_label(session.seats_left)
    if session.seats_left == 0:
        seats = "complet, liste d'attente"
    return f"{session_when(session)}, {seats}"


def session_buttons(sessions: list[SessionView]) -> list[dict[str, str]]:
    """One button per session, with the payload the NLU maps to `choose_session`."""
    return [
        {
            "title": session_label(s),
            "payload": f'/choose_session{{"session_id": "{s.id}"}}',
        }
        for s in sessions[:MAX_SESSIONS_SHOWN]
    ]


def booking_text(booking: BookingView) -> str:
    """What a buyer is told about their booking (used by check and cancel)."""
    when = session_when(booking.session)
    if booking.status == "confirmed":
        state = "confirmée"
    elif booking.status == "waiting":
        state = f"sur liste d'attente (position {booking.waiting_position})"
    else:
        state = "annulée"
    return f"Inscription {booking.reference} : {state}.\nSession : {when}."


class SessionListAction(Action, ABC):
    """Shows the future sessions that can be booked, as buttons (free seats first)."""

    def __init__(self, service: ServiceFactory = get_booking_service) -> None:
        self._service = service

    @abstractmethod
    def name(self) -> str:
        """Rasa's name of the concrete action."""

    def extra_events(self) -> list[EventType]:
        """Events sent along with the list (none by default)."""
        return []

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the list, or say that no session is open."""
        try:
            sessions = await in_thread(lambda: self._service().bookable_sessions())
        except Exception:
            logger.exception("listing SPASER sessions failed")
            dispatcher.utter_message(text=TECHNICAL_ERROR)
            return self.extra_events()
        if not sessions:
            dispatcher.utter_message(text=NO_SESSION)
            return self.extra_events()
        if all(s.seats_left == 0 for s in sessions):
            intro = (
                "Toutes les sessions à venir sont complètes, mais vous pouvez vous inscrire sur "
                "une liste d'attente. Choisissez une session :"
            )
        else:
            intro = "Voici les prochaines sessions de la mission SPASER. Laquelle choisissez-vous ?"
        dispatcher.utter_message(text=intro, buttons=session_buttons(sessions))
        dispatcher.utter_message(
            json_message=sessions_card(sessions, intro, session_buttons(sessions))
        )
        return self.extra_events()


class BookingLookupValidation(FormValidationAction, ABC):
    """Validates a reference and an e-mail (check and cancel forms share the rules)."""

    @abstractmethod
    def name(self) -> str:
        """Rasa's name of the concrete validator."""

    async def validate_booking_reference(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Find the reference in what was typed; explain the format when there is none."""
        reference = find_reference(str(slot_value or ""))
        if reference is None:
            dispatcher.utter_message(text=INVALID_REFERENCE)
            return {"booking_reference": None}
        found: dict[str, Any] = {"booking_reference": reference}
        email = find_email(str(slot_value))  # both in one message: "ABCD2345 a@b.fr"
        if email and not tracker.get_slot("lookup_email"):
            # An invalid one is simply asked next, with the explanation.
            with suppress(InvalidEmail):
                found["lookup_email"] = normalize_email(email)
        return found

    async def validate_lookup_email(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Accept a syntactically valid address; re-ask politely otherwise."""
        return validated_email("lookup_email", slot_value, dispatcher)


def validated_email(slot: str, slot_value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    """{slot: normalised address}, or {slot: None} with an explanation sent."""
    typed = str(slot_value or "")
    try:
        return {slot: normalize_email(find_email(typed) or typed)}
    except InvalidEmail as error:
        dispatcher.utter_message(text=str(error))
        return {slot: None}


def reset_lookup() -> list[EventType]:
    """Forget the reference and e-mail after a failed lookup, so the next try asks again."""
    return [SlotSet("booking_reference", None), SlotSet("lookup_email", None)]

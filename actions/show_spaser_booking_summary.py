"""`action_show_spaser_booking_summary`: recap of the booking form, to confirm or cancel."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._booking_common import (
    TECHNICAL_ERROR,
    ServiceFactory,
    in_thread,
    session_when,
)
from bot.booking.choice import parse_session_id
from bot.booking.service import BookingError, get_booking_service

logger = logging.getLogger(__name__)

CONFIRM_BUTTONS = [
    {"title": "Oui, je confirme", "payload": "/affirm"},
    {"title": "Non, j'abandonne", "payload": "/deny"},
]


class ActionShowSpaserBookingSummary(Action):
    """Shows what will be booked, with yes/no buttons; nothing is written yet."""

    def __init__(self, service: ServiceFactory = get_booking_service) -> None:
        self._service = service

    def name(self) -> str:
        """Rasa's name for the booking summary."""
        return "action_show_spaser_booking_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the summary of the session, name, organisation and e-mail."""
        session_id = parse_session_id(tracker.get_slot("spaser_session_id"))
        if session_id is None:
            dispatcher.utter_message(text="Aucune session n'est choisie.")
            return []
        try:
            session = await in_thread(lambda: self._service().get_session(session_id))
        except BookingError as error:
            dispatcher.utter_message(text=str(error))
            return []
        except Exception:
            logger.exception("reading SPASER session %s failed", session_id)
            dispatcher.utter_message(text=TECHNICAL_ERROR)
            return []
        waiting = " (sur liste d'attente)" if tracker.get_slot("spaser_waitlist") else ""
        lines = [
            f"Je récapitule votre inscription{waiting} :",
            f"- Session : {session_when(session)}",
            f"- Nom : {tracker.get_slot('booker_name')}",
            f"- Organisation : {tracker.get_slot('booker_organisation')}",
            f"- E-mail : {tracker.get_slot('booker_email')}",
            "Je confirme cette inscription ?",
        ]
        dispatcher.utter_message(text="\n".join(lines), buttons=CONFIRM_BUTTONS)
        return []

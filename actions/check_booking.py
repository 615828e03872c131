"""`action_check_booking`: shows a booking found by reference + e-mail, and nothing otherwise."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._booking_common import (
    TECHNICAL_ERROR,
    ServiceFactory,
    booking_text,
    in_thread,
    reset_lookup,
)
from bot.booking.ics import booking_ics, ics_filename
from bot.booking.service import BookingError, get_booking_service

logger = logging.getLogger(__name__)


class ActionCheckBooking(Action):
    """Status, session and (for a confirmed booking) the invitation again."""

    def __init__(self, service: ServiceFactory = get_booking_service) -> None:
        self._service = service

    def name(self) -> str:
        """Rasa's name for the booking check."""
        return "action_check_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Look the booking up; a wrong pair gets the same answer as an unknown reference."""
        reference = str(tracker.get_slot("booking_reference") or "")
        email = str(tracker.get_slot("lookup_email") or "")
        try:
            booking = await in_thread(lambda: self._service().find_booking(reference, email))
        except BookingError as error:
            dispatcher.utter_message(text=str(error))
            return reset_lookup()
        except Exception:
            logger.exception("SPASER booking check failed")
            dispatcher.utter_message(text=TECHNICAL_ERROR)
            return reset_lookup()
        buttons = []
        if booking.status != "cancelled":
            buttons = [{"title": "Annuler cette inscription", "payload": "/cancel_booking"}]
        dispatcher.utter_message(text=booking_text(booking), buttons=buttons)
        if booking.status == "confirmed":
            dispatcher.utter_message(
                json_message={
                    "ics": {"filename": ics_filename(booking), "content": booking_ics(booking)}
                }
            )
        return []

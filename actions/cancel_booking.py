"""`action_cancel_booking`: cancels a booking found by reference + e-mail."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._booking_common import TECHNICAL_ERROR, ServiceFactory, in_thread, reset_lookup
from bot.booking.service import AlreadyCancelled, BookingError, get_booking_service

logger = logging.getLogger(__name__)


class ActionCancelBooking(Action):
    """Cancels; the freed seat goes to the first person on the waiting list (in bot/)."""

    def __init__(self, service: ServiceFactory = get_booking_service) -> None:
        self._service = service

    def name(self) -> str:
        """Rasa's name for the cancellation."""
        return "action_cancel_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Cancel, or say (without detail) that no booking matches."""
        reference = str(tracker.get_slot("booking_reference") or "")
        email = str(tracker.get_slot("lookup_email") or "")
        try:
            result = await in_thread(lambda: self._service().cancel(reference, email))
        except AlreadyCancelled as error:
            dispatcher.utter_message(text=str(error))
            return []
        except BookingError as error:
            dispatcher.utter_message(text=str(error))
            return reset_lookup()
        except Exception:
            logger.exception("SPASER booking cancellation failed")
            dispatcher.utter_message(text=TECHNICAL_ERROR)
            return reset_lookup()
        dispatcher.utter_message(
            text=f"Votre inscription {result.booking.reference} est annulée. Merci de nous "
            "avoir prévenus : votre place est proposée à une autre personne.",
            buttons=[{"title": "Voir les autres sessions", "payload": "/book_spaser"}],
        )
        return []

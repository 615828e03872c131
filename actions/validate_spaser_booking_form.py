"""`validate_spaser_booking_form`: session, waiting list, name, organisation, type, e-mail."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._booking_common import (
    TECHNICAL_ERROR,
    WAITLIST_OFFERED,
    ServiceFactory,
    in_thread,
    validated_email,
)
from actions._latest_message import latest_entity
from bot.booking.choice import match_session, parse_session_id
from bot.booking.service import BookingError, get_booking_service
from bot.text import fold, has_letters

logger = logging.getLogger(__name__)

ESTABLISHMENT_TYPES = frozenset(
    {
        "etat_central", "etat_deconcentre", "etablissement_public_etat", "commune",
        "departement", "region", "epci", "etablissement_public_local", "etablissement_sante",
        "entreprise_publique",
    }
)  # fmt: skip
MAX_TEXT = 200


class ValidateSpaserBookingForm(FormValidationAction):
    """Checks each answer of the booking form; a refused answer is asked again with a reason."""

    def __init__(self, service: ServiceFactory = get_booking_service) -> None:
        self._service = service

    def name(self) -> str:
        """Rasa's name for the booking form's validator."""
        return "validate_spaser_booking_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Ask about the waiting list only for a full session, and the type only if unknown."""
        slots = list(domain_slots)
        if not tracker.get_slot("spaser_session_full"):
            slots.remove("spaser_waitlist")
        if tracker.get_slot("establishment_type"):
            slots.remove("booker_establishment_type")
        return slots

    async def validate_spaser_session_id(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Accept a future open session; a full one leads to the waiting-list question."""
        refused: dict[str, Any] = {
            "spaser_session_id": None,
            "spaser_session_full": None,
            "spaser_waitlist": None,
            WAITLIST_OFFERED: None,
        }
        try:
            service = await in_thread(self._service)  # first use migrates: not on the loop
            session_id = parse_session_id(slot_value)
            if session_id is None:
                offered = await in_thread(service.bookable_sessions)
                session_id = match_session(str(slot_value or ""), offered)
            if session_id is None:
                dispatcher.utter_message(
                    text="Je n'ai pas compris quelle session vous choisissez. "
                    "Cliquez sur l'un des boutons, s'il vous plaît."
                )
                return refused
            session = await in_thread(service.check_bookable, session_id)
        except BookingError as error:  # unknown, past or closed: say why, list again
            dispatcher.utter_message(text=str(error))
            return refused
        except Exception:
            logger.exception("checking the chosen SPASER session failed")
            dispatcher.utter_message(text=TECHNICAL_ERROR)
            return refused
        full = session.seats_left == 0
        if full:
            dispatcher.utter_message(text=f"La session « {session.title} » est complète.")
        return {
            "spaser_session_id": str(session.id),
            "spaser_session_full": full,
            "spaser_waitlist": None,
            WAITLIST_OFFERED: None,  # a new choice: an earlier offer no longer holds
        }

    async def validate_spaser_waitlist(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Yes: go on. No: back to the list of sessions."""
        if slot_value is True:
            return {"spaser_waitlist": True}
        dispatcher.utter_message(text="D'accord. Choisissez une autre session :")
        return {"spaser_waitlist": None, "spaser_session_id": None, "spaser_session_full": None}

    async def validate_booker_name(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """A name with letters, of reasonable length, that is not an e-mail address."""
        text = " ".join(str(slot_value or "").split())
        if not has_letters(text) or "@" in text or len(text) > MAX_TEXT:
            dispatcher.utter_message(
                text="Je n'ai pas bien lu votre nom. Écrivez simplement vos prénom et nom."
            )
            return {"booker_name": None}
        return {"booker_name": text}

    async def validate_booker_organisation(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """An organisation name with letters, of reasonable length."""
        text = " ".join(str(slot_value or "").split())
        if not has_letters(text) or len(text) > MAX_TEXT:
            dispatcher.utter_message(
                text="Je n'ai pas bien lu le nom de votre organisation. Pouvez-vous le réécrire ?"
            )
            return {"booker_organisation": None}
        return {"booker_organisation": text}

    async def validate_booker_establishment_type(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """A canonical type (also kept as the shared profile slot), or the buyer's own words."""
        value = str(latest_entity(tracker, "establishment_type") or slot_value or "").strip()
        if value in ESTABLISHMENT_TYPES:
            return {"booker_establishment_type": value, "establishment_type": value}
        text = " ".join(value.split())
        if not has_letters(text) or len(text) > MAX_TEXT:
            dispatcher.utter_message(text="Choisissez un type dans la liste, ou décrivez-le.")
            return {"booker_establishment_type": None}
        return {"booker_establishment_type": fold(text)[:100]}

    async def validate_booker_email(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """A syntactically valid address (no network check); re-asked with a reason otherwise."""
        return validated_email("booker_email", slot_value, dispatcher)

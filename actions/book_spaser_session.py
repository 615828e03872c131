"""`action_book_spaser_session`: records the booking once confirmed, sends reference and .ics."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._booking_common import (
    TECHNICAL_ERROR,
    WAITLIST_OFFERED,
    ServiceFactory,
    in_thread,
    session_buttons,
)
from bot.booking.choice import parse_session_id
from bot.booking.ics import booking_ics, ics_filename
from bot.booking.service import (
    BookingError,
    BookingRequest,
    BookingResult,
    SessionClosed,
    SessionFull,
    SessionPast,
    UnknownSession,
    get_booking_service,
    idempotency_key,
)

logger = logging.getLogger(__name__)

RESET = [
    SlotSet("spaser_session_id", None),
    SlotSet("spaser_session_full", None),
    SlotSet("spaser_waitlist", None),
    SlotSet(WAITLIST_OFFERED, None),
]
"""The next booking starts with a new choice of session (name, organisation, e-mail stay)."""


class ActionBookSpaserSession(Action):
    """Books the chosen session. Idempotent: a replayed confirmation returns the same booking.

    When the last seat went to someone else between the buyer's choice and their confirmation,
    the session, name, organisation and e-mail are kept and the waiting list is offered as a
    yes/no question (`spaser_waitlist_offered`); a "yes" runs this action again, which then
    books on the waiting list (rule in data/stories/booking.yml).
    """

    def __init__(self, service: ServiceFactory = get_booking_service) -> None:
        self._service = service

    def name(self) -> str:
        """Rasa's name for the booking step."""
        return "action_book_spaser_session"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Book, then confirm with the reference and the invitation (or explain why not)."""
        session_id = parse_session_id(tracker.get_slot("spaser_session_id"))
        email = str(tracker.get_slot("booker_email") or "")
        if session_id is None or not email:
            dispatcher.utter_message(text="Il manque des informations pour vous inscrire.")
            return RESET
        request = BookingRequest(
            name=str(tracker.get_slot("booker_name") or ""),
            organisation=str(tracker.get_slot("booker_organisation") or ""),
            email=email,
            establishment_type=tracker.get_slot("establishment_type")
            or tracker.get_slot("booker_establishment_type"),
        )
        # "Yes" to the waiting list, asked at the form (session already full) or after losing
        # the race for the last seat (this action's own question).
        join = bool(tracker.get_slot("spaser_waitlist")) or bool(tracker.get_slot(WAITLIST_OFFERED))
        try:
            service = await in_thread(self._service)  # first use migrates: not on the loop
            result = await in_thread(
                service.book,
                session_id,
                request,
                # Same conversation + session + e-mail: a replayed message (or a retry after
                # a timeout) finds the booking already made instead of making a second one.
                key=idempotency_key(tracker.sender_id, session_id, email),
                join_waiting_list=join,
            )
        except SessionFull as error:
            # The race for the last seat was lost: offer the list, keep what was typed.
            dispatcher.utter_message(
                text=f"Désolé, la dernière place de la session « {error.session.title} » vient "
                "d'être prise par un autre participant."
            )
            # The form's own question (Oui/Non buttons): one wording for a full session.
            dispatcher.utter_message(response="utter_ask_spaser_waitlist")
            return [
                SlotSet("spaser_session_full", True),
                SlotSet("spaser_waitlist", None),
                SlotSet(WAITLIST_OFFERED, True),
            ]
        except (SessionPast, SessionClosed, UnknownSession) as error:
            dispatcher.utter_message(text=str(error))
            await self._list_again(dispatcher)
            return RESET
        except BookingError as error:
            dispatcher.utter_message(text=str(error))
            return RESET
        except Exception:
            logger.exception("SPASER booking failed for session %s", session_id)
            dispatcher.utter_message(text=TECHNICAL_ERROR)
            return RESET
        self._confirm(dispatcher, result)
        events = list(RESET)
        if result.same_requester:
            # "Vérifier mon inscription" right after: no need to type them again.
            events.append(SlotSet("booking_reference", result.booking.reference))
            events.append(SlotSet("lookup_email", result.booking.email))
        return events

    def _confirm(self, dispatcher: CollectingDispatcher, result: BookingResult) -> None:
        booking = result.booking
        if not result.same_requester:
            # Booked earlier from another conversation: whoever typed this address must not
            # learn the reference (it opens the booking together with the e-mail).
            dispatcher.utter_message(
                text="Une inscription à cette session existe déjà pour cette adresse e-mail. "
                "Sa référence figure dans le message de confirmation reçu à ce moment-là."
            )
            return
        again = "" if result.created else " (elle était déjà enregistrée)"
        if booking.status == "waiting":
            dispatcher.utter_message(
                text=f"Vous êtes sur la liste d'attente{again}, en position "
                f"{booking.waiting_position}. Votre référence : {booking.reference}. "
                "Si une place se libère, elle vous est attribuée automatiquement : vérifiez "
                "votre inscription avec cette référence et votre e-mail."
            )
            return
        dispatcher.utter_message(
            text=f"C'est confirmé{again} ! Votre référence d'inscription : {booking.reference}. "
            "Notez-la : avec votre e-mail, elle permet de vérifier ou d'annuler votre "
            "inscription. Voici l'invitation à ajouter à votre agenda."
        )
        dispatcher.utter_message(
            json_message={
                "ics": {"filename": ics_filename(booking), "content": booking_ics(booking)}
            }
        )

    async def _list_again(self, dispatcher: CollectingDispatcher) -> None:
        try:
            sessions = await in_thread(lambda: self._service().bookable_sessions())
        except Exception:
            logger.exception("listing SPASER sessions failed")
            return
        if sessions:
            dispatcher.utter_message(
                text="Voici les sessions ouvertes :", buttons=session_buttons(sessions)
            )

"""`action_ask_routing_place`: the place question, with choices when the place is ambiguous."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._latest_message import latest_intent
from actions._routing_common import ASK_PLACE, INTERRUPTION_INTENTS, SEARCH_INTENTS, place_entities
from bot.territory import AmbiguousPlace, PlaceError, Territories, load_territories

logger = logging.getLogger(__name__)

MAX_CHOICES = 8


class ActionAskRoutingPlace(Action):
    """Asks "Où êtes-vous ?"; after an ambiguous or wrong answer, says why and offers buttons."""

    def __init__(self, territories: Callable[[], Territories] = load_territories) -> None:
        self._territories = territories

    def name(self) -> str:
        """Rasa calls `action_ask_<slot>` to ask for a form slot."""
        return "action_ask_routing_place"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the question (and the choices); never raises."""
        parts = place_entities(tracker)
        text = (tracker.latest_message or {}).get("text") or ""
        # The message that opened the search ("je cherche un facilitateur") is not a place;
        # an answer to the question is, even without any entity the NLU recognised.
        if latest_intent(tracker) in INTERRUPTION_INTENTS:
            parts = {}
        elif (
            not parts and latest_intent(tracker) not in SEARCH_INTENTS and not text.startswith("/")
        ):
            parts = {"text": text} if text.strip() else {}
        if parts:
            try:
                self._territories().resolve_parts(**parts)
            except AmbiguousPlace as error:
                buttons = [
                    {
                        "title": candidate.libelle,
                        "payload": "/inform"
                        + json.dumps(Territories.choice_entities(candidate), ensure_ascii=False),
                    }
                    for candidate in error.candidates[:MAX_CHOICES]
                ]
                dispatcher.utter_message(text=str(error), buttons=buttons)
                return []
            except PlaceError as error:
                dispatcher.utter_message(text=str(error))
            except Exception:
                logger.exception("place resolution failed")
        dispatcher.utter_message(text=ASK_PLACE)
        return []

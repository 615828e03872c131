"""`action_find_contact`: the contact card for the place and kind chosen (journeys 2 and 3)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._routing_common import ASK_PLACE, NEXT_BUTTONS, NEXT_QUESTION, ROUTING_ERROR
from bot.cards import contacts_card
from bot.contacts import RoutingResult, format_card, route
from bot.territory import Place, PlaceError, Territories, load_territories

logger = logging.getLogger(__name__)

MAX_CARDS = 3


class ActionFindContact(Action):
    """Answers with the routed contact(s): who, what they do, how to reach them, why them."""

    def __init__(
        self,
        territories: Callable[[], Territories] = load_territories,
        router: Callable[[str, Place], RoutingResult] = route,
    ) -> None:
        self._territories = territories
        self._route = router

    def name(self) -> str:
        """Rasa's name for this action."""
        return "action_find_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the cards and the next steps; never raises."""
        kind = tracker.get_slot("contact_type") or "guichet_vert"
        key = tracker.get_slot("routing_place")
        try:
            territories = self._territories()
            place = territories.from_key(str(key))
            result = self._route(kind, place)
        except PlaceError:
            dispatcher.utter_message(text=ASK_PLACE)
            return [SlotSet("routing_place", None)]
        except Exception:
            logger.exception("routing failed for %s / %s", kind, key)
            dispatcher.utter_message(text=ROUTING_ERROR)
            return []
        dispatcher.utter_message(text=f"Pourquoi ce contact : {result.pourquoi}")
        for contact in result.contacts[:MAX_CARDS]:
            dispatcher.utter_message(text=format_card(contact, territories))
        dispatcher.utter_message(json_message=contacts_card(result, territories, MAX_CARDS))
        dispatcher.utter_message(
            text=NEXT_QUESTION, buttons=NEXT_BUTTONS.get(kind, NEXT_BUTTONS["guichet_vert"])
        )
        return [
            SlotSet("department", place.departement.code if place.departement else None),
            SlotSet("region", place.region.slug),
        ]

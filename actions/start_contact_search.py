"""`action_start_contact_search`: note which contact the buyer wants and any place already known."""

from __future__ import annotations

import logging
from collections.abc import Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._latest_message import latest_intent
from actions._routing_common import INTENT_KIND, place_entities, place_slots
from bot.territory import PlaceError, Territories, load_territories

logger = logging.getLogger(__name__)


class ActionStartContactSearch(Action):
    """Sets `contact_type` from the intent and `routing_place` when the place is already known.

    A place named in this very message wins; otherwise the place of an earlier search, then the
    place slots filled earlier in the conversation. Nothing known (or ambiguous): the place form
    asks.
    """

    def __init__(self, territories: Callable[[], Territories] = load_territories) -> None:
        self._territories = territories

    def name(self) -> str:
        """Rasa's name for this action."""
        return "action_start_contact_search"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Return the slot events; never raises."""
        kind = INTENT_KIND.get(latest_intent(tracker)) or tracker.get_slot("contact_type")
        events: list[EventType] = [SlotSet("contact_type", kind or "guichet_vert")]
        try:
            territories = self._territories()
            mentioned = place_entities(tracker)
            if mentioned:
                place = territories.resolve_parts(**mentioned)
            elif tracker.get_slot("routing_place"):
                return events  # the place of the previous search still holds
            elif place_slots(tracker):
                place = territories.resolve_parts(**place_slots(tracker))
            else:
                return [*events, SlotSet("routing_place", None)]
            events.append(SlotSet("routing_place", territories.key_of(place)))
        except PlaceError:
            # Ambiguous, unknown or abroad: the form's question explains and offers choices.
            events.append(SlotSet("routing_place", None))
        except Exception:  # never let the conversation die on a data problem
            logger.exception("place resolution failed")
            events.append(SlotSet("routing_place", None))
        return events

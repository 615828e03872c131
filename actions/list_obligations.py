"""`action_list_obligations`: the autodiagnostic's answer, grouped by status."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._autodiagnostic_common import (
    CURRENT_FACT_SLOT,
    NO_PROFILE,
    AutodiagnosticAction,
    evaluate,
    send,
    unknown_of,
)
from actions._latest_message import latest_entities, latest_intent
from bot.cards import obligations_card
from bot.diagnostic import listing
from bot.inference import is_place_only


class ActionListObligations(AutodiagnosticAction):
    """Lists the obligations in force, coming and to confirm, with buttons for each."""

    def name(self) -> str:
        """Domain name of the action."""
        return "action_list_obligations"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Evaluate the profile and send the grouped answer."""
        result = evaluate(self.engine, tracker)
        if result is None:
            if not is_place_only(latest_intent(tracker), list(latest_entities(tracker))):
                # A lone place ends the form at once; the validator already answered it.
                dispatcher.utter_message(text=NO_PROFILE)
            return []
        send(dispatcher, listing(self.engine.knowledge, result, unknown_of(tracker)))
        dispatcher.utter_message(
            json_message=obligations_card(self.engine.knowledge, result, unknown_of(tracker))
        )
        return [SlotSet(CURRENT_FACT_SLOT, None)]

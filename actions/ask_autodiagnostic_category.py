"""`action_ask_autodiagnostic_form_purchase_category`: asks what is bought, with buttons."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._autodiagnostic_common import AutodiagnosticAction, choice_buttons

QUESTION = "Qu'achetez-vous ? Par exemple : des repas de cantine, des véhicules, des travaux."


class ActionAskAutodiagnosticFormPurchaseCategory(AutodiagnosticAction):
    """Asks the purchase category (one button per category)."""

    def name(self) -> str:
        """Domain name of the action."""
        return "action_ask_autodiagnostic_form_purchase_category"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the question and the buttons."""
        labels = self.engine.knowledge.categories.labels
        dispatcher.utter_message(text=QUESTION, buttons=choice_buttons("purchase_category", labels))
        return []

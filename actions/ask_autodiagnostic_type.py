"""`action_ask_autodiagnostic_form_establishment_type`: asks the buyer's type, with buttons."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._autodiagnostic_common import AutodiagnosticAction, choice_buttons

QUESTION = "Pour quel type d'établissement achetez-vous ? Par exemple : une commune, un hôpital."


class ActionAskAutodiagnosticFormEstablishmentType(AutodiagnosticAction):
    """Asks which kind of public buyer the user works for (one button per type)."""

    def name(self) -> str:
        """Domain name of the action."""
        return "action_ask_autodiagnostic_form_establishment_type"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the question and the buttons."""
        labels = self.engine.knowledge.etablissements.labels
        dispatcher.utter_message(
            text=QUESTION, buttons=choice_buttons("establishment_type", labels)
        )
        return []

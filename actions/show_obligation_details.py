"""`action_show_obligation_details`: everything known about one obligation."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._autodiagnostic_common import ObligationFollowUp, evaluate, send
from bot.diagnostic import choose_obligation, details


class ActionShowObligationDetails(ObligationFollowUp):
    """Details, references, profile-specific rates and uncertainty notes of one obligation."""

    intent_name = "ask_details"

    def name(self) -> str:
        """Domain name of the action."""
        return "action_show_obligation_details"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the details, or ask which obligation."""
        result = evaluate(self.engine, tracker)
        obligation_id = self.resolve(tracker, result)
        if obligation_id is None:
            send(dispatcher, [choose_obligation(self.engine.knowledge, result, self.intent_name)])
            return []
        send(dispatcher, [details(self.engine.knowledge, result, obligation_id)])
        return self.remember(obligation_id)

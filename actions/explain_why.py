"""`action_explain_why`: why an obligation applies (or not) to the user's profile."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._autodiagnostic_common import NO_PROFILE, ObligationFollowUp, evaluate, send
from bot.diagnostic import choose_obligation, why


class ActionExplainWhy(ObligationFollowUp):
    """Answers "pourquoi ?" with the conditions that matched, or why it does not apply."""

    intent_name = "ask_why"

    def name(self) -> str:
        """Domain name of the action."""
        return "action_explain_why"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Explain, or ask which obligation."""
        result = evaluate(self.engine, tracker)
        if result is None:
            dispatcher.utter_message(text=NO_PROFILE)
            return []
        obligation_id = self.resolve(tracker, result)
        if obligation_id is None:
            send(dispatcher, [choose_obligation(self.engine.knowledge, result, self.intent_name)])
            return []
        send(dispatcher, [why(self.engine, result, obligation_id)])
        return self.remember(obligation_id)

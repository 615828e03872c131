"""`action_ask_diag_fact_answer`: asks the next fact that decides an obligation."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._autodiagnostic_common import (
    CURRENT_FACT_SLOT,
    AutodiagnosticAction,
    facts_of,
    pending_amount_of,
    profile_of,
    send,
    unknown_of,
)
from bot.diagnostic import fact_question, next_fact, unclear_amount_question


class ActionAskDiagFactAnswer(AutodiagnosticAction):
    """One question at a time, with "Je ne sais pas"; remembers which fact it asked."""

    def name(self) -> str:
        """Domain name of the action (Rasa calls it to ask the form slot `diag_fact_answer`)."""
        return "action_ask_diag_fact_answer"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the question for the next missing fact, or first ask which fact an amount of the
        last message is (it is never guessed)."""
        unclear = pending_amount_of(tracker)
        if unclear is not None:
            knowledge = self.engine.knowledge
            among = [str(key) for key in unclear["faits"] if key in knowledge.facts]
            send(dispatcher, [unclear_amount_question(knowledge, unclear["valeur"], among)])
            return []
        profile = profile_of(tracker)
        fact = None
        if profile is not None:
            facts = facts_of(tracker)
            fact = next_fact(self.engine, *profile, facts, unknown_of(tracker))
        if fact is None:
            dispatcher.utter_message(text="Avez-vous une précision à ajouter ?")
            return []
        send(dispatcher, [fact_question(self.engine.knowledge, fact)])
        return [SlotSet(CURRENT_FACT_SLOT, fact)]

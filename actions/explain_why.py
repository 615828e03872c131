"""`action_explain_why`: why an obligation applies (or not) to the user's profile."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._autodiagnostic_common import (
    ANSWER_SLOT,
    CURRENT_FACT_SLOT,
    NO_PROFILE,
    ObligationFollowUp,
    evaluate,
    pending_amount_of,
    send,
)
from actions._side_questions import pending_slot, why_this_question
from bot.diagnostic import choose_obligation, why, why_asked


class ActionExplainWhy(ObligationFollowUp):
    """Answers "pourquoi ?" with the conditions that matched, or why it does not apply."""

    intent_name = "ask_why"

    def name(self) -> str:
        """Domain name of the action."""
        return "action_explain_why"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Explain, or ask which obligation.

        While a form waits and no obligation is named, "pourquoi ?" means "why do you ask
        that?": the pending question is explained, then the form asks it again.
        """
        result = evaluate(self.engine, tracker)
        slot = pending_slot(tracker)
        if slot is not None and self.resolve(tracker, result, fallback=False) is None:
            fact = tracker.get_slot(CURRENT_FACT_SLOT)
            unclear = pending_amount_of(tracker)
            knowledge = self.engine.knowledge
            if slot == ANSWER_SLOT and unclear is not None:
                names = " et ".join(
                    knowledge.facts[k].libelle for k in unclear["faits"] if k in knowledge.facts
                )
                dispatcher.utter_message(
                    text=f"Je vous pose cette question parce que {names} ne décident pas des "
                    "mêmes obligations : je préfère vous demander plutôt que deviner."
                )
            elif slot == ANSWER_SLOT and fact in knowledge.facts:
                send(dispatcher, [why_asked(self.engine.knowledge, result, str(fact))])
            else:
                dispatcher.utter_message(text=why_this_question(tracker) or NO_PROFILE)
            return []
        if result is None:
            dispatcher.utter_message(text=NO_PROFILE)
            return []
        obligation_id = self.resolve(tracker, result)
        if obligation_id is None:
            send(dispatcher, [choose_obligation(self.engine.knowledge, result, self.intent_name)])
            return []
        send(dispatcher, [why(self.engine, result, obligation_id)])
        return self.remember(obligation_id)

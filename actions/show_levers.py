"""`action_show_levers`: how to comply with an obligation ("comment faire ?")."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._autodiagnostic_common import ObligationFollowUp, evaluate, send
from actions._side_questions import pending_slot
from bot.diagnostic import choose_obligation, general_levers, levers, levers_overview


class ActionShowLevers(ObligationFollowUp):
    """Sends the action levers of one obligation, or general ones."""

    intent_name = "ask_levers"

    def name(self) -> str:
        """Domain name of the action."""
        return "action_show_levers"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Levers of the obligation asked about; without one, a choice or general levers.

        While a form waits (a fact, a place, a booking detail), no choice is asked: the levers
        of the obligations found so far are given, and the form then asks its question again.
        """
        result = evaluate(self.engine, tracker)
        waiting = pending_slot(tracker) is not None
        obligation_id = self.resolve(tracker, result, fallback=not waiting)
        knowledge = self.engine.knowledge
        if obligation_id is None and waiting:
            found = result is not None and bool(result.obligations)
            overview = levers_overview(knowledge, result) if result is not None else None
            send(dispatcher, [overview if found and overview else general_levers(knowledge)])
            return []
        if obligation_id is not None:
            send(dispatcher, [levers(knowledge, obligation_id)])
            return self.remember(obligation_id)
        if result is not None and result.obligations:
            send(dispatcher, [choose_obligation(knowledge, result, self.intent_name)])
            return []
        send(dispatcher, [general_levers(knowledge)])
        return []

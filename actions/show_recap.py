"""`action_show_recap`: the plain-text recap of the autodiagnostic."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._autodiagnostic_common import NO_PROFILE, AutodiagnosticAction, evaluate, unknown_of
from bot.recap import build_recap, recap_filename


class ActionShowRecap(AutodiagnosticAction):
    """Sends the recap as one plain-text message the user can copy, and as a text file to keep
    (a custom payload, like the booking's .ics, that the web widget offers as a download)."""

    def name(self) -> str:
        """Domain name of the action."""
        return "action_show_recap"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Build and send the recap."""
        result = evaluate(self.engine, tracker)
        if result is None:
            dispatcher.utter_message(text=NO_PROFILE)
            return []
        recap = build_recap(self.engine.knowledge, result, unknown_of(tracker))
        dispatcher.utter_message(text=recap)
        dispatcher.utter_message(
            json_message={
                "fichier": {
                    "filename": recap_filename(result),
                    "mime": "text/plain; charset=utf-8",
                    "content": recap,
                }
            }
        )
        return []

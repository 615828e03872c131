"""`action_list_changes`: "qu'est-ce qui change en 2027 ?" for the buyer's profile."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._autodiagnostic_common import AutodiagnosticAction, send
from actions._latest_message import latest_text
from bot.changes import changes_replies, detect_horizon
from bot.engine import Engine, get_engine, today_paris

HORIZON_SLOT = "changes_horizon"
DEFAULT_HORIZON = "a_venir"


class ActionListChanges(AutodiagnosticAction):
    """Lists what starts or ends in the horizon the user named, for their type and category
    when known; without a type, the changes for all buyers and one button per type."""

    def __init__(
        self,
        engine_factory: Callable[[], Engine] = get_engine,
        today: Callable[[], dt.date] = today_paris,
    ) -> None:
        super().__init__(engine_factory)
        self._today = today

    def name(self) -> str:
        """Domain name of the action."""
        return "action_list_changes"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Read the horizon (message, else the last one for a button), answer, remember it."""
        knowledge = self.engine.knowledge
        text = latest_text(tracker)
        horizon = detect_horizon(text) if not text.startswith("/") else None
        if horizon is None:
            previous = tracker.get_slot(HORIZON_SLOT)
            from_button = text.startswith("/") and isinstance(previous, str) and previous
            horizon = str(previous) if from_button else DEFAULT_HORIZON
        etab = tracker.get_slot("establishment_type")
        category = tracker.get_slot("purchase_category")
        replies = changes_replies(
            knowledge,
            horizon,
            self._today(),
            etab if etab in knowledge.etablissements else None,
            category if category in knowledge.categories else None,
        )
        send(dispatcher, replies)
        return [SlotSet(HORIZON_SLOT, horizon)]

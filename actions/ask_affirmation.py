"""`action_default_ask_affirmation`: the "Vouliez-vous dire … ?" step of the two-stage fallback."""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.intent_labels import NOT_SUGGESTED, label_for

logger = logging.getLogger(__name__)

MAX_SUGGESTIONS = 3


def suggestions(parse_data: dict[str, Any]) -> list[str]:
    """The intents worth offering for a message, best first (FAQ answers as `faq/<key>`)."""
    faq_key = (
        parse_data.get("response_selector", {})
        .get("faq", {})
        .get("response", {})
        .get("intent_response_key")
    )
    offered: list[str] = []
    for candidate in parse_data.get("intent_ranking", []):
        name = str(candidate.get("name", ""))
        if name == "faq" and faq_key:
            name = str(faq_key)
        if name in NOT_SUGGESTED or name in offered or label_for(name) is None:
            continue
        offered.append(name)
        if len(offered) == MAX_SUGGESTIONS:
            break
    return offered


def payload_for(intent: str, entities: list[dict[str, Any]]) -> str:
    """A button payload that replays the guess with the entities already understood.

    FAQ guesses replay their question as text: a `/faq/<key>` payload is not an intent the
    domain knows, and the response selector answers the question itself reliably.
    """
    if intent.startswith("faq/"):
        return str(label_for(intent))
    values = {str(e["entity"]): e["value"] for e in entities if "entity" in e and "value" in e}
    return f"/{intent}{json.dumps(values, ensure_ascii=False)}" if values else f"/{intent}"


class ActionDefaultAskAffirmation(Action):
    """Offers the likeliest meanings as buttons, plus a way out."""

    def name(self) -> str:
        """Rasa's name for the affirmation step of the two-stage fallback."""
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the question with one button per likely meaning."""
        parse_data = tracker.latest_message or {}
        entities = list(parse_data.get("entities", []))
        buttons = [
            {"title": str(label_for(intent)), "payload": payload_for(intent, entities)}
            for intent in suggestions(parse_data)
        ]
        buttons.append({"title": "Autre chose", "payload": "/deny"})
        text = "Vouliez-vous dire :" if len(buttons) > 1 else "Je n'ai pas bien compris."
        dispatcher.utter_message(text=text, buttons=buttons)
        return []

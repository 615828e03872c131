"""`action_relay_to_hotline`: while a ticket is open, the user's messages go to the hotline and
the agent's replies come back; once the agent closes the ticket, the bot resumes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SlotSet, UserUttered
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._latest_message import latest_text
from actions.hand_over import TICKET_SLOT
from bot.hotline import tickets

logger = logging.getLogger(__name__)

RELAY_ERROR = "Votre message n'a pas pu être transmis au conseiller. Réessayez dans un instant."
AGENT_PREFIX = "Conseiller de la hotline : "


class ActionRelayToHotline(Action):
    """Adds the message to the open ticket and shows the replies not yet seen."""

    def __init__(
        self,
        add_message: Callable[[str, str], bool] = tickets.add_user_message,
        take_replies: Callable[[str], list[str]] = tickets.take_replies,
        closing_shown: Callable[[str], bool] = tickets.closing_note_shown,
    ) -> None:
        self._add_message = add_message
        self._take_replies = take_replies
        self._closing_shown = closing_shown

    def name(self) -> str:
        """Rasa's name for this action."""
        return "action_relay_to_hotline"

    async def _note_shown(self, sender_id: str) -> bool:
        try:
            return await asyncio.to_thread(self._closing_shown, sender_id)
        except Exception:
            logger.exception("closing note check failed")
            return False

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Relay, or hand the conversation back to the bot when the ticket is closed."""
        text = latest_text(tracker).strip()
        try:
            if text:
                held = await asyncio.to_thread(self._add_message, tracker.sender_id, text)
            else:  # nothing to add (an empty message): only look whether the ticket is still open
                held = await asyncio.to_thread(tickets.active_ticket, tracker.sender_id) is not None
            replies = await asyncio.to_thread(self._take_replies, tracker.sender_id)
        except Exception:
            logger.exception("relay to the hotline failed")
            dispatcher.utter_message(text=RELAY_ERROR)
            return []
        for reply in replies:
            is_note = reply == tickets.CLOSING_NOTE
            dispatcher.utter_message(text=reply if is_note else AGENT_PREFIX + reply)
        if held:
            return []
        # The agent closed the ticket: the bot answers this very message as if it just arrived.
        # The web widget may have shown the closing note already (it polls for replies).
        if tickets.CLOSING_NOTE not in replies and not await self._note_shown(tracker.sender_id):
            dispatcher.utter_message(text=tickets.CLOSING_NOTE)
        return [
            SlotSet(TICKET_SLOT, None),
            ActionExecuted("action_listen"),
            UserUttered(
                text=latest_text(tracker),
                parse_data=tracker.latest_message,
                input_channel=tracker.get_latest_input_channel(),
            ),
        ]

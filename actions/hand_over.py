"""`action_hand_over`: open a hotline ticket with a summary, and say what happens next."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._autodiagnostic_common import facts_of
from bot.booking.models import utc_now
from bot.engine import Engine, get_engine
from bot.hotline.handover import ConversationSnapshot, build_handover
from bot.hotline.schedule import handoff_message
from bot.hotline.tickets import TicketView, open_ticket
from bot.territory import Territories, load_territories

logger = logging.getLogger(__name__)

TICKET_SLOT = "handoff_ticket"
HANDOFF_ERROR = (
    "Désolé, je n'arrive pas à joindre la hotline pour le moment. Réessayez dans quelques "
    "minutes ; en attendant, je peux vous orienter vers votre guichet vert ou votre "
    "facilitateur des clauses sociales."
)


def snapshot_of(tracker: Tracker) -> ConversationSnapshot:
    """What the tracker holds that the ticket summary uses."""
    messages: list[tuple[str, str, dict[str, Any] | None]] = []
    actions_run: set[str] = set()
    since_user: list[str] = []  # actions run since the last user message
    taken_back: int | None = None  # where a message the fallback took back stood
    for event in tracker.events:
        kind = event.get("event")
        if kind == "user":
            line = ("user", str(event.get("text") or ""), event.get("parse_data"))
            if taken_back is not None:
                # The two-stage fallback replays the message with the intent the user chose.
                messages[taken_back] = line
                taken_back = None
            elif since_user[-2:] != ["action_relay_to_hotline", "action_listen"]:
                # Not a message replayed once the hotline handed the conversation back (relay,
                # then an injected action_listen): that one is already recorded.
                messages.append(line)
            since_user = []
        elif kind == "rewind":
            taken_back = max(
                (i for i, (author, _, _) in enumerate(messages) if author == "user"), default=None
            )
        elif kind == "bot" and event.get("text"):
            messages.append(("bot", str(event["text"]), None))
        elif kind == "action" and event.get("name"):
            actions_run.add(str(event["name"]))
            since_user.append(str(event["name"]))
    return ConversationSnapshot(
        establishment_type=tracker.get_slot("establishment_type"),
        purchase_category=tracker.get_slot("purchase_category"),
        place_key=tracker.get_slot("routing_place"),
        facts=facts_of(tracker),
        contact_type=tracker.get_slot("contact_type"),
        actions_run=frozenset(actions_run),
        messages=messages,
    )


class ActionHandOver(Action):
    """Creates (or finds) the conversation's ticket; from then on the hotline answers."""

    def __init__(
        self,
        engine_factory: Callable[[], Engine] = get_engine,
        territories_factory: Callable[[], Territories] = load_territories,
        opener: Callable[..., tuple[TicketView, bool]] = open_ticket,
    ) -> None:
        self._engine_factory = engine_factory
        self._territories_factory = territories_factory
        self._open = opener

    def name(self) -> str:
        """Rasa's name for this action."""
        return "action_hand_over"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Open the ticket off the event loop; never raises."""
        try:
            content = build_handover(
                snapshot_of(tracker), self._engine_factory(), self._territories_factory()
            )
            ticket, created = await asyncio.to_thread(
                self._open,
                tracker.sender_id,
                content.summary,
                channel=tracker.get_latest_input_channel() or "rest",
                question=content.question,
                nlu_confidence=content.confidence,
                transcript=content.transcript,
            )
        except Exception:
            logger.exception("hand-over failed")
            dispatcher.utter_message(text=HANDOFF_ERROR)
            return []
        if created:
            dispatcher.utter_message(text=handoff_message(ticket.id, utc_now()))
        else:
            dispatcher.utter_message(
                text=f"Votre demande est déjà transmise à la hotline (n° {ticket.id}) : "
                "un conseiller vous répondra ici."
            )
        events: list[EventType] = [SlotSet(TICKET_SLOT, ticket.id)]
        if tracker.active_loop.get("name"):
            events += [ActiveLoop(None), SlotSet("requested_slot", None)]
        return events

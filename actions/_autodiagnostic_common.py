"""Base and helpers of the autodiagnostic actions (journey 1). No action is registered here:
the base class's `name()` is abstract, so the action server skips it."""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._latest_message import latest_entity, latest_text
from bot.diagnostic import Reply, find_obligation
from bot.engine import Engine, EngineError, Result, get_engine
from bot.inference import TERRITOIRE, apply_territoire, infer_territoire
from bot.knowledge import FactValue

logger = logging.getLogger(__name__)

FACTS_SLOT = "diag_facts"
UNKNOWN_SLOT = "diag_unknown"
INFERRED_SLOT = "diag_inferred"
CURRENT_FACT_SLOT = "diag_current_fact"
ANSWER_SLOT = "diag_fact_answer"
PENDING_AMOUNT_SLOT = "diag_pending_amount"
OBLIGATION_SLOT = "obligation_id"

TECHNICAL_ERROR = (
    "Désolé, je n'arrive pas à consulter la base des obligations pour le moment. "
    "Réessayez dans un instant, ou demandez à parler à un conseiller."
)
NO_PROFILE = (
    "Pour répondre, j'ai besoin de savoir qui vous êtes et ce que vous achetez, "
    "par exemple « une commune qui achète des véhicules »."
)


def send(dispatcher: CollectingDispatcher, replies: list[Reply]) -> None:
    """Send the messages built by bot/."""
    for reply in replies:
        if reply.buttons:
            dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
        else:
            dispatcher.utter_message(text=reply.text)


def choice_buttons(entity: str, labels: dict[str, str]) -> list[dict[str, str]]:
    """One button per canonical value, whose payload sets `entity` ("Commune" → commune)."""
    return [
        {"title": label, "payload": "/inform" + json.dumps({entity: key})}
        for key, label in labels.items()
    ]


def facts_of(tracker: Tracker) -> dict[str, FactValue]:
    """The facts collected so far (a dict slot; anything malformed is ignored)."""
    value: Any = tracker.get_slot(FACTS_SLOT)
    return dict(value) if isinstance(value, dict) else {}


def unknown_of(tracker: Tracker) -> list[str]:
    """The facts the user answered "je ne sais pas" to."""
    value: Any = tracker.get_slot(UNKNOWN_SLOT)
    return [str(v) for v in value] if isinstance(value, list) else []


def inferred_of(tracker: Tracker) -> dict[str, str]:
    """Facts inferred by the bot (fact → where it comes from), to be said and correctable."""
    value: Any = tracker.get_slot(INFERRED_SLOT)
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def pending_amount_of(tracker: Tracker) -> dict[str, Any] | None:
    """The amount to ask about by name ({"valeur", "faits", "tour"}), if any."""
    value: Any = tracker.get_slot(PENDING_AMOUNT_SLOT)
    if isinstance(value, dict) and isinstance(value.get("faits"), list) and value["faits"]:
        return value
    return None


def user_turn(tracker: Tracker) -> int:
    """How many messages the user has sent: tells a question raised by this message from one
    raised earlier."""
    return sum(1 for event in tracker.events or [] if event.get("event") == "user")


def profile_of(tracker: Tracker) -> tuple[str, str] | None:
    """(establishment type, purchase category) when both are known."""
    etab = tracker.get_slot("establishment_type")
    category = tracker.get_slot("purchase_category")
    if isinstance(etab, str) and etab and isinstance(category, str) and category:
        return etab, category
    return None


def evaluate(engine: Engine, tracker: Tracker) -> Result | None:
    """The engine's result for the conversation's profile and facts (None without a profile).

    Facts that no longer pass validation (a slot edited by hand) are dropped rather than
    breaking the answer.
    """
    profile = profile_of(tracker)
    if profile is None:
        return None
    facts: dict[str, FactValue] = {}
    for key, value in facts_of(tracker).items():
        try:
            facts[key] = engine.check_fact(key, value)
        except EngineError:
            logger.warning("Dropping invalid fact %s (value not logged: user input)", key)
    inferred = inferred_of(tracker)
    if TERRITOIRE in engine.facts_read(*profile):
        # The EGalim rate depends on the territory: inferred from the place, never asked.
        inference = infer_territoire(
            department=_text_slot(tracker, "department"),
            region=_text_slot(tracker, "region"),
            postal_code=_text_slot(tracker, "postal_code"),
        )
        facts, inferred = apply_territoire(facts, inferred, inference)
    return engine.evaluate(profile[0], profile[1], facts, faits_deduits=inferred)


def _text_slot(tracker: Tracker, name: str) -> str | None:
    value = tracker.get_slot(name)
    return str(value) if isinstance(value, (str, int)) and str(value) else None


class AutodiagnosticAction(Action, ABC):
    """Shared behaviour: an engine collaborator and a polite message if anything fails."""

    def __init__(self, engine_factory: Callable[[], Engine] = get_engine) -> None:
        self._engine_factory = engine_factory

    @property
    def engine(self) -> Engine:
        """The obligations engine (built once per process by the factory)."""
        return self._engine_factory()

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    @abstractmethod
    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Do the action's work (exceptions are caught by `run`)."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run `respond`, turning any failure into a polite message."""
        try:
            return await self.respond(dispatcher, tracker, domain)
        except Exception:
            logger.exception("%s failed", self.name())
            dispatcher.utter_message(text=TECHNICAL_ERROR)
            return []


class ObligationFollowUp(AutodiagnosticAction, ABC):
    """A question about one obligation ("pourquoi ?", "comment faire ?", "détails")."""

    intent_name = ""
    """The intent replayed by the "which obligation?" buttons."""

    def resolve(
        self, tracker: Tracker, result: Result | None, *, fallback: bool = True
    ) -> str | None:
        """The obligation asked about: the button's entity, a name in the text, or (with
        `fallback`) the last one discussed."""
        knowledge = self.engine.knowledge
        ids = {o.id for o in knowledge.obligations}
        from_entity = latest_entity(tracker, OBLIGATION_SLOT)
        if from_entity in ids:
            return from_entity
        among = [r.obligation.id for r in result.obligations] if result is not None else None
        named = find_obligation(knowledge, latest_text(tracker), among) or find_obligation(
            knowledge, latest_text(tracker)
        )
        if named is not None or not fallback:
            return named
        previous = tracker.get_slot(OBLIGATION_SLOT)
        return previous if previous in ids else None

    def remember(self, obligation_id: str) -> list[EventType]:
        """Remember the obligation discussed, for a follow-up without its name."""
        return [SlotSet(OBLIGATION_SLOT, obligation_id)]

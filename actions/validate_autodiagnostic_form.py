"""`validate_autodiagnostic_form`: profile slots, facts read from the messages, and the dynamic
list of questions (only the facts that decide an obligation for this profile)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions._autodiagnostic_common import (
    ANSWER_SLOT,
    CURRENT_FACT_SLOT,
    FACTS_SLOT,
    INFERRED_SLOT,
    PENDING_AMOUNT_SLOT,
    TECHNICAL_ERROR,
    UNKNOWN_SLOT,
    facts_of,
    inferred_of,
    pending_amount_of,
    profile_of,
    unknown_of,
    user_turn,
)
from actions._latest_message import latest_entities, latest_entity, latest_intent, latest_text
from bot.diagnostic import (
    fact_named,
    facts_in_text,
    is_dont_know,
    next_fact,
    read_answer,
    read_facts,
)
from bot.engine import Engine, EngineError, format_fact_value, get_engine
from bot.inference import POPULATION, infer_population, is_place_only, update_inferred
from bot.territory import PlaceError, Territories, load_territories

logger = logging.getLogger(__name__)


class ValidateAutodiagnosticForm(FormValidationAction):
    """Validates the autodiagnostic form and decides which fact to ask next."""

    def __init__(
        self,
        engine_factory: Callable[[], Engine] = get_engine,
        territories_factory: Callable[[], Territories] = load_territories,
    ) -> None:
        self._engine_factory = engine_factory
        self._territories_factory = territories_factory

    def name(self) -> str:
        """Domain name of the validation action."""
        return "validate_autodiagnostic_form"

    @property
    def engine(self) -> Engine:
        """The obligations engine."""
        return self._engine_factory()

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Read the facts stated in the message ("on a 30 véhicules"), infer the facts official
        data gives (a named commune's population), then validate as usual.

        A lone place ("33600") that started the form (catch-all `inform` rule) does not start the
        autodiagnostic: the place is noted, the help menu is offered and the form ends at once.
        """
        try:
            events = self._facts_from_message(tracker)
            tracker.add_slots(events)
            self._acknowledge_side_facts(dispatcher, tracker)
            if not events and self._place_only_start(tracker):
                self._note_place(dispatcher, tracker)
                return [SlotSet("requested_slot", None)]
            inferred = self._infer(dispatcher, tracker)
            tracker.add_slots(inferred)
            return events + inferred + await super().run(dispatcher, tracker, domain)
        except Exception:
            logger.exception("validate_autodiagnostic_form failed")
            dispatcher.utter_message(text=TECHNICAL_ERROR)
            return []

    def _facts_from_message(self, tracker: Tracker) -> list[EventType]:
        """Facts of this profile that the latest message states, as slot events."""
        text = latest_text(tracker)
        if not text or text.startswith("/"):
            return []
        knowledge = self.engine.knowledge
        pending = tracker.get_slot(CURRENT_FACT_SLOT)
        if tracker.get_slot("requested_slot") != ANSWER_SLOT or pending_amount_of(tracker):
            pending = None  # a bare amount answers only the fact question on screen
        reading = read_facts(self.engine, text, knowledge.facts, pending)
        events: list[EventType] = []
        if reading.incertains:
            # Never guessed: asked about by name, one at a time, before the next fact.
            unclear = reading.incertains[0]
            events.append(
                SlotSet(
                    PENDING_AMOUNT_SLOT,
                    {
                        "valeur": unclear.valeur,
                        "faits": list(unclear.faits),
                        "tour": user_turn(tracker),
                    },
                )
            )
        found = reading.faits
        if not found:
            return events
        facts = {**facts_of(tracker), **found}
        unknown = [u for u in unknown_of(tracker) if u not in found]
        inferred = {k: v for k, v in inferred_of(tracker).items() if k not in found}
        return [
            SlotSet(FACTS_SLOT, facts),
            SlotSet(UNKNOWN_SLOT, unknown),
            SlotSet(INFERRED_SLOT, inferred),
            *events,
        ]

    def _acknowledge_side_facts(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """While a question is pending, say which other facts the message gave ("en fait 30
        véhicules"), or that the profile changed ("et pour un département ?"): the pending
        question is then asked again rather than the message misread as its answer."""
        if tracker.get_slot("requested_slot") != ANSWER_SLOT:
            return
        knowledge = self.engine.knowledge
        side = {
            key: value
            for key, value in self._stated(tracker).items()
            if key != tracker.get_slot(CURRENT_FACT_SLOT)
        }
        noted = [
            f"{knowledge.facts[key].libelle} : {format_fact_value(knowledge.facts[key], value)}"
            for key, value in side.items()
        ]
        if not side:  # "30 véhicules" also names the category: a profile change comes alone
            for kind, labels, intro in (
                ("establishment_type", knowledge.etablissements, "établissement"),
                ("purchase_category", knowledge.categories, "achat"),
            ):
                value = latest_entity(tracker, kind)
                if value is not None and value in labels:
                    noted.append(f"{intro} : {labels.label(value).lower()}")
        if noted:
            dispatcher.utter_message(text=f"C'est noté : {' ; '.join(noted)}.")

    def _profile_changed(self, tracker: Tracker) -> bool:
        return any(
            latest_entity(tracker, kind) for kind in ("establishment_type", "purchase_category")
        )

    def _place_only_start(self, tracker: Tracker) -> bool:
        """True when this message gives only a place, no profile is known, and the form is being
        activated by it (not answering one of its questions)."""
        if tracker.active_loop_name is not None or profile_of(tracker) is not None:
            return False
        return is_place_only(latest_intent(tracker), list(latest_entities(tracker)))

    def _note_place(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """Say the place is noted (named when it resolves to one place) and offer the menu."""
        try:
            place = self._territories_factory().resolve_parts(
                postal_code=latest_entity(tracker, "postal_code"),
                department=latest_entity(tracker, "department"),
                region=latest_entity(tracker, "region"),
                city=latest_entity(tracker, "city"),
            )
            text = f"C'est noté : {place.libelle}."
        except PlaceError:
            text = "C'est noté."
        dispatcher.utter_message(text=text)
        dispatcher.utter_message(response="utter_help")

    def _infer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """Infer the population of the buyer's commune or EPCI when it decides an obligation; a
        fact the user gave is never replaced. The inferred figure is said with its source."""
        profile = profile_of(tracker)
        if profile is None:
            return []
        asked = (
            tracker.get_slot("requested_slot") == ANSWER_SLOT
            and tracker.get_slot(CURRENT_FACT_SLOT) == POPULATION
        )
        if asked and re.search(r"\d", latest_text(tracker)):
            return []  # "Pessac, 40 000": the user's own figure, read by validate_diag_fact_answer
        facts, inferred = facts_of(tracker), inferred_of(tracker)

        def text_slot(name: str) -> str | None:
            value = tracker.get_slot(name)
            return str(value) if isinstance(value, (str, int)) and str(value) else None

        inference = infer_population(
            self._territories_factory(),
            profile[0],
            city=text_slot("city"),
            postal_code=text_slot("postal_code"),
            department=text_slot("department"),
            text=latest_text(tracker),
        )
        update = update_inferred(
            self.engine, *profile, facts, inferred, unknown_of(tracker), inference
        )
        if not update.changed(facts, inferred):
            return []
        if update.annonce:
            dispatcher.utter_message(text=update.annonce)
        return [
            SlotSet(FACTS_SLOT, update.faits),
            SlotSet(INFERRED_SLOT, update.deduits),
            SlotSet(UNKNOWN_SLOT, update.inconnus),
        ]

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The profile slots, then `diag_fact_answer` only while a deciding fact is missing or
        an amount waits to be tied to its fact."""
        profile = profile_of(tracker)
        needed = profile is not None and (
            pending_amount_of(tracker) is not None
            or next_fact(self.engine, *profile, facts_of(tracker), unknown_of(tracker)) is not None
        )
        return [slot for slot in domain_slots if slot != ANSWER_SLOT or needed]

    def validate_establishment_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep a known establishment type only."""
        if value in self.engine.knowledge.etablissements:
            return {"establishment_type": value}
        dispatcher.utter_message(text="Je n'ai pas reconnu ce type d'établissement.")
        return {"establishment_type": None}

    def validate_purchase_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep a known purchase category only."""
        if value in self.engine.knowledge.categories:
            return {"purchase_category": value}
        dispatcher.utter_message(text="Je n'ai pas reconnu cette catégorie d'achat.")
        return {"purchase_category": None}

    def validate_diag_fact_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Store the answer to the fact asked; "je ne sais pas" leaves it to confirm; an unreadable
        or vague answer is re-asked with an example (the slot stays empty)."""
        unclear = pending_amount_of(tracker)
        if unclear is not None:
            return self._tie_amount(unclear, dispatcher, tracker)
        fact = tracker.get_slot(CURRENT_FACT_SLOT)
        if not isinstance(fact, str) or fact not in self.engine.knowledge.facts:
            return {ANSWER_SLOT: None}
        text = latest_text(tracker)
        unknown = unknown_of(tracker)
        if latest_intent(tracker) == "dont_know" or is_dont_know(text):
            dispatcher.utter_message(
                text="D'accord : je laisse les obligations qui en dépendent « à confirmer »."
            )
            return {
                ANSWER_SLOT: None,
                UNKNOWN_SLOT: [*unknown, fact] if fact not in unknown else unknown,
            }
        facts = facts_of(tracker)
        stated = self._stated(tracker)
        if fact in facts and fact in stated:
            return {ANSWER_SLOT: None}  # already read from the sentence by `run`
        if stated or self._profile_changed(tracker):
            return {ANSWER_SLOT: None}  # another fact or a new profile: the question is re-asked
        amount = latest_entity(tracker, "amount")
        raw = amount if amount and self.engine.knowledge.facts[fact].type == "montant" else text
        try:
            answer = read_answer(self.engine, fact, raw)
        except EngineError as error:
            dispatcher.utter_message(text=error.message)
            return {ANSWER_SLOT: None}
        return {
            ANSWER_SLOT: None,
            FACTS_SLOT: {**facts, fact: answer},
            UNKNOWN_SLOT: [u for u in unknown if u != fact],
            INFERRED_SLOT: {k: v for k, v in inferred_of(tracker).items() if k != fact},
        }

    def _tie_amount(
        self, unclear: dict[str, Any], dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """The answer to "Les 2 M€ … correspondent-ils à … ou à … ?": a button, or words naming
        one of the facts ("le marché"); "je ne sais pas" drops the amount."""
        if unclear.get("tour") == user_turn(tracker):
            return {ANSWER_SLOT: None}  # raised by this very message: the question comes next
        among = [str(key) for key in unclear["faits"] if key in self.engine.knowledge.facts]
        text = latest_text(tracker)
        choice = latest_entity(tracker, "diag_fact")
        if choice not in among:
            choice = (
                None if text.startswith("/") else fact_named(self.engine.knowledge, text, among)
            )
        if choice is None:
            if latest_intent(tracker) == "dont_know" or is_dont_know(text):
                dispatcher.utter_message(text="D'accord : je ne tiens pas compte de ce montant.")
                return {ANSWER_SLOT: None, PENDING_AMOUNT_SLOT: None}
            dispatcher.utter_message(text="Je n'ai pas compris à quoi correspond ce montant.")
            return {ANSWER_SLOT: None}
        try:
            value = self.engine.check_fact(choice, unclear["valeur"])
        except EngineError as error:
            dispatcher.utter_message(text=error.message)
            return {ANSWER_SLOT: None, PENDING_AMOUNT_SLOT: None}
        return {
            ANSWER_SLOT: None,
            PENDING_AMOUNT_SLOT: None,
            FACTS_SLOT: {**facts_of(tracker), choice: value},
            UNKNOWN_SLOT: [u for u in unknown_of(tracker) if u != choice],
            INFERRED_SLOT: {k: v for k, v in inferred_of(tracker).items() if k != choice},
        }

    def _stated(self, tracker: Tracker) -> dict[str, Any]:
        """The facts the latest message states clearly, by key."""
        text = latest_text(tracker)
        if not text or text.startswith("/"):
            return {}
        knowledge = self.engine.knowledge
        return dict(
            facts_in_text(self.engine, text, knowledge.facts, tracker.get_slot(CURRENT_FACT_SLOT))
        )

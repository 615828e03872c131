"""HandoffPolicy: relay after each user message while a ticket is open, listen after the relay,
and abstain otherwise (no model needed: a small domain and trackers)."""

from __future__ import annotations

from pathlib import Path

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_components.handoff_policy import HANDOFF_PRIORITY, RELAY_ACTION, HandoffPolicy

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet]
slots:
  handoff_ticket:
    type: any
    influence_conversation: false
    mappings: [{type: custom}]
responses:
  utter_greet: [{text: "Bonjour"}]
actions: [action_relay_to_hotline]
"""
)


def policy(tmp_path: Path) -> HandoffPolicy:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    return HandoffPolicy.create(
        HandoffPolicy.get_default_config(), storage, Resource("handoff"), context
    )


def predicted(tmp_path: Path, events: list[Event]) -> str | None:
    tracker = DialogueStateTracker.from_events("u", events, slots=DOMAIN.slots)
    prediction = policy(tmp_path).predict_action_probabilities(tracker, DOMAIN)
    assert prediction.policy_priority == HANDOFF_PRIORITY
    best = max(prediction.probabilities)
    return DOMAIN.action_names_or_texts[prediction.probabilities.index(best)] if best else None


def test_it_relays_after_a_user_message_while_a_ticket_is_open(tmp_path: Path) -> None:
    events = [SlotSet("handoff_ticket", 3), ActionExecuted("action_listen"), UserUttered("salut")]
    assert predicted(tmp_path, events) == RELAY_ACTION


def test_it_listens_after_the_relay(tmp_path: Path) -> None:
    events = [
        SlotSet("handoff_ticket", 3),
        ActionExecuted("action_listen"),
        UserUttered("salut"),
        ActionExecuted(RELAY_ACTION),
    ]
    assert predicted(tmp_path, events) == "action_listen"


def test_it_abstains_without_a_ticket(tmp_path: Path) -> None:
    events = [ActionExecuted("action_listen"), UserUttered("salut")]
    assert predicted(tmp_path, events) is None

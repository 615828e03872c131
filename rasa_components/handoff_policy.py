"""Dialogue policy that hands a conversation to the hotline while a ticket is open.

While the `handoff_ticket` slot holds a ticket number, every user message is answered by
`action_relay_to_hotline` (which adds it to the ticket and shows the agent's replies), then the
bot listens: no other policy speaks. The action clears the slot once the agent has closed the
ticket, and the conversation goes back to the usual policies. Nothing to learn.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

TICKET_SLOT = "handoff_ticket"
RELAY_ACTION = "action_relay_to_hotline"
HANDOFF_PRIORITY = 7
"""Above RulePolicy (6): a rule or the fallback must not answer a conversation the hotline holds."""


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class HandoffPolicy(Policy):
    """Predicts the relay action after each user message while a hand-over ticket is open."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Default configuration: the priority that beats the rules."""
        return {"priority": HANDOFF_PRIORITY}

    def train(self, training_trackers: Any, domain: Domain, **kwargs: Any) -> Resource:
        """Nothing to learn: the behaviour is fixed."""
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """Relay after a user message, listen after the relay; abstain without a ticket."""
        probabilities = self._default_predictions(domain)
        if tracker.get_slot(TICKET_SLOT) and RELAY_ACTION in domain.action_names_or_texts:
            latest = tracker.latest_action_name
            wanted = RELAY_ACTION if latest == ACTION_LISTEN_NAME else ACTION_LISTEN_NAME
            probabilities[domain.index_for_action(wanted)] = 1.0
        return self._prediction(probabilities)

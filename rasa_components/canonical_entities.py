"""NLU component that gives every entity its canonical CONTRACT value."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.entities import extract, get_gazetteer, merge


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class CanonicalEntityExtractor(GraphComponent):
    """Finds closed-list entities whole and canonical; merges DIET's free-form ones.

    Runs after DIET and the synonym mapper: it knows the intent (which decides whether
    "département" is a place or the buyer's kind of authority) and overrides DIET on overlaps.
    """

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CanonicalEntityExtractor:
        """Create the component and build the gazetteer once, at model load."""
        get_gazetteer()
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Replace the message's entities with the canonical, merged list."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            intent = (message.get(INTENT) or {}).get("name")
            ours = extract(text, intent=intent)
            message.set(ENTITIES, merge(message.get(ENTITIES, []), ours), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to learn."""
        return training_data

"""NLU component that corrects the intent where the classifier cannot be trusted."""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu_guard import FACTS_ONLY_CONFIDENCE, is_facts_only, is_gibberish
from bot.text import has_letters

logger = logging.getLogger(__name__)

OUT_OF_SCOPE = "out_of_scope"
INFORM = "inform"
FALLBACK = "nlu_fallback"
_VOCABULARY_FILE = "vocabulary.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class InputGuard(GraphComponent):
    """Three corrections, applied after the FallbackClassifier:

    - a message without a letter or a digit (empty, emoji, punctuation) is out of scope;
    - a message none of whose words was ever seen in training nor is known to spaCy's French
      vocabulary ("zzzzzz", "qsdfgh") is out of scope: DIET would otherwise pick an intent
      with full confidence;
    - a message the classifier hesitated on that holds only facts (entities and filler words,
      "code postal 20090", "tenues de travail") is `inform`, as CONTRACT §2 defines it.
    """

    def __init__(
        self, model_storage: ModelStorage, resource: Resource, vocabulary: frozenset[str]
    ) -> None:
        """Create the guard with the words seen in training."""
        self._model_storage = model_storage
        self._resource = resource
        self._vocabulary = vocabulary

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InputGuard:
        """Create an untrained guard."""
        return cls(model_storage, resource, frozenset())

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> InputGuard:
        """Load the guard and its training vocabulary."""
        vocabulary: list[str] = []
        try:
            with model_storage.read_from(resource) as directory:
                vocabulary = json.loads((directory / _VOCABULARY_FILE).read_text("utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("InputGuard: vocabulaire absent du modèle, contrôle désactivé.")
        return cls(model_storage, resource, frozenset(vocabulary))

    def train(self, training_data: TrainingData) -> Resource:
        """Remember every word of the training examples."""
        from bot.text import fold

        words = sorted(
            {
                word
                for m in training_data.training_examples
                for word in fold(m.get(TEXT) or "").split()
            }
        )
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _VOCABULARY_FILE).write_text(
                json.dumps(words, ensure_ascii=False), "utf-8"
            )
        self._vocabulary = frozenset(words)
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to add to the training data."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Correct the intent of the messages that need it."""
        for message in messages:
            text = message.get(TEXT) or ""
            if not isinstance(text, str) or text.startswith("/"):
                continue  # button payloads carry their own intent
            entities = message.get(ENTITIES) or []
            if not has_letters(text) or (
                not entities and is_gibberish(text, self._vocabulary, self._spacy_known(message))
            ):
                self._set_intent(message, OUT_OF_SCOPE, 1.0)
            elif (message.get(INTENT) or {}).get("name") == FALLBACK and is_facts_only(
                text, entities
            ):
                self._set_intent(message, INFORM, FACTS_ONLY_CONFIDENCE)
        return messages

    @staticmethod
    def _spacy_known(message: Message) -> set[str]:
        doc = message.get(SPACY_DOCS[TEXT])
        if doc is None:
            return set()
        return {token.lower_ for token in doc if token.has_vector}

    @staticmethod
    def _set_intent(message: Message, name: str, confidence: float) -> None:
        intent = {"name": name, "confidence": confidence}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)

"""The NLU training data and the held-out test set meet the bar set by the foundation issue."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_INTENTS = [
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "help", "out_of_scope",
    "inform", "ask_obligations", "ask_levers", "find_facilitator", "find_green_desk",
    "book_spaser", "cancel_booking", "check_booking", "human_handoff",
]  # fmt: skip
FAQ_KEYS = [
    "spaser", "pnad", "marche_inclusion", "rapidd", "clause_verte", "guide_social",
    "egalite_femmes_hommes", "guichet_vert", "facilitateur", "marches_reserves", "ma_cantine",
    "autodiagnostic",
]  # fmt: skip


@pytest.fixture(scope="module")
def training() -> TrainingData:
    return load_data(str(ROOT / "data" / "nlu"))


@pytest.fixture(scope="module")
def held_out() -> TrainingData:
    return load_data(str(ROOT / "tests" / "nlu"))


def _counts(data: TrainingData) -> Counter[str]:
    return Counter(m.get("intent_response_key") or m.get("intent") for m in data.intent_examples)


# Intents added after the contract (issue 8: "qu'est-ce qui change en 2027 ?").
EXTRA_INTENTS = ["ask_changes"]


@pytest.mark.parametrize("intent", CONTRACT_INTENTS + EXTRA_INTENTS)
def test_each_intent_has_40_training_and_10_held_out_examples(
    intent: str, training: TrainingData, held_out: TrainingData
) -> None:
    assert _counts(training)[intent] >= 40
    assert _counts(held_out)[intent] >= 10


@pytest.mark.parametrize("key", FAQ_KEYS)
def test_each_faq_answer_has_examples(
    key: str, training: TrainingData, held_out: TrainingData
) -> None:
    assert _counts(training)[f"faq/{key}"] >= 10
    assert _counts(held_out)[f"faq/{key}"] >= 3


def test_no_held_out_sentence_is_in_the_training_data(
    training: TrainingData, held_out: TrainingData
) -> None:
    def texts(data: TrainingData) -> set[str]:
        return {str(m.get("text")).strip().lower() for m in data.intent_examples}

    leaked = texts(held_out) & texts(training)
    assert not leaked, sorted(leaked)[:10]

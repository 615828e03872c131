"""Tests on the trained model (run by `make test` after `make train`)."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator

import pytest

from tests.conversation import ROOT, Bot, running_bot

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    yield from running_bot(tmp_path_factory.mktemp("e2e"))


def test_the_model_was_trained_with_spacy_3_8_and_the_french_model() -> None:
    # Rasa 3.6 declares spaCy < 3.5; this proves the pinned spaCy 3.8 + fr_core_news_md trains.
    import spacy
    from rasa.model import get_latest_model

    assert spacy.__version__.startswith("3.8")
    model = get_latest_model(str(ROOT / "models"))
    assert model is not None
    with tarfile.open(model) as archive:
        metadata = json.load(archive.extractfile("metadata.json"))  # type: ignore[arg-type]
    components = json.dumps(metadata["predict_schema"])
    assert "SpacyNLP" in components and "fr_core_news_md" in components


def test_greeting_has_the_privacy_notice_and_the_menu(bot: Bot) -> None:
    messages = bot.conversation().say("Bonjour !")
    text = " ".join(m.get("text", "") for m in messages)
    assert "données personnelles" in text
    assert any(m.get("buttons") for m in messages)


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "😀🎉👍",
        "?!?!",
        "x" * 10_000,
        "bonjour " * 1_500,
        "<script>alert('xss')</script>",
        "'; DROP TABLE sessions; --",
        "SELECT * FROM bookings WHERE 1=1",
        "What is the weather like in London today?",
        "¿Dónde está la biblioteca?",
        "asdkjh qwe zxcmnb",
    ],
)
def test_bad_input_gets_a_polite_french_answer(bot: Bot, message: str) -> None:
    messages = bot.conversation().say(message)
    text = " ".join(m.get("text", "") or "" for m in messages)
    assert text, f"aucune réponse à {message[:40]!r}"
    assert "Traceback" not in text and "Error" not in text
    # French, with vouvoiement: every fallback and redirect asks or offers something.
    assert any(word in text for word in ("vous", "Vous", "Voici", "Vouliez")), text

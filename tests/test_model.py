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


def test_triage_of_a_caller_s_description_through_the_trained_model(bot: Bot) -> None:
    # As a caller would describe it on the phone: several facts, a place, a typo.
    from bot.triage import Triager

    text = (
        "Bonjour, je travaille au service achats d'un départment, le Finistère, on va "
        "relancer le marché de restauration des collèges, environ 3500 repas par jour"
    )
    parse = bot.loop.run_until_complete(bot.agent.parse_message(text))
    data = Triager().triage(text, parse).to_json()
    assert data["intent"] in ("ask_obligations", "inform")
    assert data["entites"]["purchase_category"] == "restauration_collective"
    assert data["entites"]["department"] == "29"
    assert data["entites"]["region"] == "bretagne"
    assert "egalim_qualite_durable" in data["obligations"]


def test_triage_command_prints_the_contract_json() -> None:
    import os
    import subprocess
    import sys

    completed = subprocess.run(
        [sys.executable, "-m", "bot", "triage", "--json",
         "Je cherche un facilitateur des clauses sociales à Lille pour un marché de nettoyage"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-2000:]
    data = json.loads(completed.stdout)
    assert data["intent"] == "find_facilitator"
    assert data["entites"]["department"] == "59"
    assert data["orientation"]["type"] == "facilitateur"
    assert data["resume"]
    empty = subprocess.run(
        [sys.executable, "-m", "bot", "triage", "  "], cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert empty.returncode == 2 and empty.stdout == "" and "vide" in empty.stderr

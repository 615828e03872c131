"""The autodiagnostic conversation logic (bot/diagnostic.py) and the recap (bot/recap.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.diagnostic import (
    facts_in_text,
    find_obligation,
    is_dont_know,
    listing,
    next_fact,
    read_answer,
)
from bot.engine import Engine, EngineError
from bot.knowledge import get_knowledge
from bot.recap import build_recap

TODAY = dt.date(2026, 11, 30)


@pytest.fixture()
def engine() -> Engine:
    return Engine(get_knowledge())


def test_facts_stated_in_a_sentence(engine: Engine) -> None:
    text = "on a 35 véhicules légers, 60 M€ d'achats par an et une rénovation de 1 200 m²"
    assert facts_in_text(engine, text, engine.knowledge.facts) == {
        "taille_flotte": 35,
        "montant_achats_annuel": 60_000_000,
        "nature_travaux": "renovation",
        "surface_m2": 1200,
    }


def test_a_bare_amount_needs_a_cue_or_the_question_asked(engine: Engine) -> None:
    assert facts_in_text(engine, "250 000 €", engine.knowledge.facts) == {}
    assert facts_in_text(engine, "250 000 €", engine.knowledge.facts, "montant_marche") == {
        "montant_marche": 250_000
    }
    assert facts_in_text(engine, "un marché de 300 k€", engine.knowledge.facts) == {
        "montant_marche": 300_000
    }


def test_vague_mentions_are_not_guessed(engine: Engine) -> None:
    assert facts_in_text(engine, "une vingtaine de véhicules", engine.knowledge.facts) == {}
    assert facts_in_text(engine, "rénovation ou construction ?", engine.knowledge.facts) == {}


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("taille_flotte", "30", 30),
        ("taille_flotte", "nous en avons 25", 25),
        ("montant_achats_annuel", "environ 60 M€", 60_000_000),
        ("nature_travaux", "Rénovation", "renovation"),
        ("nature_travaux", "c'est une démolition", "demolition"),
        ("repas_par_jour", "250 repas", 250),
    ],
)
def test_read_answer(engine: Engine, key: str, text: str, value: object) -> None:
    assert read_answer(engine, key, text) == value


def test_read_answer_refuses_vague_values_with_an_example(engine: Engine) -> None:
    with pytest.raises(EngineError, match="par exemple"):
        read_answer(engine, "taille_flotte", "beaucoup")


def test_dont_know() -> None:
    assert (
        is_dont_know("Je ne sais pas")
        and is_dont_know("/dont_know")
        and is_dont_know("aucune idée")
    )
    assert not is_dont_know("30")


def test_next_fact_skips_unknown_ones(engine: Engine) -> None:
    assert next_fact(engine, "commune", "vehicules", {}, [], TODAY) == "montant_achats_annuel"
    unknown = ["montant_achats_annuel", "montant_marche"]
    assert next_fact(engine, "commune", "vehicules", {}, unknown, TODAY) == "taille_flotte"
    facts = {"montant_achats_annuel": 1, "montant_marche": 1}
    assert next_fact(engine, "commune", "espaces_verts", facts, [], TODAY) is None


def test_find_obligation_by_keyword(engine: Engine) -> None:
    knowledge = engine.knowledge
    assert find_obligation(knowledge, "pourquoi le SPASER ?") == "spaser"
    assert (
        find_obligation(knowledge, "et le plastique à usage unique ?")
        == "agec_plastique_usage_unique_etat"
    )
    assert find_obligation(knowledge, "bonjour") is None
    assert find_obligation(knowledge, "et le bus ?", among=["spaser"]) is None


def test_listing_groups_and_ends_with_the_reminder(engine: Engine) -> None:
    result = engine.evaluate(
        "commune", "travaux_batiment", {"nature_travaux": "construction"}, TODAY
    )
    replies = listing(engine.knowledge, result)
    text = "\n".join(r.text for r in replies)
    assert text.index("— En vigueur —") < text.index("— À venir —") < text.index("— À confirmer —")
    assert "S'appliquera à partir du 1er janvier 2030" in text
    assert "pas un conseil juridique" in replies[-1].text


def test_recap_is_plain_text_with_references_levers_and_date(engine: Engine) -> None:
    result = engine.evaluate(
        "commune",
        "restauration_collective",
        {"repas_par_jour": 250},
        TODAY,
        {"repas_par_jour": "estimation"},
    )
    recap = build_recap(engine.knowledge, result, ["montant_achats_annuel"])
    assert "EN VIGUEUR" in recap and "À CONFIRMER" in recap
    assert "https://www.legifrance.gouv.fr/" in recap
    assert "Leviers d'action" in recap
    assert "déduit : estimation" in recap
    assert "Non renseigné : le montant annuel de vos achats" in recap
    assert recap.rstrip().endswith("Base de connaissances vérifiée le 30 novembre 2026.")

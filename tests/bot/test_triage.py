"""Triage (CONTRACT §4) from a parse dict: places resolved, obligations from the engine,
orientation and the hotline summary. The model's parse is faked here; tests/test_model.py
runs the same code on the trained model."""

from __future__ import annotations

from typing import Any

import pytest

from bot.engine import get_engine
from bot.triage import Triager


def parse(intent: str, confidence: float = 0.9, **entities: str) -> dict[str, Any]:
    return {
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "entities": [{"entity": k, "value": v} for k, v in entities.items()],
    }


@pytest.fixture(scope="module")
def triager() -> Triager:
    return Triager()


def test_the_json_has_the_contract_keys_and_canonical_entities(triager: Triager) -> None:
    text = "Mairie de Talence : nous renouvelons nos véhicules, 30 voitures."
    data = triager.triage(
        text, parse("ask_obligations", establishment_type="commune", city="Talence",
                    purchase_category="vehicules")
    ).to_json()  # fmt: skip
    assert set(data) == {"intent", "confiance", "entites", "obligations", "orientation", "resume"}
    assert data["intent"] == "ask_obligations" and data["confiance"] == 0.9
    # The commune named gives its department and region.
    assert data["entites"]["department"] == "33"
    assert data["entites"]["region"] == "nouvelle_aquitaine"
    # The fleet of 30 said in the text decides the vehicle quota: applicable.
    assert "vehicules_faibles_emissions" in data["obligations"]
    assert data["orientation"]["type"] == "guichet_vert"
    assert data["orientation"]["contacts"], "Nouvelle-Aquitaine has a guichet vert (3AR)"
    assert "Talence" in data["resume"] and "30" in data["resume"]


def test_obligations_are_the_engine_s_applicable_and_to_confirm_ones(triager: Triager) -> None:
    data = triager.triage(
        "une commune, restauration scolaire",
        parse("ask_obligations", establishment_type="commune",
              purchase_category="restauration_collective"),
    ).to_json()  # fmt: skip
    result = get_engine().evaluate("commune", "restauration_collective")
    expected = [r.obligation.id for r in result.obligations if r.statut != "a_venir"]
    assert data["obligations"] == expected
    assert "egalim_qualite_durable" in data["obligations"]
    # A fact the engine still needs is in the summary as a question for the agent.
    assert "À demander" in data["resume"]


def test_a_postal_code_gives_department_and_region(triager: Triager) -> None:
    data = triager.triage(
        "guichet vert pour le 59000", parse("find_green_desk", postal_code="59000")
    ).to_json()
    assert data["entites"]["department"] == "59"
    assert data["entites"]["region"] == "hauts_de_france"
    assert data["orientation"]["type"] == "guichet_vert"


def test_corsica_postal_code_resolves_to_its_department(triager: Triager) -> None:
    data = triager.triage("20200", parse("find_facilitator", postal_code="20200")).to_json()
    assert data["entites"]["department"] == "2B"
    assert data["entites"]["region"] == "corse"
    assert data["orientation"]["type"] == "facilitateur"


def test_social_needs_route_to_the_facilitator(triager: Triager) -> None:
    data = triager.triage(
        "On veut mettre une clause d'insertion dans un marché de travaux en Gironde",
        parse("ask_levers", department="33", purchase_category="travaux_batiment"),
    ).to_json()
    assert data["orientation"]["type"] == "facilitateur"
    assert data["obligations"] == []  # no establishment type: nothing guessed
    assert "type d'établissement" in data["resume"]


def test_without_a_place_no_contact_and_the_agent_is_told_to_ask(triager: Triager) -> None:
    data = triager.triage("je cherche un guichet vert", parse("find_green_desk")).to_json()
    assert data["orientation"] == {"type": "guichet_vert", "contacts": []}
    assert "demandez où" in data["resume"]


def test_an_ambiguous_or_unknown_place_is_reported_not_guessed(triager: Triager) -> None:
    ambiguous = triager.triage("Saint-Denis", parse("find_green_desk", city="Saint-Denis"))
    assert "department" not in ambiguous.entites
    assert "ambigu" in ambiguous.resume
    unknown = triager.triage("99999", parse("find_green_desk", postal_code="99999"))
    assert "department" not in unknown.entites
    assert "non reconnu" in unknown.resume


def test_the_fallback_marker_gives_way_to_the_best_guess(triager: Triager) -> None:
    data = triager.triage(
        "euh les règles",
        {
            "intent": {"name": "nlu_fallback", "confidence": 0.55},
            "intent_ranking": [
                {"name": "nlu_fallback", "confidence": 0.55},
                {"name": "ask_obligations", "confidence": 0.41},
                {"name": "help", "confidence": 0.30},
            ],
            "entities": [],
        },
    ).to_json()
    assert data["intent"] == "ask_obligations" and data["confiance"] == 0.41


def test_a_greeting_before_the_request_is_not_the_need(triager: Triager) -> None:
    data = triager.triage(
        "Bonjour, quelles obligations pour nos véhicules ?",
        {
            "intent": {"name": "greet", "confidence": 0.6},
            "intent_ranking": [
                {"name": "greet", "confidence": 0.6},
                {"name": "thank", "confidence": 0.2},
                {"name": "ask_obligations", "confidence": 0.15},
            ],
            "entities": [],
        },
    ).to_json()
    assert data["intent"] == "ask_obligations"


def test_a_question_on_what_changes_is_reported_as_ask_obligations(triager: Triager) -> None:
    data = triager.triage(
        "qu'est-ce qui change en 2027 pour une commune ?",
        parse("ask_changes", establishment_type="commune"),
    ).to_json()
    assert data["intent"] == "ask_obligations"

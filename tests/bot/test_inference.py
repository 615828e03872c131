"""Inferring the population of the buyer's commune or EPCI from the official tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine, get_engine
from bot.inference import (
    POPULATION,
    apply_territoire,
    data_version,
    find_commune,
    find_epci,
    infer_population,
    infer_territoire,
    is_place_only,
    update_inferred,
)
from bot.territory import Territories, load_territories


@pytest.fixture(scope="module")
def territories() -> Territories:
    return load_territories()


@pytest.fixture(scope="module")
def engine() -> Engine:
    return get_engine()


def pessac_population(territories: Territories) -> int:
    population = territories.communes["33318"].population
    assert population is not None and population > 50_000
    return population


def test_a_named_commune_gives_its_insee_population_with_source_and_version(
    territories: Territories,
) -> None:
    inference = infer_population(territories, "commune", city="Pessac")
    assert inference is not None
    assert inference.valeur == pessac_population(territories)
    assert inference.phrase.startswith("D'après la population légale INSEE (COG 2026, ")
    figure = f"{inference.valeur:,}".replace(",", " ")
    assert f"Pessac compte {figure} habitants" in inference.phrase
    assert "@etalab/decoupage-administratif 6.0.0" in inference.source
    assert "Pessac (Gironde, 33)" in inference.source
    assert "« en fait nous sommes 40 000 habitants »" in inference.phrase


def test_a_postal_code_of_a_single_commune_is_enough(territories: Territories) -> None:
    inference = infer_population(territories, "commune", postal_code="33600")
    assert inference is not None and inference.valeur == pessac_population(territories)


def test_a_homonym_is_not_guessed_unless_the_department_picks_it(
    territories: Territories,
) -> None:
    assert infer_population(territories, "commune", city="Saint-Denis") is None
    in_93 = infer_population(territories, "commune", city="Saint-Denis", department="93")
    assert in_93 is not None and "Seine-Saint-Denis, 93" in in_93.source
    # A stale department from earlier in the conversation does not block a unique name.
    assert find_commune(territories, city="Pessac", department="75") is not None


def test_a_postal_code_shared_by_several_communes_is_not_guessed(
    territories: Territories,
) -> None:
    shared = territories.communes_by_postal_code("51300")
    assert len(shared) > 1
    assert infer_population(territories, "commune", postal_code="51300") is None
    # …unless the commune's name is given too.
    chosen = find_commune(territories, postal_code="51300", city=shared[0].nom)
    assert chosen == shared[0]


def test_an_unknown_commune_or_a_place_without_commune_infers_nothing(
    territories: Territories,
) -> None:
    assert infer_population(territories, "commune", city="Pessak") is None
    assert infer_population(territories, "commune", department="33") is None
    assert infer_population(territories, "commune", postal_code="98000") is None  # Monaco


def test_an_epci_is_matched_by_its_name_not_by_a_member_commune(
    territories: Territories,
) -> None:
    epci = find_epci(territories, "nous sommes la communauté d'agglomération du Grand Angoulême")
    assert epci is not None and epci.nom == "CA du Grand Angoulême"
    inference = infer_population(territories, "epci", text="je travaille à Bordeaux Métropole")
    assert inference is not None
    assert inference.valeur == territories.epcis["243300316"].population
    assert "Bordeaux Métropole compte" in inference.phrase
    assert infer_population(territories, "epci", city="Pessac", text="Pessac") is None


def test_other_profiles_infer_nothing(territories: Territories) -> None:
    assert infer_population(territories, "departement", city="Pessac") is None


def test_the_inferred_population_fills_the_fact_the_engine_would_ask(
    territories: Territories, engine: Engine
) -> None:
    inference = infer_population(territories, "commune", city="Pessac")
    update = update_inferred(engine, "commune", "informatique", {}, {}, ["population"], inference)
    assert update.faits == {POPULATION: pessac_population(territories)}
    assert update.deduits[POPULATION].startswith("population légale INSEE de Pessac")
    assert update.inconnus == []
    assert update.annonce is not None
    result = engine.evaluate("commune", "informatique", update.faits, faits_deduits=update.deduits)
    assert POPULATION not in result.missing_facts()
    strategy = next(r for r in result.obligations if "déduit" in r.pourquoi)
    assert strategy.statut in ("applicable", "a_venir")
    # Same inference next turn: nothing new to say.
    again = update_inferred(
        engine, "commune", "informatique", update.faits, update.deduits, [], inference
    )
    assert again.annonce is None and not again.changed(update.faits, update.deduits)


def test_an_explicit_population_always_wins_over_an_inferred_one(
    territories: Territories, engine: Engine
) -> None:
    inference = infer_population(territories, "commune", city="Pessac")
    update = update_inferred(
        engine, "commune", "informatique", {POPULATION: 40_000}, {}, [], inference
    )
    assert update.faits == {POPULATION: 40_000}
    assert update.deduits == {} and update.annonce is None


def test_an_inferred_population_follows_the_place_and_the_profile(
    territories: Territories, engine: Engine
) -> None:
    pessac = infer_population(territories, "commune", city="Pessac")
    assert pessac is not None
    facts = {POPULATION: pessac.valeur}
    inferred = {POPULATION: pessac.source}
    bordeaux = infer_population(territories, "commune", city="Bordeaux")
    moved = update_inferred(engine, "commune", "informatique", facts, inferred, [], bordeaux)
    assert moved.annonce is not None and "Bordeaux compte" in moved.annonce
    # A commune population says nothing about the buyer's EPCI: dropped, so it is asked.
    now_epci = update_inferred(engine, "epci", "informatique", facts, inferred, [], None)
    assert now_epci.faits == {} and now_epci.deduits == {}
    # Vehicles do not depend on the population: the figure is not quoted.
    vehicles = update_inferred(engine, "commune", "vehicules", facts, inferred, [], pessac)
    assert POPULATION not in vehicles.faits and vehicles.annonce is None


def test_the_data_version_is_read_from_the_provenance_file(tmp_path: Path) -> None:
    provenance = tmp_path / "PROVENANCE.md"
    provenance.write_text("- Paquet : x version **7.1.0** (millésime 2027 du COG)\n")
    assert data_version(provenance) == "COG 2027, @etalab/decoupage-administratif 7.1.0"
    assert data_version(tmp_path / "absent.md") == "tables territoriales de l'assistant"


def test_a_place_only_message_is_recognised() -> None:
    assert is_place_only("inform", ["postal_code"])
    assert is_place_only("inform", ["city", "department"])
    assert not is_place_only("inform", ["postal_code", "establishment_type"])
    assert not is_place_only("inform", [])
    assert not is_place_only("ask_obligations", ["city"])


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ({"department": "971"}, "drom"),
        ({"department": "974"}, "drom"),
        ({"department": "976"}, "mayotte"),
        ({"department": "33"}, "metropole"),
        ({"department": "2A"}, "metropole"),
        ({"postal_code": "97400"}, "drom"),
        ({"postal_code": "97600"}, "mayotte"),
        ({"postal_code": "97500"}, "saint_pierre_et_miquelon"),
        ({"postal_code": "33600"}, "metropole"),
        ({"region": "martinique"}, "drom"),
        ({"region": "bretagne"}, "metropole"),
        ({"postal_code": "97600", "department": "33"}, "mayotte"),  # most precise first
    ],
)
def test_the_territory_is_inferred_from_the_place(place: dict[str, str], expected: str) -> None:
    inference = infer_territoire(**place)
    assert inference is not None and inference.fait == "territoire"
    assert inference.valeur == expected


@pytest.mark.parametrize("place", [{}, {"postal_code": "98000"}, {"postal_code": "97133"}])
def test_no_territory_outside_the_decree_or_without_place(place: dict[str, str]) -> None:
    assert infer_territoire(**place) is None


def test_a_territory_the_user_gave_is_never_replaced() -> None:
    inference = infer_territoire(department="971")
    facts, inferred = apply_territoire({"territoire": "metropole"}, {}, inference)
    assert facts == {"territoire": "metropole"} and inferred == {}
    facts, inferred = apply_territoire(
        {"territoire": "metropole"}, {"territoire": "lieu indiqué : département 33"}, inference
    )
    assert facts == {"territoire": "drom"} and "971" in inferred["territoire"]
    facts, inferred = apply_territoire(facts, inferred, None)
    assert facts == {} and inferred == {}


def test_the_inferred_territory_picks_the_egalim_rate(engine: Engine) -> None:
    inference = infer_territoire(department="972")
    facts, inferred = apply_territoire({}, {}, inference)
    result = engine.evaluate("commune", "restauration_collective", facts, faits_deduits=inferred)
    egalim = result.get("egalim_qualite_durable")
    assert egalim is not None
    assert any("35 %" in p for p in egalim.precisions)
    assert not any("métropole" in p for p in egalim.precisions)
    assert "territoire" in engine.facts_read("commune", "restauration_collective")
    assert "territoire" not in engine.facts_read("commune", "vehicules")

"""Every fact a sentence carries (ISSUE 13, repair 2): all the numbers with their positions
(bot/amounts.py), each tied to its fact by the nearest cue words of the same clause
(knowledge/obligations.yml `indices`), an amount no cue decides asked about by name."""

from __future__ import annotations

import pytest

from bot.amounts import find_mentions, search_text
from bot.diagnostic import Reading, fact_named, read_facts, unclear_amount_question
from bot.engine import Engine
from bot.knowledge import get_knowledge

AMOUNTS = ("montant_achats_annuel", "montant_marche")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(get_knowledge())


def read(engine: Engine, text: str, pending: str | None = None) -> Reading:
    return read_facts(engine, text, engine.knowledge.facts, pending)


def test_mentions_are_found_with_their_unit_and_position() -> None:
    text = "nos achats annuels sont d'environ 30 M€ et ce marché fait 150 000 € HT"
    mentions = find_mentions(text)
    assert [(m.text, m.kind) for m in mentions] == [
        ("30 m€", "montant"),
        ("150 000 € ht", "montant"),
    ]
    plain = search_text(text)
    assert plain[mentions[1].start : mentions[1].end] == "150 000 € ht"
    assert [m.kind for m in find_mentions("25 véhicules, 1 200 m² et 2 ha")] == [
        "nombre",
        "surface",
        "surface",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "nos achats annuels sont d'environ 30 M€ et ce marché fait 150 000 € HT",
        "ce marché fait 150 000 € HT et nos achats annuels sont d'environ 30 M€",
        "30 millions d'euros d'achats par an, un marché de 150 000 euros",
        "un marché de 150 k€ pour 30 M€ d'achats annuels",
        "le marché fait 150 000 € sur 30 000 000 € d'achats",
    ],
)
def test_two_amounts_in_either_order(engine: Engine, text: str) -> None:
    reading = read(engine, text)
    assert reading.faits == {"montant_achats_annuel": 30_000_000, "montant_marche": 150_000}
    assert reading.incertains == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("nos achats annuels : 1,2 M€ HT", 1_200_000),
        ("un budget d'achats de 45 millions d'euros", 45_000_000),
        ("achats annuels de 800 k€", 800_000),
        ("nos achats par an sont de 2 500 000 €", 2_500_000),
    ],
)
def test_commas_units_and_spaces_in_numbers(engine: Engine, text: str, value: int) -> None:
    assert read(engine, text).faits == {"montant_achats_annuel": value}


@pytest.mark.parametrize(
    "text",
    ["25 véhicules et 30 bus", "30 bus et 25 voitures", "une flotte de 25 véhicules, 30 autocars"],
)
def test_a_fleet_and_buses_in_one_sentence(engine: Engine, text: str) -> None:
    assert read(engine, text).faits == {"taille_flotte": 25, "nombre_bus": 30}


def test_an_amount_without_cue_is_asked_about_unless_it_answers_the_question(
    engine: Engine,
) -> None:
    reading = read(engine, "2 M€")
    assert reading.faits == {}
    assert [(u.valeur, u.faits) for u in reading.incertains] == [(2_000_000, AMOUNTS)]
    assert read(engine, "2 M€", pending="montant_marche").faits == {"montant_marche": 2_000_000}
    # A count question pending does not make an amount a count.
    assert read(engine, "2 M€", pending="taille_flotte").faits == {}


def test_an_amount_with_the_cues_of_two_facts_is_not_guessed(engine: Engine) -> None:
    reading = read(engine, "le marché représente 2 M€ de nos achats annuels")
    assert reading.faits == {} and reading.incertains[0].faits == AMOUNTS
    answered = read(engine, "le marché représente 2 M€ de nos achats annuels", "montant_marche")
    assert answered.faits == {"montant_marche": 2_000_000}


def test_two_amounts_with_one_cue(engine: Engine) -> None:
    reading = read(engine, "30 M€ et 150 000 € pour le marché")
    assert reading.faits == {"montant_marche": 150_000}
    assert [(u.valeur, u.faits) for u in reading.incertains] == [(30_000_000, AMOUNTS)]


def test_a_duration_in_the_clause_is_not_a_fact(engine: Engine) -> None:
    assert read(engine, "un marché sur 4 ans de 150 000 € HT").faits == {"montant_marche": 150_000}


def test_bounds_and_vague_words_are_not_taken(engine: Engine) -> None:
    assert read(engine, "plus de 50 M€ d'achats par an") == Reading({}, [])
    assert read(engine, "une vingtaine de véhicules") == Reading({}, [])


def test_the_cues_are_data(engine: Engine) -> None:
    for key in ("montant_achats_annuel", "montant_marche", "taille_flotte", "nombre_bus"):
        assert engine.knowledge.facts[key].indices


def test_the_question_names_the_amount_and_the_facts(engine: Engine) -> None:
    reply = unclear_amount_question(engine.knowledge, 2_000_000, list(AMOUNTS))
    assert reply.text == (
        "Les 2 000 000 € HT que vous indiquez correspondent-ils au montant annuel de vos achats "
        "ou au montant estimé du marché ?"
    )
    assert [b["payload"] for b in reply.buttons] == [
        '/inform{"diag_fact": "montant_achats_annuel"}',
        '/inform{"diag_fact": "montant_marche"}',
        "/dont_know",
    ]
    assert fact_named(engine.knowledge, "c'est le marché", AMOUNTS) == "montant_marche"
    assert fact_named(engine.knowledge, "aucun des deux", AMOUNTS) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("une rénovation de 1 200 m²", {"surface_m2": 1200, "nature_travaux": "renovation"}),
        ("un bâtiment de bureaux de 5 000 m² où l'on rénove 300 m²",
         {"surface_tertiaire": 5000, "surface_m2": 300}),
        ("travaux sur 800 m² dans un site de 4 000 m²",
         {"surface_m2": 800, "surface_tertiaire": 4000}),
        ("la surface tertiaire est de 3 000 m²", {"surface_tertiaire": 3000}),
    ],
)  # fmt: skip
def test_the_works_area_and_the_tertiary_area_are_told_apart(
    engine: Engine, text: str, expected: dict[str, int]
) -> None:
    # Two facts are areas (décret tertiaire vs works): the words around the number decide.
    assert read(engine, text).faits == expected

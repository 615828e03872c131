"""Canonical entity extraction on a small, self-contained gazetteer."""

from __future__ import annotations

import pytest

from bot.entities import Gazetteer, build_gazetteer, canonicalize, extract, merge

VOCABULARIES = {
    "establishment_type": [
        {"id": "commune", "libelle": "Commune", "synonymes": ["mairie", "ville", "municipalité"]},
        {
            "id": "departement",
            "synonymes": ["conseil départemental"],
            "synonymes_contextuels": ["département", "un département", "le département"],
        },
        {
            "id": "region",
            "synonymes": ["conseil régional"],
            "synonymes_contextuels": ["région", "la région"],
        },
        {
            "id": "epci",
            "libelle": "EPCI",
            "synonymes": ["communauté d'agglomération", "communauté de communes"],
            "synonymes_sensibles_casse": ["CA", "CC"],
        },
        {"id": "etablissement_sante", "libelle": "Établissement de santé", "synonymes": ["CHU"]},
    ],
    "purchase_category": [
        {"id": "vehicules", "libelle": "Véhicules", "synonymes": ["voitures", "flotte automobile"]},
        {
            "id": "restauration_collective",
            "synonymes": ["restauration scolaire", "cantine"],
            "synonymes_contextuels": ["restauration"],
        },
        {"id": "travaux_batiment", "synonymes": ["travaux de rénovation", "rénovation"]},
    ],
}
PLACES = [
    ("Gironde", "department", "33", False),
    ("Pas-de-Calais", "department", "62", False),
    ("Nord", "department", "59", True),
    ("Lot", "department", "46", True),
    ("Haute-Corse", "department", "2B", False),
    ("Corse", "region", "corse", False),
    ("Nouvelle-Aquitaine", "region", "nouvelle_aquitaine", False),
    ("Provence-Alpes-Côte d'Azur", "region", "provence_alpes_cote_d_azur", False),
    ("PACA", "region", "provence_alpes_cote_d_azur", False),
    ("La Réunion", "region", "la_reunion", False),
    ("La Réunion", "department", "974", False),
]
COMMUNES = {
    "Calais": 67_000,
    "Talence": 43_000,
    "Lyon": 520_000,
    "Saint-Médard-en-Jalles": 31_000,
    "Sens": 26_000,
}


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return build_gazetteer(
        VOCABULARIES, PLACES, COMMUNES, ["33", "59", "62", "46", "2A", "2B", "974"]
    )


def pairs(text: str, gazetteer: Gazetteer, intent: str | None = None) -> set[tuple[str, str]]:
    return {(e.entity, e.value) for e in extract(text, intent=intent, gazetteer=gazetteer)}


def test_hyphenated_region_is_one_entity(gazetteer: Gazetteer) -> None:
    assert pairs("je suis en Provence-Alpes-Côte d'Azur", gazetteer) == {
        ("region", "provence_alpes_cote_d_azur")
    }


def test_case_accents_and_hyphens_do_not_matter(gazetteer: Gazetteer) -> None:
    assert ("region", "nouvelle_aquitaine") in pairs("en nouvelle aquitaine", gazetteer)
    assert ("department", "2B") in pairs("en haute corse", gazetteer)


def test_one_sentence_with_several_entities(gazetteer: Gazetteer) -> None:
    found = pairs(
        "Je suis acheteuse dans une mairie en Gironde, on lance un marché de restauration scolaire",
        gazetteer,
    )
    assert found == {
        ("establishment_type", "commune"),
        ("department", "33"),
        ("purchase_category", "restauration_collective"),
    }


def test_typos_are_forgiven_only_in_spans_the_model_tagged(gazetteer: Gazetteer) -> None:
    assert canonicalize("establishment_type", "comunauté d'agglomération", gazetteer) == "epci"
    assert canonicalize("establishment_type", "la mairie de Trifouilly", gazetteer) == "commune"
    # On the whole message, a near-miss is an ordinary word, not a typo.
    assert not pairs("la municipalitée", gazetteer) and not pairs(
        "ma vielle voiture", gazetteer
    ) - {("purchase_category", "vehicules")}


def test_ambiguous_names_need_a_capital(gazetteer: Gazetteer) -> None:
    assert ("department", "46") in pairs("je suis dans le Lot", gazetteer)
    assert not pairs("le lot 2 du marché", gazetteer)
    assert ("department", "59") in pairs("un facilitateur dans le Nord", gazetteer)
    assert not pairs("au nord de la ville", gazetteer) - {("establishment_type", "commune")}


def test_acronyms_that_are_common_words_need_upper_case(gazetteer: Gazetteer) -> None:
    assert ("establishment_type", "epci") in pairs("on est une CA", gazetteer)
    assert ("establishment_type", "epci") not in pairs("ça va", gazetteer)


def test_bare_department_number_when_looking_for_a_contact(gazetteer: Gazetteer) -> None:
    assert ("department", "59") in pairs("guichet vert 59", gazetteer, intent="find_green_desk")
    assert not pairs("guichet vert 59", gazetteer, intent="ask_obligations")
    assert not pairs("59", gazetteer, intent="find_green_desk") - {("department", "59")}


def test_department_by_number(gazetteer: Gazetteer) -> None:
    assert ("department", "59") in pairs("un facilitateur dans le 59 svp", gazetteer)
    assert ("department", "2A") in pairs("département 2a", gazetteer)
    assert not any(e == "department" for e, _ in pairs("le 15 janvier", gazetteer))
    assert not any(e == "department" for e, _ in pairs("le 46 véhicules", gazetteer))


def test_departement_word_is_a_place_or_a_type_by_context(gazetteer: Gazetteer) -> None:
    assert ("establishment_type", "departement") in pairs(
        "je travaille pour un département", gazetteer
    )
    assert pairs("dans le département de la Gironde", gazetteer) == {("department", "33")}
    assert ("establishment_type", "region") not in pairs(
        "le guichet vert de la région", gazetteer, intent="find_green_desk"
    )
    assert ("establishment_type", "region") not in pairs("en région Corse", gazetteer)


def test_a_general_word_yields_to_a_precise_one(gazetteer: Gazetteer) -> None:
    assert pairs("la restauration", gazetteer) == {("purchase_category", "restauration_collective")}
    assert pairs("restauration du gymnase, travaux de rénovation", gazetteer) == {
        ("purchase_category", "travaux_batiment")
    }


def test_plural_forms_match(gazetteer: Gazetteer) -> None:
    assert ("purchase_category", "vehicules") in pairs("nos véhicule", gazetteer)
    assert ("establishment_type", "commune") in pairs("les mairies", gazetteer)


def test_la_reunion_is_both_region_and_department(gazetteer: Gazetteer) -> None:
    assert pairs("à La Réunion", gazetteer) >= {("region", "la_reunion"), ("department", "974")}


def test_postal_codes_emails_and_amounts(gazetteer: Gazetteer) -> None:
    found = extract(
        "Code postal 33400, écrivez à marie.dupont@exemple.fr ; budget 1,2 M€ HT",
        gazetteer=gazetteer,
    )
    assert [(e.entity, e.value) for e in found] == [
        ("postal_code", "33400"),
        ("email", "marie.dupont@exemple.fr"),
        ("amount", "1,2 M€ HT"),
    ]


@pytest.mark.parametrize(
    "text",
    ["60 millions d'euros", "500 k€", "deux millions", "50 000 €", "60M€", "1.5 milliard d'euros"],
)
def test_amounts_as_written(text: str, gazetteer: Gazetteer) -> None:
    found = extract(f"nos achats font {text} par an", gazetteer=gazetteer)
    assert [(e.entity, e.value) for e in found] == [("amount", text)]


@pytest.mark.parametrize(
    "text", ["30 véhicules", "60000 habitants", "250 repas par jour", "un marché"]
)
def test_counts_are_not_amounts_nor_postal_codes(text: str, gazetteer: Gazetteer) -> None:
    kinds = {e.entity for e in extract(text, gazetteer=gazetteer)}
    assert not kinds & {"amount", "postal_code"}


def test_city_after_a_cue(gazetteer: Gazetteer) -> None:
    found = extract("je suis à la mairie de Talence", gazetteer=gazetteer)
    assert ("city", "Talence") in {(e.entity, e.value) for e in found}
    assert ("city", "St-Médard-en-Jalles") in pairs("à St-Médard-en-Jalles", gazetteer)


def test_a_commune_inside_a_department_name_is_not_a_city(gazetteer: Gazetteer) -> None:
    assert pairs("facilitateur dans le Pas-de-Calais", gazetteer) == {("department", "62")}
    assert pairs("guichet vert pour Calais", gazetteer) == {("city", "Calais")}


def test_small_commune_names_that_are_words_need_a_capital(gazetteer: Gazetteer) -> None:
    assert ("city", "Sens") in pairs("je suis à Sens", gazetteer)
    assert not pairs("dans un sens ou dans l'autre à sens unique", gazetteer)
    assert ("city", "lyon") in pairs("je bosse a lyon", gazetteer)


def test_canonicalize_free_form_mentions(gazetteer: Gazetteer) -> None:
    assert canonicalize("establishment_type", "Mairie", gazetteer) == "commune"
    assert canonicalize("region", "nouvelle_aquitaine", gazetteer) == "nouvelle_aquitaine"
    assert canonicalize("region", "Nouvelle", gazetteer) is None


def test_merge_prefers_ours_and_drops_uncanonical_model_entities(gazetteer: Gazetteer) -> None:
    ours = extract("en Nouvelle-Aquitaine", gazetteer=gazetteer)
    model = [
        {"entity": "region", "value": "Nouvelle", "start": 3, "end": 11},
        {"entity": "establishment_type", "value": "Truc", "start": 30, "end": 34},
        {"entity": "city", "value": "Pessac", "start": 40, "end": 46},
    ]
    merged = merge(model, ours, gazetteer)
    assert [(e["entity"], e["value"]) for e in merged] == [
        ("region", "nouvelle_aquitaine"),
        ("city", "Pessac"),
    ]

"""Golden profiles for the obligations engine: one per obligation at least, both sides of every
threshold, date travel and unknown facts (BRIEF §4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.engine import Engine, EngineError, format_date
from bot.knowledge import get_knowledge

TODAY = dt.date(2026, 11, 30)

BRIEF_IDS = {
    "spaser", "cr_considerations_environnementales", "cr_condition_sociale",
    "agec_reemploi_recycle",
    "agec_plastique_usage_unique_etat", "papier_recycle", "egalim_qualite_durable",
    "egalim_viande_poisson", "egalim_menu_vegetarien", "egalim_plan_proteines", "egalim_plastiques",
    "egalim_gaspillage", "egalim_information_teledeclaration", "vehicules_faibles_emissions",
    "vehicules_bus_faibles_emissions", "reen_indice_reparabilite", "reen_reemploi_materiel_reforme",
    "reen_strategie_numerique_responsable", "decret_tertiaire", "diagnostic_pemd", "re2020",
    "materiaux_biosources", "zero_phyto", "spe_etat", "interdictions_soumissionner",
}  # fmt: skip
# Added after the legal review (LEGAL_REVIEW.md §2.14 and §5).
NEW_IDS = {
    "vehicules_lourds_faibles_emissions", "pneumatiques_rechapes", "donnees_essentielles",
    "decret_bacs", "gaspillage_invendus_impropres",
}  # fmt: skip
KB_IDS = BRIEF_IDS | NEW_IDS


@pytest.fixture()
def engine() -> Engine:
    return Engine(get_knowledge())


def status(
    engine: Engine, etab: str, projet: str, obligation_id: str, date: dt.date = TODAY, **faits: Any
) -> str:
    result = engine.evaluate(etab, projet, faits, date).get(obligation_id)
    assert result is not None
    return result.statut


def test_every_brief_obligation_is_in_the_knowledge_base() -> None:
    assert {o.id for o in get_knowledge().obligations} == KB_IDS


COM, TRAV, RESTO, INFO, SANTE = (
    "commune",
    "travaux_batiment",
    "restauration_collective",
    "informatique",
    "etablissement_sante",
)
NAT, STRAT_NUM = "nature_travaux", "reen_strategie_numerique_responsable"
VFE, BUS = "vehicules_faibles_emissions", "vehicules_bus_faibles_emissions"
EPU, EPE, EPL = "entreprise_publique", "etablissement_public_etat", "etablissement_public_local"
SOC, EA, TERT = "cr_condition_sociale", "entite_adjudicatrice", "surface_tertiaire"

# (establishment, category, facts, obligation, expected status): at least one per obligation.
GOLDEN: list[tuple[str, str, dict[str, Any], str, str]] = [
    # SPASER: strictly more than 50 M€ HT.
    (COM, RESTO, {"montant_achats_annuel": 50_000_001}, "spaser", "applicable"),
    (COM, RESTO, {"montant_achats_annuel": 50_000_000}, "spaser", "exclu"),
    (SANTE, INFO, {"montant_achats_annuel": 60_000_000}, "spaser", "applicable"),
    ("region", "vehicules", {}, "spaser", "a_confirmer"),
    (COM, "mobilier", {}, "cr_considerations_environnementales", "applicable"),
    ("entreprise_publique", "nettoyage", {}, "cr_considerations_environnementales", "applicable"),
    # Social condition: at least the EU threshold, which depends on type, category and date.
    (COM, INFO, {"montant_marche": 216_000}, "cr_condition_sociale", "applicable"),
    (COM, INFO, {"montant_marche": 215_999}, "cr_condition_sociale", "exclu"),
    ("etat_central", INFO, {"montant_marche": 140_000}, "cr_condition_sociale", "applicable"),
    ("etat_deconcentre", INFO, {"montant_marche": 139_999}, "cr_condition_sociale", "exclu"),
    (COM, TRAV, {"montant_marche": 5_404_000}, "cr_condition_sociale", "applicable"),
    (COM, TRAV, {"montant_marche": 5_403_999}, "cr_condition_sociale", "exclu"),
    ("etat_central", TRAV, {"montant_marche": 1_000_000}, "cr_condition_sociale", "exclu"),
    (COM, "nettoyage", {}, "cr_condition_sociale", "a_confirmer"),
    # Entités adjudicatrices: their own EU threshold (432 000 € HT supplies/services, 2026-2027;
    # works 5 404 000 € HT); the question is asked of a public company only when it decides.
    (EPU, INFO, {"montant_marche": 300_000}, SOC, "a_confirmer"),
    (EPU, INFO, {"montant_marche": 500_000}, SOC, "applicable"),
    (EPU, INFO, {"montant_marche": 100_000}, SOC, "exclu"),
    (COM, INFO, {"montant_marche": 300_000}, SOC, "applicable"),
    (EPU, INFO, {"montant_marche": 300_000, EA: "oui"}, SOC, "exclu"),
    (EPU, INFO, {"montant_marche": 300_000, EA: "non"}, SOC, "applicable"),
    (EPU, INFO, {"montant_marche": 432_000, EA: "oui"}, SOC, "applicable"),
    (EPU, INFO, {"montant_marche": 431_999, EA: "oui"}, SOC, "exclu"),
    (EPU, INFO, {"montant_marche": 216_000, EA: "non"}, SOC, "applicable"),
    (EPU, INFO, {"montant_marche": 215_999, EA: "non"}, SOC, "exclu"),
    (EPU, TRAV, {"montant_marche": 5_404_000, EA: "oui"}, SOC, "applicable"),
    (EPU, TRAV, {"montant_marche": 5_403_999, EA: "oui"}, SOC, "exclu"),
    (EPU, "nettoyage", {}, SOC, "a_confirmer"),
    # Données essentielles: contracts of at least 40 000 € HT.
    (COM, INFO, {"montant_marche": 40_000}, "donnees_essentielles", "applicable"),
    (SANTE, INFO, {"montant_marche": 39_999}, "donnees_essentielles", "exclu"),
    (EPU, "textile", {}, "donnees_essentielles", "a_confirmer"),
    # AGEC reuse/recycled shares: collectivities and State services, not public establishments.
    (COM, "textile", {}, "agec_reemploi_recycle", "applicable"),
    ("etat_deconcentre", "mobilier", {}, "agec_reemploi_recycle", "applicable"),
    (SANTE, INFO, {}, "agec_reemploi_recycle", "exclu"),
    ("etablissement_public_etat", "mobilier", {}, "agec_reemploi_recycle", "exclu"),
    (COM, "evenementiel", {}, "agec_reemploi_recycle", "exclu"),
    # Décret 2024-134 categories: kitchen appliances and jars (catering), waste bins (cleaning).
    (COM, RESTO, {}, "agec_reemploi_recycle", "applicable"),
    ("epci", "nettoyage", {}, "agec_reemploi_recycle", "applicable"),
    ("etat_central", "evenementiel", {}, "agec_plastique_usage_unique_etat", "applicable"),
    (COM, "evenementiel", {}, "agec_plastique_usage_unique_etat", "exclu"),
    ("departement", "fournitures_bureau", {}, "papier_recycle", "applicable"),
    (SANTE, "fournitures_bureau", {}, "papier_recycle", "exclu"),
    (SANTE, RESTO, {}, "egalim_qualite_durable", "applicable"),
    (COM, RESTO, {}, "egalim_viande_poisson", "applicable"),
    (COM, RESTO, {}, "egalim_menu_vegetarien", "applicable"),
    (COM, "vehicules", {}, "egalim_menu_vegetarien", "exclu"),
    # Protein plan: strictly more than 200 meals a day.
    (COM, RESTO, {"repas_par_jour": 201}, "egalim_plan_proteines", "applicable"),
    (COM, RESTO, {"repas_par_jour": 200}, "egalim_plan_proteines", "exclu"),
    (COM, RESTO, {}, "egalim_plan_proteines", "a_confirmer"),
    ("epci", RESTO, {}, "egalim_plastiques", "applicable"),
    (COM, RESTO, {}, "egalim_gaspillage", "applicable"),
    (SANTE, RESTO, {}, "gaspillage_invendus_impropres", "applicable"),
    (COM, "textile", {}, "gaspillage_invendus_impropres", "exclu"),
    (COM, RESTO, {}, "egalim_information_teledeclaration", "applicable"),
    # Vehicles: strictly more than 20 light vehicles for the State, collectivities and their
    # public establishments (L224-8 1° and 2°); no fleet threshold for the others (3°).
    (COM, "vehicules", {"taille_flotte": 21}, VFE, "applicable"),
    (COM, "vehicules", {"taille_flotte": 20}, VFE, "exclu"),
    ("etat_deconcentre", "vehicules", {"taille_flotte": 20}, VFE, "exclu"),
    (EPE, "vehicules", {"taille_flotte": 21}, VFE, "applicable"),
    (EPL, "vehicules", {"taille_flotte": 20}, VFE, "exclu"),
    (SANTE, "vehicules", {"taille_flotte": 25}, VFE, "applicable"),
    (SANTE, "vehicules", {"taille_flotte": 8}, VFE, "applicable"),
    (SANTE, "vehicules", {}, VFE, "applicable"),
    (EPU, "vehicules", {"taille_flotte": 3}, VFE, "applicable"),
    (EPU, "vehicules", {}, VFE, "applicable"),
    (COM, "vehicules", {}, VFE, "a_confirmer"),
    # Heavy vehicles (L224-8-1): their own obligation, not gated by the light fleet.
    (COM, "vehicules", {"taille_flotte": 5}, "vehicules_lourds_faibles_emissions", "applicable"),
    (SANTE, "vehicules", {}, "vehicules_lourds_faibles_emissions", "applicable"),
    (COM, INFO, {}, "vehicules_lourds_faibles_emissions", "exclu"),
    # Retreaded tyres (AGEC art. 60): the State, collectivities and their operators.
    (COM, "vehicules", {}, "pneumatiques_rechapes", "applicable"),
    ("etat_central", "vehicules", {}, "pneumatiques_rechapes", "applicable"),
    (SANTE, "vehicules", {}, "pneumatiques_rechapes", "exclu"),
    (EPU, "vehicules", {}, "pneumatiques_rechapes", "exclu"),
    ("epci", "vehicules", {"nombre_bus": 21}, BUS, "applicable"),
    ("epci", "vehicules", {"nombre_bus": 20}, BUS, "exclu"),
    # L224-8-2 names the State (services déconcentrés included), not public companies.
    ("etat_deconcentre", "vehicules", {"nombre_bus": 30}, BUS, "applicable"),
    ("etat_deconcentre", "vehicules", {"nombre_bus": 20}, BUS, "exclu"),
    (EPU, "vehicules", {"nombre_bus": 30}, BUS, "exclu"),
    (COM, INFO, {}, "reen_indice_reparabilite", "applicable"),
    (SANTE, INFO, {}, "reen_indice_reparabilite", "exclu"),
    ("region", INFO, {}, "reen_reemploi_materiel_reforme", "applicable"),
    # Responsible digital strategy: communes and EPCI above 50 000 inhabitants.
    (COM, INFO, {"population": 50_001}, STRAT_NUM, "applicable"),
    ("epci", INFO, {"population": 50_000}, STRAT_NUM, "exclu"),
    ("departement", INFO, {"population": 900_000}, STRAT_NUM, "exclu"),
    (COM, INFO, {}, STRAT_NUM, "a_confirmer"),
    # Tertiary decree: the building's or site's tertiary area, at least 1 000 m² (not the works').
    (COM, TRAV, {TERT: 1000}, "decret_tertiaire", "applicable"),
    (COM, "energie", {TERT: 999}, "decret_tertiaire", "exclu"),
    (COM, "energie", {}, "decret_tertiaire", "a_confirmer"),
    (COM, TRAV, {"surface_m2": 300, TERT: 5000}, "decret_tertiaire", "applicable"),
    (COM, TRAV, {"surface_m2": 5000}, "decret_tertiaire", "a_confirmer"),
    # BACS: heating or cooling strictly above 70 kW.
    (COM, TRAV, {"puissance_cvc_kw": 71}, "decret_bacs", "applicable"),
    (COM, "energie", {"puissance_cvc_kw": 70}, "decret_bacs", "exclu"),
    (SANTE, "energie", {}, "decret_bacs", "a_confirmer"),
    (COM, INFO, {"puissance_cvc_kw": 500}, "decret_bacs", "exclu"),
    # PEMD: demolition or renovation, strictly more than 1 000 m², or hazardous substances
    # whatever the surface.
    (COM, TRAV, {NAT: "demolition", "surface_m2": 1001}, "diagnostic_pemd", "applicable"),
    (COM, TRAV, {NAT: "renovation", "surface_m2": 1000}, "diagnostic_pemd", "a_confirmer"),
    (COM, TRAV, {NAT: "renovation", "surface_m2": 1000, "substances_dangereuses": "non"},
     "diagnostic_pemd", "exclu"),
    (COM, TRAV, {NAT: "renovation", "surface_m2": 300, "substances_dangereuses": "oui"},
     "diagnostic_pemd", "applicable"),
    (COM, TRAV, {NAT: "demolition", "substances_dangereuses": "oui"}, "diagnostic_pemd",
     "applicable"),
    (COM, TRAV, {NAT: "construction", "substances_dangereuses": "oui"}, "diagnostic_pemd", "exclu"),
    (COM, TRAV, {NAT: "construction", "surface_m2": 5000}, "diagnostic_pemd", "exclu"),
    (COM, TRAV, {NAT: "construction"}, "diagnostic_pemd", "exclu"),
    (COM, TRAV, {NAT: "renovation"}, "diagnostic_pemd", "a_confirmer"),
    (COM, TRAV, {NAT: "construction"}, "re2020", "applicable"),
    (COM, TRAV, {NAT: "renovation"}, "re2020", "exclu"),
    (COM, TRAV, {NAT: "construction"}, "materiaux_biosources", "a_venir"),
    (COM, TRAV, {NAT: "demolition"}, "materiaux_biosources", "exclu"),
    (COM, "espaces_verts", {}, "zero_phyto", "applicable"),
    ("etablissement_public_etat", "energie", {}, "spe_etat", "applicable"),
    (COM, "energie", {}, "spe_etat", "exclu"),
    (SANTE, "textile", {}, "interdictions_soumissionner", "applicable"),
]  # fmt: skip


@pytest.mark.parametrize(("etab", "projet", "faits", "obligation_id", "expected"), GOLDEN)
def test_golden_profiles(
    engine: Engine, etab: str, projet: str, faits: dict[str, Any], obligation_id: str, expected: str
) -> None:
    assert status(engine, etab, projet, obligation_id, **faits) == expected


def test_golden_profiles_cover_every_obligation() -> None:
    assert {row[3] for row in GOLDEN} == KB_IDS


def test_every_obligation_is_applicable_to_some_profile(engine: Engine) -> None:
    seen = {row[3] for row in GOLDEN if row[4] in ("applicable", "a_venir")}
    assert seen == KB_IDS


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (dt.date(2029, 12, 31), "a_venir"),
        (dt.date(2030, 1, 1), "applicable"),
    ],
)
def test_date_travel_bio_based_materials(engine: Engine, date: dt.date, expected: str) -> None:
    assert (
        status(
            engine,
            "commune",
            "travaux_batiment",
            "materiaux_biosources",
            date,
            nature_travaux="renovation",
        )
        == expected
    )


@pytest.mark.parametrize(
    ("date", "expected"),
    # Law-level articles in force on 22 Aug 2026 (Légifrance "version du 22 août 2026"); the old
    # 21 Aug start was the décret 2022-767 date, now a precision.
    [(dt.date(2026, 8, 21), "a_venir"), (dt.date(2026, 8, 22), "applicable")],
)
def test_date_travel_environmental_criterion(engine: Engine, date: dt.date, expected: str) -> None:
    assert (
        status(engine, "commune", "mobilier", "cr_considerations_environnementales", date)
        == expected
    )


def test_eu_threshold_follows_the_period(engine: Engine) -> None:
    # 220 000 € is above the 2026-2027 threshold (216 000) but below the 2024-2025 one (221 000).
    assert (
        status(
            engine,
            "commune",
            "informatique",
            "cr_condition_sociale",
            dt.date(2025, 12, 1),
            montant_marche=220_000,
        )
        == "exclu"
    )
    assert (
        status(
            engine,
            "commune",
            "informatique",
            "cr_condition_sociale",
            dt.date(2026, 12, 1),
            montant_marche=220_000,
        )
        == "applicable"
    )


def test_threshold_after_the_known_periods_is_flagged(engine: Engine) -> None:
    result = engine.evaluate(
        "commune", "informatique", {"montant_marche": 300_000}, dt.date(2028, 6, 1)
    )
    social = result.get("cr_condition_sociale")
    assert social is not None and social.statut == "applicable"
    assert "à vérifier" in social.pourquoi


def test_vehicle_rate_rises_over_time(engine: Engine) -> None:
    now = engine.evaluate("commune", "vehicules", {"taille_flotte": 30}, TODAY).get(
        "vehicules_faibles_emissions"
    )
    later = engine.evaluate("commune", "vehicules", {"taille_flotte": 30}, dt.date(2030, 3, 1)).get(
        "vehicules_faibles_emissions"
    )
    state = engine.evaluate(
        "etat_central", "vehicules", {"taille_flotte": 30}, dt.date(2027, 3, 1)
    ).get("vehicules_faibles_emissions")
    assert now is not None and later is not None and state is not None
    assert any("40 %" in p for p in now.precisions)
    assert any("70 %" in p for p in later.precisions)
    assert any("70 %" in p for p in state.precisions)


def test_pourquoi_names_the_profile_and_the_threshold(engine: Engine) -> None:
    result = engine.evaluate("commune", "vehicules", {"taille_flotte": 25}, TODAY).get(
        "vehicules_faibles_emissions"
    )
    assert result is not None
    assert result.pourquoi == (
        "Vous êtes une commune et vous achetez des véhicules ; "
        "votre flotte compte 25 véhicules légers, au-delà du seuil de 20."
    )


def test_unknown_fact_gives_the_question_to_ask(engine: Engine) -> None:
    result = engine.evaluate("commune", "restauration_collective", {}, TODAY)
    spaser = result.get("spaser")
    assert spaser is not None and spaser.statut == "a_confirmer"
    assert spaser.fait == "montant_achats_annuel"
    assert spaser.question and "montant annuel" in spaser.question
    assert result.missing_facts() == ["montant_achats_annuel", "montant_marche", "repas_par_jour"]


def test_first_missing_fact_is_asked_first_and_decided_ones_are_not(engine: Engine) -> None:
    result = engine.evaluate(
        "commune", "travaux_batiment", {"nature_travaux": "construction"}, TODAY
    )
    # PEMD is decided by "construction": neither its surface nor its hazardous-substance question
    # is asked; the tertiary decree asks the building's tertiary area, a separate fact.
    assert "surface_tertiaire" in result.missing_facts()
    assert "surface_m2" not in result.missing_facts()
    assert "substances_dangereuses" not in result.missing_facts()
    pemd = result.get("diagnostic_pemd")
    assert pemd is not None and pemd.statut == "exclu"


def test_inferred_fact_is_said_and_can_be_corrected(engine: Engine) -> None:
    inferred = engine.evaluate(
        "commune",
        "informatique",
        {"population": 60_000},
        TODAY,
        faits_deduits={"population": "population légale de Pessac"},
    ).get("reen_strategie_numerique_responsable")
    assert inferred is not None and inferred.statut == "applicable"
    assert "déduit" in inferred.pourquoi and "Pessac" in inferred.pourquoi
    corrected = engine.evaluate("commune", "informatique", {"population": 40_000}, TODAY).get(
        "reen_strategie_numerique_responsable"
    )
    assert corrected is not None and corrected.statut == "exclu"


def test_explain_not_applicable(engine: Engine) -> None:
    text = engine.explain_not_applicable(
        "agec_reemploi_recycle", "etablissement_sante", "informatique", {}, TODAY
    )
    assert "ne vise pas" in text
    text = engine.explain_not_applicable(
        "vehicules_faibles_emissions", "commune", "vehicules", {"taille_flotte": 12}, TODAY
    )
    assert "12 véhicules légers" in text and "sans dépasser le seuil de 20" in text
    with pytest.raises(EngineError):
        engine.explain_not_applicable("inconnue", "commune", "vehicules")


def test_precision_with_an_unmet_condition_is_hidden(engine: Engine) -> None:
    small = engine.evaluate(
        "commune", "restauration_collective", {"repas_par_jour": 500}, TODAY
    ).get("egalim_gaspillage")
    big = engine.evaluate(
        "commune", "restauration_collective", {"repas_par_jour": 3001}, TODAY
    ).get("egalim_gaspillage")
    assert small is not None and big is not None
    assert not any("3 000" in p for p in small.precisions)
    assert any("3 000" in p for p in big.precisions)


@pytest.mark.parametrize(
    ("etab", "projet", "faits"),
    [
        ("mairie", "vehicules", {}),
        ("commune", "voitures", {}),
        ("commune", "vehicules", {"flotte": 3}),
        ("commune", "vehicules", {"taille_flotte": -1}),
        ("commune", "vehicules", {"taille_flotte": 2.5}),
        ("commune", "vehicules", {"taille_flotte": 10**7}),
        ("commune", "travaux_batiment", {"nature_travaux": "peinture"}),
    ],
)
def test_bad_input_is_refused_in_french(
    engine: Engine, etab: str, projet: str, faits: dict[str, Any]
) -> None:
    with pytest.raises(EngineError) as error:
        engine.evaluate(etab, projet, faits, TODAY)
    assert error.value.message


def test_parse_fact_reads_french_text(engine: Engine) -> None:
    assert engine.parse_fact("montant_achats_annuel", "60 M€") == 60_000_000
    assert engine.parse_fact("surface_m2", "1 200 m²") == 1200
    assert engine.parse_fact("nature_travaux", "Rénovation") == "renovation"
    assert engine.parse_fact("taille_flotte", "trente") == 30
    with pytest.raises(EngineError, match="imprécis"):
        engine.parse_fact("taille_flotte", "une vingtaine")


def test_json_matches_the_contract(engine: Engine) -> None:
    data = engine.evaluate(
        "commune", "restauration_collective", {"montant_achats_annuel": 60_000_000}, TODAY
    ).to_json(get_knowledge())
    assert set(data) >= {"etablissement", "projet", "date", "faits", "obligations"}
    assert data["date"] == "2026-11-30"
    for item in data["obligations"]:
        assert item["statut"] in ("applicable", "a_venir", "a_confirmer")
        assert {
            "id",
            "titre",
            "resume",
            "pourquoi",
            "references",
            "depuis",
            "leviers",
            "sources",
            "verifie_le",
        } <= set(item)
        assert all(
            ref["url"].startswith("https://www.legifrance.gouv.fr/") for ref in item["references"]
        )
        if item["statut"] == "a_confirmer":
            assert item["fait"] and item["question"]


def test_format_date_in_french() -> None:
    assert format_date(dt.date(2030, 1, 1)) == "1er janvier 2030"
    assert format_date(dt.date(2026, 8, 21)) == "21 août 2026"

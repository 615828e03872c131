"""Golden tests of the legal review (../shared/LEGAL_REVIEW.md): one per S1 fix, each failing on
the knowledge base as it was before the fix, plus the S2 points a buyer would notice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.engine import Engine, ObligationResult
from bot.knowledge import get_knowledge

TODAY = dt.date(2026, 12, 3)


@pytest.fixture()
def engine() -> Engine:
    return Engine(get_knowledge())


def result(
    engine: Engine,
    etab: str,
    projet: str,
    obligation_id: str,
    date: dt.date = TODAY,
    **faits: Any,
) -> ObligationResult:
    found = engine.evaluate(etab, projet, faits, date).get(obligation_id)
    assert found is not None
    return found


# --- S1 vehicles (L224-8): the fleet threshold binds only the State, collectivities and their EPs


@pytest.mark.parametrize("etab", ["etablissement_sante", "entreprise_publique"])
def test_s1_other_buyers_have_no_fleet_threshold(engine: Engine, etab: str) -> None:
    small = result(engine, etab, "vehicules", "vehicules_faibles_emissions", taille_flotte=8)
    assert small.statut == "applicable"
    assert any("40 %" in p for p in small.precisions)
    assert any("37,4 %" in p for p in small.precisions)
    # The fleet question is never asked of them.
    assert "taille_flotte" not in engine.evaluate(etab, "vehicules", {}, TODAY).missing_facts()


def test_s1_fleet_question_still_asked_of_collectivities(engine: Engine) -> None:
    missing = engine.evaluate("commune", "vehicules", {}, TODAY).missing_facts()
    assert "taille_flotte" in missing


def test_s1_hospital_vehicle_why_names_the_rule_not_the_fleet(engine: Engine) -> None:
    why = result(engine, "etablissement_sante", "vehicules", "vehicules_faibles_emissions").pourquoi
    assert "sans autre condition" in why and "établissement public de santé" in why


# --- S1 social condition (L2112-2-1): entités adjudicatrices have their own EU threshold -------


def test_s1_public_company_between_the_two_thresholds_is_asked(engine: Engine) -> None:
    social = result(
        engine,
        "entreprise_publique",
        "informatique",
        "cr_condition_sociale",
        montant_marche=300_000,
    )
    assert social.statut == "a_confirmer"
    assert social.fait == "entite_adjudicatrice"
    assert social.question and "entité adjudicatrice" in social.question


def test_s1_entite_adjudicatrice_threshold_in_2024_2025(engine: Engine) -> None:
    before = dt.date(2025, 6, 1)  # the obligation itself starts in 2026: a_venir when it binds
    above = result(
        engine,
        "entreprise_publique",
        "nettoyage",
        "cr_condition_sociale",
        before,
        montant_marche=443_000,
        entite_adjudicatrice="oui",
    )
    below = result(
        engine,
        "entreprise_publique",
        "nettoyage",
        "cr_condition_sociale",
        before,
        montant_marche=442_999,
        entite_adjudicatrice="oui",
    )
    assert (above.statut, below.statut) == ("a_venir", "exclu")


def test_s1_collectivity_is_never_asked_the_entite_adjudicatrice_question(engine: Engine) -> None:
    for amount in (100_000, 300_000, 500_000):
        result_ = engine.evaluate("commune", "informatique", {"montant_marche": amount}, TODAY)
        assert "entite_adjudicatrice" not in result_.missing_facts()


@pytest.mark.parametrize(
    ("date", "expected"),
    [(dt.date(2026, 8, 21), "a_venir"), (dt.date(2026, 8, 22), "applicable")],
)
def test_social_condition_from_22_august_2026(engine: Engine, date: dt.date, expected: str) -> None:
    social = result(
        engine, "commune", "informatique", "cr_condition_sociale", date, montant_marche=300_000
    )
    assert social.statut == expected


def test_s2_state_public_establishment_is_told_about_the_central_threshold(engine: Engine) -> None:
    social = result(
        engine,
        "etablissement_public_etat",
        "informatique",
        "cr_condition_sociale",
        montant_marche=150_000,
    )
    assert social.statut == "exclu"  # 216 000 € by default, hedged below
    shown = result(
        engine,
        "etablissement_public_etat",
        "informatique",
        "cr_condition_sociale",
        montant_marche=300_000,
    )
    assert any("140 000" in p and "autorités publiques centrales" in p for p in shown.precisions)


# --- S1 EGalim overseas targets (décret 2021-1235): the place decides the rate ------------------


def test_s1_egalim_rate_overseas(engine: Engine) -> None:
    drom = result(
        engine,
        "commune",
        "restauration_collective",
        "egalim_qualite_durable",
        territoire="drom",
    )
    assert drom.statut == "applicable"
    assert any("35 % dont 10 % bio" in p for p in drom.precisions)
    assert not any("au moins 50 %" in p for p in drom.precisions)
    mayotte = result(
        engine,
        "commune",
        "restauration_collective",
        "egalim_qualite_durable",
        territoire="mayotte",
    )
    assert any("15 % dont 5 % bio" in p for p in mayotte.precisions)
    later = result(
        engine,
        "commune",
        "restauration_collective",
        "egalim_qualite_durable",
        dt.date(2030, 3, 1),
        territoire="mayotte",
    )
    assert any("30 % dont 10 % bio" in p for p in later.precisions)


def test_s1_egalim_rate_in_metropole_and_unknown_place(engine: Engine) -> None:
    metro = result(
        engine,
        "commune",
        "restauration_collective",
        "egalim_qualite_durable",
        territoire="metropole",
    )
    assert any("au moins 50 %" in p and "20 %" in p for p in metro.precisions)
    assert not any("35 %" in p for p in metro.precisions)
    unknown = result(engine, "commune", "restauration_collective", "egalim_qualite_durable")
    texts = " ".join(unknown.precisions)
    for place in ("En métropole", "Guadeloupe", "Mayotte", "Saint-Pierre-et-Miquelon"):
        assert place in texts
    # The summary does not state 50 % / 20 % as universal, and the place is never asked.
    assert "métropole" in unknown.obligation.resume and "outre-mer" in unknown.obligation.resume
    missing = engine.evaluate("commune", "restauration_collective", {}, TODAY).missing_facts()
    assert "territoire" not in missing


def test_s2_ce2_counts_until_end_2026_only(engine: Engine) -> None:
    now = result(engine, "commune", "restauration_collective", "egalim_qualite_durable")
    after = result(
        engine,
        "commune",
        "restauration_collective",
        "egalim_qualite_durable",
        dt.date(2027, 1, 1),
    )
    assert any("CE2" in p and "31 décembre 2026" in p for p in now.precisions)
    assert any("CE2" in p and "ne comptent plus" in p for p in after.precisions)


# --- S1 100 % meat/fish and daily vegetarian option: State, its EPs, *national* companies --------


@pytest.mark.parametrize("obligation_id", ["egalim_viande_poisson", "egalim_menu_vegetarien"])
def test_s1_local_public_companies_are_not_told_the_state_rule(
    engine: Engine, obligation_id: str
) -> None:
    company = result(engine, "entreprise_publique", "restauration_collective", obligation_id)
    assert company.precisions
    for text in company.precisions:
        assert "nationale" in text and "SEM" in text
    assert not any("l'État" in p for p in company.precisions)
    state = result(engine, "etablissement_public_etat", "restauration_collective", obligation_id)
    assert any("l'État" in p for p in state.precisions)
    commune = result(engine, "commune", "restauration_collective", obligation_id)
    assert commune.precisions == ()


def test_s2_vegetarian_scope_is_said_to_a_hospital(engine: Engine) -> None:
    why = result(
        engine, "etablissement_sante", "restauration_collective", "egalim_menu_vegetarien"
    ).pourquoi
    assert "sans autre condition" not in why
    assert "d'après les critères de cet outil" in why.lower()
    assert "restauration scolaire" in why and "hospitalier" in why


# --- S1 informing diners: Code rural L230-5-3 ---------------------------------------------------


def test_s1_information_of_diners_cites_l230_5_3(engine: Engine) -> None:
    info = result(
        engine, "commune", "restauration_collective", "egalim_information_teledeclaration"
    )
    assert "L230-5-3" in info.obligation.references[0].texte
    assert "L230-5-1" not in " ".join(r.texte for r in info.obligation.references)
    assert "entrée" in info.obligation.resume and "affichez en permanence" in info.obligation.resume


# --- S1 décret tertiaire and PEMD ------------------------------------------------------------


def test_s1_small_works_in_a_large_tertiary_building(engine: Engine) -> None:
    # A 300 m² refurbishment inside a 5 000 m² town hall.
    tertiary = result(
        engine,
        "commune",
        "travaux_batiment",
        "decret_tertiaire",
        surface_m2=300,
        surface_tertiaire=5000,
        nature_travaux="renovation",
    )
    assert tertiary.statut == "applicable"
    assert "5 000 m²" in tertiary.pourquoi


def test_s1_pemd_asks_the_hazardous_substance_trigger(engine: Engine) -> None:
    asked = result(
        engine,
        "commune",
        "travaux_batiment",
        "diagnostic_pemd",
        nature_travaux="demolition",
        surface_m2=400,
    )
    assert asked.statut == "a_confirmer" and asked.fait == "substances_dangereuses"
    big = engine.evaluate(
        "commune",
        "travaux_batiment",
        {"nature_travaux": "demolition", "surface_m2": 1500},
        TODAY,
    )
    assert "substances_dangereuses" not in big.missing_facts()


# --- S2 points a buyer would notice -----------------------------------------------------------


@pytest.mark.parametrize(
    "obligation_id", ["cr_considerations_environnementales", "cr_condition_sociale"]
)
def test_s2_defence_and_security_exception_is_said(engine: Engine, obligation_id: str) -> None:
    item = result(engine, "etat_central", "mobilier", obligation_id, montant_marche=500_000)
    assert item.statut == "applicable"
    assert "défense ou de sécurité" in item.pourquoi and "L2312-1-1" in item.pourquoi


def test_s2_environmental_regulatory_part_from_21_august(engine: Engine) -> None:
    item = result(
        engine, "commune", "mobilier", "cr_considerations_environnementales", dt.date(2026, 8, 21)
    )
    assert item.statut == "a_venir"
    assert any("21 août 2026" in p for p in item.precisions)


def test_s2_zero_phyto_extensions(engine: Engine) -> None:
    before = result(engine, "commune", "espaces_verts", "zero_phyto", dt.date(2022, 6, 30))
    now = result(engine, "commune", "espaces_verts", "zero_phyto")
    assert not any("cimetières" in p for p in before.precisions)
    assert any("cimetières" in p for p in now.precisions)
    assert any("équipements sportifs" in p for p in now.precisions)


def test_s2_agec_vehicles_category_includes_vehicles(engine: Engine) -> None:
    item = result(engine, "commune", "vehicules", "agec_reemploi_recycle")
    assert any("Véhicules et pièces détachées".lower() in p.lower() for p in item.precisions)


def test_s2_textiles_exclude_ppe(engine: Engine) -> None:
    item = result(engine, "region", "textile", "agec_reemploi_recycle")
    assert any("hors équipements de protection individuelle" in p for p in item.precisions)


def test_s2_strategy_precision_for_syndicates(engine: Engine) -> None:
    item = result(
        engine, "epci", "informatique", "reen_strategie_numerique_responsable", population=80_000
    )
    assert any("fiscalité propre" in p for p in item.precisions)


@pytest.mark.parametrize(
    ("etab", "shown"),
    [("etablissement_sante", True), ("departement", True), ("commune", False)],
)
def test_new_plastic_containers_in_maternity_and_pmi(
    engine: Engine, etab: str, shown: bool
) -> None:
    item = result(engine, etab, "restauration_collective", "egalim_plastiques")
    found = any("maternité" in p or "PMI" in p for p in item.precisions)
    assert found is shown


def test_small_commune_plastic_precision_depends_on_population(engine: Engine) -> None:
    small = result(
        engine, "commune", "restauration_collective", "egalim_plastiques", population=900
    )
    large = result(
        engine, "commune", "restauration_collective", "egalim_plastiques", population=9000
    )
    assert any("2028" in p for p in small.precisions)
    assert not any("2028" in p for p in large.precisions)


@pytest.mark.parametrize(
    ("kw", "big", "medium"), [(291, True, False), (290, False, True), (71, False, True)]
)
def test_new_bacs_deadline_depends_on_power(
    engine: Engine, kw: int, big: bool, medium: bool
) -> None:
    item = result(engine, "commune", "energie", "decret_bacs", puissance_cvc_kw=kw)
    assert item.statut == "applicable"
    assert any(p.startswith("Au-delà de 290 kW") for p in item.precisions) is big
    assert any("70 et 290 kW" in p for p in item.precisions) is medium


@pytest.mark.parametrize(
    ("etab", "expected"),
    [("commune", "applicable"), ("etablissement_sante", "exclu"), ("etat_central", "applicable")],
)
def test_kitchen_appliances_count_for_agec(engine: Engine, etab: str, expected: str) -> None:
    assert (
        result(engine, etab, "restauration_collective", "agec_reemploi_recycle").statut == expected
    )

"""Resolving what a buyer types into a commune, a department and a region."""

from __future__ import annotations

import pytest

from bot.territory import (
    REGION_SLUGS,
    AmbiguousPlace,
    MalformedPlace,
    NotInFrance,
    OutOfScope,
    Territories,
    UnknownPlace,
    commune_populations,
    department_codes,
    entity_phrases,
    load_territories,
)

DEPARTMENT_CODES = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
DEPARTMENT_CODES += [str(n) for n in range(971, 975)] + ["976"]


@pytest.fixture(scope="module")
def territories() -> Territories:
    return load_territories()


def test_the_tables_hold_every_department_and_region(territories: Territories) -> None:
    assert sorted(territories.departements) == sorted(DEPARTMENT_CODES)
    assert len(territories.departements) == 101
    assert sorted(territories.regions) == sorted(REGION_SLUGS)
    assert len(territories.communes) > 34_000


@pytest.mark.parametrize("code", DEPARTMENT_CODES)
def test_every_department_resolves_by_code_and_by_name(territories: Territories, code: str) -> None:
    dep = territories.departements[code]
    by_code = territories.resolve(code.lower())
    by_name = territories.resolve(dep.nom)
    assert by_code.departement == dep
    assert by_name.departement == dep
    assert by_code.region.slug == dep.region in REGION_SLUGS


@pytest.mark.parametrize("slug", REGION_SLUGS)
def test_every_region_resolves_by_slug_and_name(territories: Territories, slug: str) -> None:
    region = territories.regions[slug]
    assert territories.resolve_region(slug) == region
    assert territories.resolve(region.nom).region == region
    assert territories.resolve(region.nom.upper()).region == region


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("PACA", "provence_alpes_cote_d_azur"),
        ("la région Sud", "provence_alpes_cote_d_azur"),
        ("IDF", "ile_de_france"),
        ("en Île-de-France", "ile_de_france"),
        ("AURA", "auvergne_rhone_alpes"),
        ("BFC", "bourgogne_franche_comte"),
        ("Hauts de France", "hauts_de_france"),
        ("Réunion", "la_reunion"),
        ("Rhône-Alpes", "auvergne_rhone_alpes"),
    ],
)
def test_region_acronyms_and_short_names(territories: Territories, text: str, slug: str) -> None:
    assert territories.resolve(text).region.slug == slug


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Gironde", "33"),
        ("la Haute-Corse", "2B"),
        ("Corse du Sud", "2A"),
        ("2a", "2A"),
        ("le 59", "59"),
        ("dans le Nord", "59"),
        ("9", "09"),
        ("département de la Seine-St-Denis", "93"),
        ("974", "974"),
    ],
)
def test_department_variants(territories: Territories, text: str, code: str) -> None:
    place = territories.resolve(text)
    assert place.departement is not None
    assert place.departement.code == code


@pytest.mark.parametrize(
    ("postal_code", "commune", "department", "region"),
    [
        ("33000", "Bordeaux", "33", "nouvelle_aquitaine"),
        ("20000", "Ajaccio", "2A", "corse"),
        ("97100", "Basse-Terre", "971", "guadeloupe"),
        ("97400", "Saint-Denis", "974", "la_reunion"),
        ("75001", "Paris", "75", "ile_de_france"),
        ("69003", "Lyon", "69", "auvergne_rhone_alpes"),
        ("13008", "Marseille", "13", "provence_alpes_cote_d_azur"),
    ],
)
def test_postal_codes_give_commune_department_and_region(
    territories: Territories, postal_code: str, commune: str, department: str, region: str
) -> None:
    place = territories.resolve(postal_code)
    assert place.commune is not None and place.commune.nom == commune
    assert place.departement is not None and place.departement.code == department
    assert place.region.slug == region


def test_postal_code_of_several_communes_of_one_department(territories: Territories) -> None:
    bastia = territories.resolve("20200")  # Bastia and its neighbours share it
    assert bastia.departement is not None and bastia.departement.code == "2B"
    assert "Bastia" in [c.nom for c in bastia.communes]
    mayotte = territories.resolve("97600")
    assert mayotte.departement is not None and mayotte.departement.code == "976"
    assert mayotte.region.slug == "mayotte"


def test_why_chain_names_postal_code_department_and_region(territories: Territories) -> None:
    assert territories.resolve("33000").chemin == (
        "33000 (Bordeaux) → Gironde (33) → Nouvelle-Aquitaine"
    )


def test_monaco_is_refused(territories: Territories) -> None:
    with pytest.raises(NotInFrance, match="Monaco"):
        territories.resolve("98000")
    with pytest.raises(NotInFrance):
        territories.resolve("Monaco")


def test_overseas_collectivities_are_out_of_scope(territories: Territories) -> None:
    with pytest.raises(OutOfScope, match="Saint-Barthélemy"):
        territories.resolve("97133")
    with pytest.raises(OutOfScope):
        territories.resolve("975")


def test_postal_code_shared_by_two_departments_asks_which(territories: Territories) -> None:
    with pytest.raises(AmbiguousPlace, match="plusieurs départements") as error:
        territories.resolve("13780")  # Cuges-les-Pins (13) and Riboux (83)
    codes = {p.departement.code for p in error.value.candidates if p.departement}
    assert codes == {"13", "83"}


@pytest.mark.parametrize("text", ["3300", "330000", "", "   ", "?!", "123456789"])
def test_malformed_places(territories: Territories, text: str) -> None:
    with pytest.raises(MalformedPlace):
        territories.resolve(text)


@pytest.mark.parametrize("text", ["99999", "96", "00", "Trifouillis-les-Oies"])
def test_unknown_places_have_a_french_message(territories: Territories, text: str) -> None:
    with pytest.raises(UnknownPlace) as error:
        territories.resolve(text)
    assert text in str(error.value)


def test_corsica_as_20_asks_which_department(territories: Territories) -> None:
    with pytest.raises(AmbiguousPlace) as error:
        territories.resolve("20")
    assert [p.departement.code for p in error.value.candidates if p.departement] == ["2A", "2B"]


@pytest.mark.parametrize(
    "text", ["Saint-Étienne", "saint etienne", "St-Etienne", "ST ETIENNE", "st.-étienne"]
)
def test_commune_name_variants(territories: Territories, text: str) -> None:
    candidates = territories.find_communes(text)
    assert candidates and candidates[0].nom == "Saint-Étienne"


def test_ste_means_sainte(territories: Territories) -> None:
    place = territories.resolve("Ste-Maxime")
    assert place.commune is not None and place.commune.nom == "Sainte-Maxime"


def test_homonyms_ask_which_department(territories: Territories) -> None:
    with pytest.raises(AmbiguousPlace, match="Saint-Denis") as error:
        territories.resolve("Saint-Denis")
    codes = [p.departement.code for p in error.value.candidates if p.departement]
    assert {"93", "974"} <= set(codes)
    assert codes[0] == "974"  # most populated first


@pytest.mark.parametrize(("text", "code"), [("St Denis 93", "93"), ("Saint-Denis (97400)", "974")])
def test_a_qualifier_picks_one_homonym(territories: Territories, text: str, code: str) -> None:
    place = territories.resolve(text)
    assert place.departement is not None and place.departement.code == code


def test_former_commune_names_lead_to_the_new_commune(territories: Territories) -> None:
    place = territories.resolve("Bâgé-la-Ville")
    assert place.commune is not None and place.commune.nom == "Bâgé-Dommartin"


def test_region_wins_over_homonymous_commune(territories: Territories) -> None:
    place = territories.resolve("Bretagne")
    assert place.departement is None and place.region.slug == "bretagne"


def test_nlu_helpers_expose_names_codes_and_populations() -> None:
    phrases = entity_phrases()
    assert ("Gironde", "department", "33", False) in phrases
    assert ("paca", "region", "provence_alpes_cote_d_azur", False) in phrases
    assert ("Lot", "department", "46", True) in phrases  # "un lot" is not a place
    assert department_codes() == frozenset(DEPARTMENT_CODES)
    populations = commune_populations()
    assert populations["Bordeaux"] > 200_000
    assert populations["Saint-Denis"] > 100_000  # the largest homonym


def test_commune_knows_its_epci(territories: Territories) -> None:
    bordeaux = territories.communes["33063"]
    assert territories.epcis[bordeaux.epci].nom.startswith("Bordeaux Métropole")


def test_provenance_records_package_version_and_licences() -> None:
    from bot.territory import TERRITORY_DIR

    text = (TERRITORY_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "@etalab/decoupage-administratif" in text and "6.0.0" in text
    assert "MIT" in text and "Licence Ouverte" in text


def test_make_data_works_offline_when_the_tables_exist() -> None:
    import importlib.util

    from bot.paths import ROOT

    spec = importlib.util.spec_from_file_location(
        "build", ROOT / "scripts" / "build_territories.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main([]) == 0  # no network, no npm: only checks the committed tables

"""Routing a buyer to a guichet vert or a facilitator, and importing the facilitator directory."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.contacts import (
    CsvImportError,
    clear_cache,
    import_facilitators_csv,
    load_directory,
    load_shipped_contacts,
    parse_facilitators_csv,
    route,
)
from bot.territory import REGION_SLUGS, load_territories

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "facilitateurs_exemple.csv"
HEADER = "territoire_type;territoire_codes;structure;nom;email;telephone;site;source;verifie_le\n"

# BRIEF §5: regions with a sourced guichet vert; the others get a fallback (repli).
WITH_GREEN_DESK = {
    "nouvelle_aquitaine",
    "ile_de_france",
    "hauts_de_france",
    "occitanie",
    "provence_alpes_cote_d_azur",
    "bourgogne_franche_comte",
    "la_reunion",
}
WITH_NETWORK_ONLY = {
    "bretagne",
    "pays_de_la_loire",
    "centre_val_de_loire",
    "normandie",
    "auvergne_rhone_alpes",
    "grand_est",
}


@pytest.fixture(autouse=True)
def import_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test gets its own (initially absent) imported directory."""
    target = tmp_path / "facilitateurs_importes.json"
    monkeypatch.setenv("FACILITATEURS_IMPORTES", str(target))
    clear_cache()
    yield target
    clear_cache()


def test_shipped_contacts_are_valid_sourced_and_invent_nobody() -> None:
    contacts = load_shipped_contacts()
    assert len(contacts) >= 14
    for contact in contacts:
        assert contact.sources and contact.verifie_le <= dt.date(2026, 11, 30)
        # No person, e-mail or phone number without an official source (BRIEF §5).
        assert contact.nom == contact.email == contact.telephone == ""


@pytest.mark.parametrize("slug", REGION_SLUGS)
def test_green_desk_routing_for_every_region(slug: str) -> None:
    territories = load_territories()
    result = route("guichet_vert", territories.region_place(territories.regions[slug]))
    assert result.contacts, "a buyer always gets at least one contact"
    assert result.repli is (slug not in WITH_GREEN_DESK)
    if result.repli:
        assert "Aucun guichet vert" in result.pourquoi
        assert result.contacts[-1].type == "national"
    if slug in WITH_NETWORK_ONLY:
        assert result.contacts[0].type == "reseau_regional"


@pytest.mark.parametrize("slug", REGION_SLUGS)
def test_facilitator_routing_for_every_region_ends_with_the_national_network(slug: str) -> None:
    territories = load_territories()
    result = route("facilitateur", territories.region_place(territories.regions[slug]))
    if slug == "ile_de_france":
        assert not result.repli and "clauses sociales" in result.contacts[0].structure
    else:
        assert result.repli
        assert "Alliance Villes Emploi" in result.contacts[-1].structure


def test_contract_json_for_a_postal_code() -> None:
    place = load_territories().resolve("33000")
    data = route("guichet_vert", place).to_json()
    assert data["departement"] == "33" and data["region"] == "nouvelle_aquitaine"
    assert data["type"] == "guichet_vert" and data["repli"] is False
    assert data["pourquoi"].startswith("33000 (Bordeaux) → Gironde (33) → Nouvelle-Aquitaine")
    assert set(data["contacts"][0]) == {
        "nom",
        "structure",
        "site",
        "email",
        "telephone",
        "territoire",
    }
    assert "3AR" in data["contacts"][0]["structure"]


def test_corsica_without_green_desk_is_told_so() -> None:
    result = route("guichet_vert", load_territories().resolve("20000"))
    assert result.repli
    assert [c.type for c in result.contacts] == ["national"]
    assert "Corse-du-Sud (2A)" in result.pourquoi and "contact national" in result.pourquoi


def test_epci_contact_beats_the_regional_one() -> None:
    # La Réunion: the MDEN facilitates for the CINOR (Saint-Denis) but not for Saint-Pierre.
    territories = load_territories()
    north = route("facilitateur", territories.resolve("97400"))
    south = route("facilitateur", territories.resolve("97410"))
    assert not north.repli and north.contacts[0].territoire.epci == ("249740119",)
    assert south.repli


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="type de contact"):
        route("avocat", load_territories().resolve("33"))


# -- import ---------------------------------------------------------------------------------


def test_import_of_the_example_file_routes_to_the_most_specific_contact(import_file: Path) -> None:
    report = import_facilitators_csv(FIXTURE, import_file)
    assert report.count == 3 and import_file.exists()
    territories = load_territories()
    gironde = route("facilitateur", territories.resolve("33000"))
    paris = route("facilitateur", territories.resolve("75001"))
    marseille = route("facilitateur", territories.resolve("13008"))
    aix = route("facilitateur", territories.resolve("13100"))
    assert not gironde.repli and "Gironde" in gironde.contacts[0].structure
    assert gironde.contacts[0].email == "facilitateur.gironde@example.org"
    # Paris: the EPCI contact wins over the regional one (Maximilien).
    assert "Grand Paris" in paris.contacts[0].structure and len(paris.contacts) == 1
    assert "Marseille" in marseille.contacts[0].structure
    assert aix.repli  # Aix-en-Provence is not in the commune list


def test_import_replaces_the_previous_one(import_file: Path, tmp_path: Path) -> None:
    import_facilitators_csv(FIXTURE, import_file)
    smaller = tmp_path / "petit.csv"
    smaller.write_text(
        HEADER
        + "departement;59;Facilitateur fictif du Nord (inventé);;;;https://x.example.org;;\n",
        encoding="utf-8",
    )
    report = import_facilitators_csv(smaller, import_file)
    assert report.replaced == 3 and report.count == 1
    structures = [c.structure for c in load_directory().contacts if c.id.startswith("import_")]
    assert structures == ["Facilitateur fictif du Nord (inventé)"]


def test_bad_rows_are_all_reported_with_line_numbers_and_nothing_is_written(
    import_file: Path, tmp_path: Path
) -> None:
    import_facilitators_csv(FIXTURE, import_file)
    before = import_file.read_bytes()
    bad = tmp_path / "mauvais.csv"
    bad.write_text(
        HEADER
        + "departement;33;Structure A (inventée);;a@example.org;;;;\n"
        + "departement;96;Structure B;;b@example.org;;;;\n"  # line 3: no department 96
        + "region;33;Structure C;;c@example.org;;;;\n"  # line 4: bad territory type
        + "departement;33;Structure D;;d@example.org;;;;\n"  # line 5: second contact for 33
        + "epci;200054781;Structure E;;pas-un-email;;;;\n"  # line 6: invalid e-mail
        + "departement;01;Structure F;;;;;;\n"  # line 7: no way to reach them
        + "departement;02;Structure G;;;12 34;;;\n"  # line 8: bad phone
        + "departement;03;Structure H;;;;;;30/11/2026\n",  # line 9: bad date
        encoding="utf-8",
    )
    with pytest.raises(CsvImportError) as error:
        import_facilitators_csv(bad, import_file)
    problems = error.value.problems
    assert [p.split(" :")[0] for p in problems] == [
        "ligne 3",
        "ligne 4",
        "ligne 5",
        "ligne 6",
        "ligne 7",
        "ligne 8",
        "ligne 9",
    ]
    assert "96" in problems[0] and "déjà un facilitateur" in problems[2]
    assert import_file.read_bytes() == before  # the previous import is untouched


@pytest.mark.parametrize("content", ["", "\n\n", HEADER])
def test_empty_files_are_refused(content: str, tmp_path: Path, import_file: Path) -> None:
    empty = tmp_path / "vide.csv"
    empty.write_text(content, encoding="utf-8")
    with pytest.raises(CsvImportError, match=r"vide|aucune ligne"):
        import_facilitators_csv(empty, import_file)
    assert not import_file.exists()


def test_missing_columns_are_named() -> None:
    with pytest.raises(CsvImportError, match="territoire_codes"):
        parse_facilitators_csv("territoire_type,structure\ndepartement,X\n", "x.csv")


def test_comma_separated_file_with_bom_is_accepted() -> None:
    text = "\ufeffterritoire_type,territoire_codes,structure,site\ndepartement,2a,Essai (inventé),https://e.example.org\n"
    contacts = parse_facilitators_csv(text, "x.csv", today=dt.date(2026, 11, 30))
    assert contacts[0].territoire.departements == ("2A",)
    assert contacts[0].verifie_le == dt.date(2026, 11, 30)


def test_non_utf8_file_is_refused(tmp_path: Path, import_file: Path) -> None:
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(
        (HEADER + "departement;33;Structure é;;a@example.org;;;;\n").encode("latin-1")
    )
    with pytest.raises(CsvImportError, match="UTF-8"):
        import_facilitators_csv(latin, import_file)


def test_imported_file_records_its_provenance(import_file: Path) -> None:
    import_facilitators_csv(FIXTURE, import_file)
    data = json.loads(import_file.read_text(encoding="utf-8"))
    assert data["fichier"] == FIXTURE.name and len(data["sha256"]) == 64
    assert load_directory().imported_at == data["importe_le"]

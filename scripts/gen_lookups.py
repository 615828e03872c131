"""Write the NLU lookup tables (data/nlu/lookups/*.yml) and synonyms from the project vocabulary.

Lookup tables are only features for DIET (RegexFeaturizer, case-insensitive in config.yml):
they tell the classifier "this span looks like a department / region / type / category".
Establishment types and purchase categories come from knowledge/etablissements.yml and
knowledge/categories.yml; departments and regions from the INSEE tables below (COG 2024:
101 departments, 18 regions). Run `python scripts/gen_lookups.py` after editing the vocabulary.

It also writes data/nlu/synonyms.yml: every surface form -> canonical value, for Rasa's
EntitySynonymMapper. That mapper ignores the entity type, so a text must never map to two values:
overseas names ("La Réunion", "Guadeloupe") map to their department code only (the annotations
use the department; bot/entities.py derives the region), and "Paris" is left out (a city too).
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
LOOKUP_DIR = ROOT / "data" / "nlu" / "lookups"

# INSEE code -> (official name, region slug). Source: INSEE, Code officiel géographique.
DEPARTMENTS: dict[str, tuple[str, str]] = {
    "01": ("Ain", "auvergne_rhone_alpes"),
    "02": ("Aisne", "hauts_de_france"),
    "03": ("Allier", "auvergne_rhone_alpes"),
    "04": ("Alpes-de-Haute-Provence", "provence_alpes_cote_d_azur"),
    "05": ("Hautes-Alpes", "provence_alpes_cote_d_azur"),
    "06": ("Alpes-Maritimes", "provence_alpes_cote_d_azur"),
    "07": ("Ardèche", "auvergne_rhone_alpes"),
    "08": ("Ardennes", "grand_est"),
    "09": ("Ariège", "occitanie"),
    "10": ("Aube", "grand_est"),
    "11": ("Aude", "occitanie"),
    "12": ("Aveyron", "occitanie"),
    "13": ("Bouches-du-Rhône", "provence_alpes_cote_d_azur"),
    "14": ("Calvados", "normandie"),
    "15": ("Cantal", "auvergne_rhone_alpes"),
    "16": ("Charente", "nouvelle_aquitaine"),
    "17": ("Charente-Maritime", "nouvelle_aquitaine"),
    "18": ("Cher", "centre_val_de_loire"),
    "19": ("Corrèze", "nouvelle_aquitaine"),
    "2A": ("Corse-du-Sud", "corse"),
    "2B": ("Haute-Corse", "corse"),
    "21": ("Côte-d'Or", "bourgogne_franche_comte"),
    "22": ("Côtes-d'Armor", "bretagne"),
    "23": ("Creuse", "nouvelle_aquitaine"),
    "24": ("Dordogne", "nouvelle_aquitaine"),
    "25": ("Doubs", "bourgogne_franche_comte"),
    "26": ("Drôme", "auvergne_rhone_alpes"),
    "27": ("Eure", "normandie"),
    "28": ("Eure-et-Loir", "centre_val_de_loire"),
    "29": ("Finistère", "bretagne"),
    "30": ("Gard", "occitanie"),
    "31": ("Haute-Garonne", "occitanie"),
    "32": ("Gers", "occitanie"),
    "33": ("Gironde", "nouvelle_aquitaine"),
    "34": ("Hérault", "occitanie"),
    "35": ("Ille-et-Vilaine", "bretagne"),
    "36": ("Indre", "centre_val_de_loire"),
    "37": ("Indre-et-Loire", "centre_val_de_loire"),
    "38": ("Isère", "auvergne_rhone_alpes"),
    "39": ("Jura", "bourgogne_franche_comte"),
    "40": ("Landes", "nouvelle_aquitaine"),
    "41": ("Loir-et-Cher", "centre_val_de_loire"),
    "42": ("Loire", "auvergne_rhone_alpes"),
    "43": ("Haute-Loire", "auvergne_rhone_alpes"),
    "44": ("Loire-Atlantique", "pays_de_la_loire"),
    "45": ("Loiret", "centre_val_de_loire"),
    "46": ("Lot", "occitanie"),
    "47": ("Lot-et-Garonne", "nouvelle_aquitaine"),
    "48": ("Lozère", "occitanie"),
    "49": ("Maine-et-Loire", "pays_de_la_loire"),
    "50": ("Manche", "normandie"),
    "51": ("Marne", "grand_est"),
    "52": ("Haute-Marne", "grand_est"),
    "53": ("Mayenne", "pays_de_la_loire"),
    "54": ("Meurthe-et-Moselle", "grand_est"),
    "55": ("Meuse", "grand_est"),
    "56": ("Morbihan", "bretagne"),
    "57": ("Moselle", "grand_est"),
    "58": ("Nièvre", "bourgogne_franche_comte"),
    "59": ("Nord", "hauts_de_france"),
    "60": ("Oise", "hauts_de_france"),
    "61": ("Orne", "normandie"),
    "62": ("Pas-de-Calais", "hauts_de_france"),
    "63": ("Puy-de-Dôme", "auvergne_rhone_alpes"),
    "64": ("Pyrénées-Atlantiques", "nouvelle_aquitaine"),
    "65": ("Hautes-Pyrénées", "occitanie"),
    "66": ("Pyrénées-Orientales", "occitanie"),
    "67": ("Bas-Rhin", "grand_est"),
    "68": ("Haut-Rhin", "grand_est"),
    "69": ("Rhône", "auvergne_rhone_alpes"),
    "70": ("Haute-Saône", "bourgogne_franche_comte"),
    "71": ("Saône-et-Loire", "bourgogne_franche_comte"),
    "72": ("Sarthe", "pays_de_la_loire"),
    "73": ("Savoie", "auvergne_rhone_alpes"),
    "74": ("Haute-Savoie", "auvergne_rhone_alpes"),
    "75": ("Paris", "ile_de_france"),
    "76": ("Seine-Maritime", "normandie"),
    "77": ("Seine-et-Marne", "ile_de_france"),
    "78": ("Yvelines", "ile_de_france"),
    "79": ("Deux-Sèvres", "nouvelle_aquitaine"),
    "80": ("Somme", "hauts_de_france"),
    "81": ("Tarn", "occitanie"),
    "82": ("Tarn-et-Garonne", "occitanie"),
    "83": ("Var", "provence_alpes_cote_d_azur"),
    "84": ("Vaucluse", "provence_alpes_cote_d_azur"),
    "85": ("Vendée", "pays_de_la_loire"),
    "86": ("Vienne", "nouvelle_aquitaine"),
    "87": ("Haute-Vienne", "nouvelle_aquitaine"),
    "88": ("Vosges", "grand_est"),
    "89": ("Yonne", "bourgogne_franche_comte"),
    "90": ("Territoire de Belfort", "bourgogne_franche_comte"),
    "91": ("Essonne", "ile_de_france"),
    "92": ("Hauts-de-Seine", "ile_de_france"),
    "93": ("Seine-Saint-Denis", "ile_de_france"),
    "94": ("Val-de-Marne", "ile_de_france"),
    "95": ("Val-d'Oise", "ile_de_france"),
    "971": ("Guadeloupe", "guadeloupe"),
    "972": ("Martinique", "martinique"),
    "973": ("Guyane", "guyane"),
    "974": ("La Réunion", "la_reunion"),
    "976": ("Mayotte", "mayotte"),
}

# Region slug (CONTRACT §2) -> official name followed by the other names buyers use
# (acronyms, former regions merged in 2016).
REGIONS: dict[str, list[str]] = {
    "auvergne_rhone_alpes": ["Auvergne-Rhône-Alpes", "AURA", "Rhône-Alpes", "Auvergne"],
    "bourgogne_franche_comte": ["Bourgogne-Franche-Comté", "BFC", "Bourgogne", "Franche-Comté"],
    "bretagne": ["Bretagne"],
    "centre_val_de_loire": ["Centre-Val de Loire", "CVL", "région Centre"],
    "corse": ["Corse", "Collectivité de Corse"],
    "grand_est": ["Grand Est", "Alsace", "Lorraine", "Champagne-Ardenne"],
    "hauts_de_france": ["Hauts-de-France", "HDF", "Nord-Pas-de-Calais", "Picardie"],
    "ile_de_france": ["Île-de-France", "IDF", "région parisienne"],
    "normandie": ["Normandie", "Haute-Normandie", "Basse-Normandie"],
    "nouvelle_aquitaine": ["Nouvelle-Aquitaine", "Aquitaine", "Limousin", "Poitou-Charentes"],
    "occitanie": ["Occitanie", "Midi-Pyrénées", "Languedoc-Roussillon"],
    "pays_de_la_loire": ["Pays de la Loire", "PDL"],
    "provence_alpes_cote_d_azur": ["Provence-Alpes-Côte d'Azur", "PACA", "Région Sud"],
    "guadeloupe": ["Guadeloupe"],
    "martinique": ["Martinique"],
    "guyane": ["Guyane"],
    "la_reunion": ["La Réunion"],
    "mayotte": ["Mayotte"],
}

# Other ways people write department names.
DEPARTMENT_VARIANTS: dict[str, list[str]] = {
    "2A": ["Corse du Sud"],
    "21": ["Côte d'Or"],
    "22": ["Côtes d'Armor"],
    "95": ["Val d'Oise"],
    "93": ["Seine St Denis"],
}


# Department names that are everyday words ("un lot", "c'est cher", "une somme", "qu'il
# vienne"): as case-insensitive features they would fire on most procurement sentences.
EVERYDAY_WORD_NAMES = frozenset(
    {"Allier", "Cher", "Creuse", "Lot", "Manche", "Nord", "Somme", "Vienne"}
)


def strip_accents(text: str) -> str:
    """Return `text` without diacritics ("Ardèche" -> "Ardeche")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def variants(name: str) -> list[str]:
    """The name as written, without accents, and with spaces instead of hyphens."""
    out = [name, strip_accents(name), name.replace("-", " "), strip_accents(name).replace("-", " ")]
    return list(dict.fromkeys(out))


def vocabulary_phrases(filename: str, key: str) -> list[str]:
    """Synonyms of a knowledge vocabulary file, with their accent-free forms.

    Case-sensitive acronyms (`synonymes_sensibles_casse`) are left out: the featurizer ignores
    case, and "CA" or "CH" would then fire on everyday text.
    """
    data: dict[str, Any] = yaml.safe_load((ROOT / "knowledge" / filename).read_text("utf-8"))
    phrases: list[str] = []
    for entry in data[key]:
        for synonym in [entry["libelle"], *entry["synonymes"]]:
            phrases.extend(variants(synonym))
    return list(dict.fromkeys(phrases))


def write_lookup(name: str, phrases: list[str], comment: str) -> Path:
    """Write one lookup table file named after its entity."""
    lines = [
        f"# {comment}",
        "# Generated by scripts/gen_lookups.py: edit the source, not this file.",
        'version: "3.1"',
        "nlu:",
        f"- lookup: {name}",
        "  examples: |",
    ]
    # The featurizer ignores case (config.yml): one entry per case-folded phrase, sorted so
    # that regenerating gives the same file.
    unique = {phrase.casefold(): phrase for phrase in sorted(phrases, reverse=True)}
    lines += [f"    - {phrase}" for phrase in sorted(unique.values(), key=str.casefold)]
    path = LOOKUP_DIR / f"{name}.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def vocabulary_synonyms(filename: str, key: str) -> dict[str, str]:
    """Surface form -> canonical id for a knowledge vocabulary file (case-sensitive acronyms
    and context-dependent words excluded, as in the lookups)."""
    data: dict[str, Any] = yaml.safe_load((ROOT / "knowledge" / filename).read_text("utf-8"))
    pairs: dict[str, str] = {}
    for entry in data[key]:
        for synonym in [entry["libelle"], *entry["synonymes"]]:
            for form in variants(synonym):
                pairs.setdefault(form, entry["id"])
    return pairs


def synonym_pairs() -> dict[str, str]:
    """All surface forms of the closed lists, mapped to their canonical value.

    Forms are compared lower-cased, as EntitySynonymMapper does; a form that would map to two
    different values is an error, since the mapper cannot tell entity types apart.
    """
    pairs: dict[str, str] = {}
    sources: list[dict[str, str]] = [
        vocabulary_synonyms("etablissements.yml", "etablissements"),
        vocabulary_synonyms("categories.yml", "categories"),
    ]
    departments: dict[str, str] = {}
    for code, (name, _region) in DEPARTMENTS.items():
        if code == "75":
            continue  # "Paris" is also the city: leave it to bot/entities.py
        for other in [name, *DEPARTMENT_VARIANTS.get(code, [])]:
            for form in variants(other):
                departments[form] = code
    overseas = {fold_key(DEPARTMENTS[c][0]) for c in ("971", "972", "973", "974", "976")}
    regions = {
        form: slug
        for slug, names in REGIONS.items()
        for name in names
        if fold_key(name) not in overseas
        for form in variants(name)
    }
    sources += [departments, regions]
    seen: dict[str, str] = {}
    for source in sources:
        for form, value in source.items():
            key = form.lower()
            if key == value or form == value:
                continue
            if seen.get(key, value) != value:
                raise ValueError(f"{form!r} would map to both {seen[key]!r} and {value!r}")
            if key not in seen:
                seen[key] = value
                pairs[form] = value
    return pairs


def fold_key(text: str) -> str:
    """Lower-cased, accent-free form used to compare names."""
    return strip_accents(text).lower()


def write_synonyms(pairs: dict[str, str]) -> Path:
    """Write data/nlu/synonyms.yml, one block per canonical value."""
    by_value: dict[str, list[str]] = {}
    for form, value in pairs.items():
        by_value.setdefault(value, []).append(form)
    lines = [
        "# Surface forms -> canonical values for EntitySynonymMapper (CONTRACT §2).",
        "# Generated by scripts/gen_lookups.py: edit knowledge/ or the script, not this file.",
        'version: "3.1"',
        "nlu:",
    ]
    for value in sorted(by_value):
        lines += [f'- synonym: "{value}"', "  examples: |"]
        lines += [
            f"    - {form}" for form in sorted(by_value[value], key=lambda f: (f.casefold(), f))
        ]
    path = ROOT / "data" / "nlu" / "synonyms.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> int:
    """Regenerate the four lookup tables and the synonyms."""
    LOOKUP_DIR.mkdir(parents=True, exist_ok=True)
    departments: list[str] = []
    for code, (name, _region) in DEPARTMENTS.items():
        if name not in EVERYDAY_WORD_NAMES:
            departments.extend(variants(name))
        for other in DEPARTMENT_VARIANTS.get(code, []):
            departments.extend(variants(other))
    regions = [v for names in REGIONS.values() for name in names for v in variants(name)]
    written = [
        write_lookup("department", departments, "French departments (INSEE COG), DIET features."),
        write_lookup("region", regions, "French regions and their usual other names."),
        write_lookup(
            "establishment_type",
            vocabulary_phrases("etablissements.yml", "etablissements"),
            "Establishment types, from knowledge/etablissements.yml.",
        ),
        write_lookup(
            "purchase_category",
            vocabulary_phrases("categories.yml", "categories"),
            "Purchase categories, from knowledge/categories.yml.",
        ),
    ]
    written.append(write_synonyms(synonym_pairs()))
    for path in written:
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())

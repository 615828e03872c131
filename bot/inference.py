"""Facts the bot infers from official data instead of asking them (BRIEF: "facts can be inferred
where data allows"): the `population` of a named commune or EPCI, and the `territoire` (metropole
or which overseas territory) from the place, which decides the EGalim rates (décret 2021-1235).

An inferred fact is always said to the user with its source, and an explicit fact always wins
over it: `update_inferred` never replaces a fact the user gave, and drops an inferred value once
it no longer fits the conversation (another place, another profile, a fact no longer needed).
The population figures are those shipped in knowledge/territoires/ (see PROVENANCE.md there).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.engine import Engine, EngineError, format_number
from bot.knowledge import FactValue
from bot.territory import (
    TERRITORY_DIR,
    Commune,
    Epci,
    PlaceError,
    Territories,
    UnknownPlace,
    name_key,
)

POPULATION = "population"
PLACE_ENTITIES = frozenset({"postal_code", "city", "department", "region"})
CORRECTION_EXAMPLE = "« en fait nous sommes 40 000 habitants »"

# Long forms buyers type, mapped to the abbreviations of the EPCI table ("CA du Grand Angoulême").
_EPCI_LONG_FORMS = (
    ("communaute de communes", "cc"),
    ("communaute d agglomeration", "ca"),
    ("communaute urbaine", "cu"),
    ("agglomeration", "ca"),
    ("agglo", "ca"),
)
_EPCI_TYPE_PREFIX = re.compile(r"^(?:cc|ca|cu)\s+(?:(?:du|de la|de l|des|de|d)\s+)?")


@dataclass(frozen=True)
class Inference:
    """One inferred fact: its value, where it comes from (kept in the `diag_inferred` slot and
    shown by the engine) and the sentence that tells the user."""

    fait: str
    valeur: FactValue
    source: str
    phrase: str


@dataclass(frozen=True)
class InferenceUpdate:
    """The facts after inference, and whether the conversation must say something new."""

    faits: dict[str, FactValue]
    deduits: dict[str, str]
    inconnus: list[str]
    annonce: str | None = None

    def changed(self, facts: Mapping[str, FactValue], inferred: Mapping[str, str]) -> bool:
        """True when the facts or their sources differ from the given ones."""
        return self.faits != dict(facts) or self.deduits != dict(inferred)


@lru_cache(maxsize=4)
def data_version(provenance: Path = TERRITORY_DIR / "PROVENANCE.md") -> str:
    """The data version cited with an inferred figure, read from PROVENANCE.md
    ("COG 2026, @etalab/decoupage-administratif 6.0.0"); a plain label if the file changed shape.

    Read rather than hard-coded so that `make data` (which rewrites PROVENANCE.md) keeps the
    citation true.
    """
    try:
        text = provenance.read_text(encoding="utf-8")
    except OSError:
        return "tables territoriales de l'assistant"
    version = re.search(r"version\s+\**([\d.]+)\**", text)
    vintage = re.search(r"millésime\s+(\d{4})", text)
    parts = []
    if vintage:
        parts.append(f"COG {vintage.group(1)}")
    package = "@etalab/decoupage-administratif"
    parts.append(f"{package} {version.group(1)}" if version else package)
    return ", ".join(parts)


def is_place_only(intent: str, entities: Iterable[str]) -> bool:
    """True when an `inform` message gives a place and nothing else ("33600", "à Pessac")."""
    names = set(entities)
    return intent == "inform" and bool(names) and names <= PLACE_ENTITIES


def find_commune(
    territories: Territories,
    *,
    city: str | None = None,
    postal_code: str | None = None,
    department: str | None = None,
) -> Commune | None:
    """The one commune the conversation designates, or None when unknown or ambiguous.

    A postal code counts only if it serves exactly one commune (or one of its communes bears the
    name given); a name counts only if it has no homonym (or the department picks one). A stale
    department that contradicts the name is ignored, as in `Territories.resolve_parts`.
    """
    if postal_code:
        communes = territories.communes_by_postal_code(postal_code.strip())
        if city:
            key = name_key(city)
            communes = [c for c in communes if name_key(c.nom) == key]
        return communes[0] if len(communes) == 1 else None
    if not city:
        return None
    for qualifier in (department, None) if department else (None,):
        try:
            return territories.resolve_commune(city, qualifier).commune
        except UnknownPlace:
            continue
        except PlaceError:  # ambiguous, outside France or outside the 18 regions
            return None
    return None


def _epci_key(text: str) -> str:
    key = name_key(text)
    for long_form, short in _EPCI_LONG_FORMS:
        key = re.sub(rf"\b{long_form}\b", short, key)
    return key


@lru_cache(maxsize=4)
def _epci_index(territories: Territories) -> dict[str, str]:
    """EPCI name keys → SIREN: the full name ("ca du grand angouleme") and, when unambiguous and
    at least two words long, the name without its type ("grand angouleme")."""
    index: dict[str, str] = {}
    cores: dict[str, set[str]] = {}
    for epci in territories.epcis.values():
        full = _epci_key(re.sub(r"\s*\([^)]*\)", "", epci.nom))
        index[full] = epci.siren
        core = _EPCI_TYPE_PREFIX.sub("", full)
        if core != full and len(core.split()) >= 2:
            cores.setdefault(core, set()).add(epci.siren)
    for core, sirens in cores.items():
        if len(sirens) == 1 and core not in index:
            index[core] = next(iter(sirens))
    return index


def find_epci(territories: Territories, *texts: str | None) -> Epci | None:
    """The EPCI named in one of `texts` ("Bordeaux Métropole", "la communauté d'agglomération du
    Grand Angoulême"), first text first; None when no name or two different ones match."""
    index = _epci_index(territories)
    for text in texts:
        if not text:
            continue
        padded = f" {_epci_key(text)} "
        hits = [(len(key), siren) for key, siren in index.items() if f" {key} " in padded]
        if not hits:
            continue
        longest = max(length for length, _ in hits)
        sirens = {siren for length, siren in hits if length == longest}
        if len(sirens) == 1:
            return territories.epcis[sirens.pop()]
    return None


def _sentence(what: str, name: str, population: int, version: str) -> str:
    return (
        f"D'après la {what} ({version}), {name} compte {format_number(population)} habitants : "
        "je retiens ce chiffre sans vous le demander. S'il ne correspond pas à votre situation, "
        f"dites-le-moi, par exemple {CORRECTION_EXAMPLE}."
    )


def infer_population(
    territories: Territories,
    etablissement: str,
    *,
    city: str | None = None,
    postal_code: str | None = None,
    department: str | None = None,
    text: str | None = None,
) -> Inference | None:
    """The population of the buyer's commune or EPCI, from the official tables, or None.

    A commune needs a commune the conversation designates without doubt (`find_commune`); an
    EPCI needs its name in the message or the `city` slot (a commune alone does not say which
    EPCI or syndicate the buyer works for, so it is not used).
    """
    version = data_version()
    if etablissement == "commune":
        commune = find_commune(
            territories, city=city, postal_code=postal_code, department=department
        )
        if commune is None or commune.population is None:
            return None
        dep = territories.departements.get(commune.departement)
        where = f"{commune.nom} ({dep.nom}, {dep.code})" if dep else commune.nom
        return Inference(
            POPULATION,
            commune.population,
            f"population légale INSEE de {where}, {version}",
            _sentence("population légale INSEE", commune.nom, commune.population, version),
        )
    if etablissement == "epci":
        epci = find_epci(territories, text, city)
        if epci is None or epci.population is None:
            return None
        return Inference(
            POPULATION,
            epci.population,
            f"population légale totale INSEE de {epci.nom}, {version}",
            _sentence("population légale totale INSEE", epci.nom, epci.population, version),
        )
    return None


def update_inferred(
    engine: Engine,
    etablissement: str,
    projet: str,
    facts: Mapping[str, FactValue],
    inferred: Mapping[str, str],
    unknown: Iterable[str],
    inference: Inference | None,
) -> InferenceUpdate:
    """Apply `inference` to the conversation's facts.

    - A fact the user gave (in `facts`, not in `inferred`) is never replaced.
    - The inferred population is kept only while it decides an obligation for this profile, so
      the answer does not quote figures it does not use.
    - `annonce` is the sentence to say when the inferred value is new or different.
    """
    facts = dict(facts)
    inferred = {k: v for k, v in inferred.items() if k in facts}
    unknown = list(unknown)
    if POPULATION in facts and POPULATION not in inferred:
        return InferenceUpdate(facts, inferred, unknown)
    previous = (facts.get(POPULATION), inferred.get(POPULATION))
    base = {k: v for k, v in facts.items() if k != POPULATION}
    try:
        needed = POPULATION in engine.evaluate(etablissement, projet, base).missing_facts()
    except EngineError:
        needed = False
    if not needed or inference is None:
        inferred.pop(POPULATION, None)
        return InferenceUpdate(base, inferred, unknown)
    facts = {**base, POPULATION: inference.valeur}
    inferred = {**inferred, POPULATION: inference.source}
    unknown = [u for u in unknown if u != POPULATION]
    new = previous != (inference.valeur, inference.source)
    return InferenceUpdate(facts, inferred, unknown, inference.phrase if new else None)


TERRITOIRE = "territoire"

# INSEE department codes (and postal code prefixes) of the overseas territories of décret
# 2021-1235; Saint-Martin (978, postal code 97150) has the rates of the DROM. Saint-Barthélemy
# (97133) is not named by the decree: nothing is inferred for it.
_OVERSEAS_DEPARTMENTS = {
    "971": "drom",
    "972": "drom",
    "973": "drom",
    "974": "drom",
    "976": "mayotte",
    "975": "saint_pierre_et_miquelon",
    "978": "drom",
}
_OVERSEAS_REGIONS = {
    "guadeloupe": "drom",
    "martinique": "drom",
    "guyane": "drom",
    "la_reunion": "drom",
    "mayotte": "mayotte",
}
_NOT_INFERRED_POSTAL_CODES = {"97133"}  # Saint-Barthélemy


def infer_territoire(
    *,
    department: str | None = None,
    region: str | None = None,
    postal_code: str | None = None,
) -> Inference | None:
    """The `territoire` fact (metropole, drom, mayotte, saint_pierre_et_miquelon) from the place
    the conversation knows, most precise first; None when no place is known or it is outside
    the decree (Monaco, Saint-Barthélemy)."""
    value: str | None = None
    said = ""
    code = (postal_code or "").strip()
    if re.fullmatch(r"\d{5}", code) and code not in _NOT_INFERRED_POSTAL_CODES:
        if code.startswith("97"):
            value = _OVERSEAS_DEPARTMENTS.get(code[:3])
        elif not code.startswith("98"):
            value = "metropole"
        said = f"code postal {code}"
    if value is None and department:
        dep = department.strip().upper()
        if dep in _OVERSEAS_DEPARTMENTS:
            value = _OVERSEAS_DEPARTMENTS[dep]
        elif re.fullmatch(r"\d{2}|2A|2B", dep) and dep not in ("00", "20", "96", "97", "98", "99"):
            value = "metropole"
        said = f"département {dep}"
    if value is None and region:
        value = _OVERSEAS_REGIONS.get(region.strip(), "metropole")
        said = f"région {region.strip()}"
    if value is None:
        return None
    return Inference(
        TERRITOIRE, value, f"lieu indiqué : {said}", f"Je retiens le territoire d'après le {said}."
    )


def apply_territoire(
    facts: Mapping[str, FactValue],
    inferred: Mapping[str, str],
    inference: Inference | None,
) -> tuple[dict[str, FactValue], dict[str, str]]:
    """Facts and their sources with the inferred `territoire`: a territory the user gave is never
    replaced; an inferred one follows the place (dropped when no place is known any more)."""
    facts = dict(facts)
    inferred = {k: v for k, v in inferred.items() if k in facts}
    if TERRITOIRE in facts and TERRITOIRE not in inferred:
        return facts, inferred
    facts.pop(TERRITOIRE, None)
    inferred.pop(TERRITOIRE, None)
    if inference is not None:
        facts[TERRITOIRE] = inference.valeur
        inferred[TERRITOIRE] = inference.source
    return facts, inferred

"""French territories: regions, departments, communes and postal codes, and how to resolve them.

The tables under knowledge/territoires/ are derived from Etalab's `@etalab/decoupage-administratif`
(see PROVENANCE.md there and scripts/build_territories.py). `load_territories()` reads them once;
`Territories.resolve()` turns what a buyer types ("33000", "St-Denis 93", "la Haute-Corse",
"PACA") into a `Place` (commune, department, region), or raises a `PlaceError` whose message is
French and can be shown as is.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.paths import KNOWLEDGE_DIR
from bot.text import fold, normalize_message

TERRITORY_DIR = KNOWLEDGE_DIR / "territoires"

REGION_SLUGS = (
    "auvergne_rhone_alpes",
    "bourgogne_franche_comte",
    "bretagne",
    "centre_val_de_loire",
    "corse",
    "grand_est",
    "hauts_de_france",
    "ile_de_france",
    "normandie",
    "nouvelle_aquitaine",
    "occitanie",
    "pays_de_la_loire",
    "provence_alpes_cote_d_azur",
    "guadeloupe",
    "martinique",
    "guyane",
    "la_reunion",
    "mayotte",
)
"""The region ids of CONTRACT.md §2, in the contract's order."""

# Usual short names, acronyms and pre-2016 regions: buyers still say "PACA" or "en Rhône-Alpes".
_REGION_ALIASES: dict[str, tuple[str, ...]] = {
    "auvergne_rhone_alpes": ("aura", "ara", "auvergne", "rhone alpes", "auvergne rhone alpes"),
    "bourgogne_franche_comte": ("bfc", "bourgogne", "franche comte"),
    "bretagne": ("bzh",),
    "centre_val_de_loire": ("centre", "cvl", "region centre"),
    "grand_est": ("alsace", "lorraine", "champagne ardenne", "acal", "alsace lorraine"),
    "hauts_de_france": ("hdf", "nord pas de calais", "picardie", "nord pas de calais picardie"),
    "ile_de_france": ("idf", "region parisienne", "ile de france"),
    "normandie": ("haute normandie", "basse normandie"),
    "nouvelle_aquitaine": ("aquitaine", "limousin", "poitou charentes", "alpc"),
    "occitanie": ("midi pyrenees", "languedoc roussillon", "languedoc"),
    "pays_de_la_loire": ("pdl", "pays de loire"),
    "provence_alpes_cote_d_azur": ("paca", "region sud", "provence", "cote d azur"),
    "la_reunion": ("reunion", "ile de la reunion"),
    "guyane": ("guyane francaise",),
}

_DEPARTEMENT_ALIASES: dict[str, tuple[str, ...]] = {
    "2A": ("corse du sud", "corse sud"),
    "2B": ("haute corse",),
    "974": ("reunion",),
    "90": ("belfort",),
    "69": ("rhone", "metropole de lyon"),
    "75": ("paris", "ville de paris"),
}

# Words in front of a place that do not belong to its name ("dans le Nord", "la région PACA").
# Articles are stripped only for regions and departments: "La Rochelle" is a commune's name.
_PLACE_PREFIX = re.compile(
    r"^(?:(?:je suis|nous sommes|on est|situe|situee|basee?s?|a|au|aux|en|dans|sur|pour|"
    r"le|la|les|l|du|de|des|d|region|departement|dept|dpt|ville|commune|territoire)\s+)+"
)
_COMMUNE_PREFIX = re.compile(
    r"^(?:(?:je suis|nous sommes|on est|a|en|dans la|sur la|pour la|ville de|commune de|"
    r"la ville de|la commune de|mairie de|mairie d)\s+)+"
)
_ARTICLES = re.compile(r"^(?:(?:a|au|aux|en|dans|sur|pour|la|le|les|l)\s+)+")
_POSTAL = re.compile(r"^\d{2}\s?\d{3}$")
_DEPT_CODE = re.compile(r"^(?:\d{1,3}|2[ab])$")
_WITH_QUALIFIER = re.compile(r"^(?P<name>.+?)[\s(,]+(?P<code>\d{5}|\d{2,3}|2[ab])\)?$")
_SAINT = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def name_key(text: str) -> str:
    """Matching key of a place name: `fold`, then "St"/"Ste" spelt out ("St-Denis" = "saint denis").

    Every name index of this module is keyed by `name_key`; apply it to text before a lookup.
    """
    return " ".join(_SAINT.get(word, word) for word in fold(text).split())


@dataclass(frozen=True)
class Region:
    """A region of CONTRACT §2."""

    slug: str
    code: str
    nom: str


@dataclass(frozen=True)
class Departement:
    """A department, keyed by its INSEE code ("01", "2A", "974")."""

    code: str
    nom: str
    region: str

    @property
    def libelle(self) -> str:
        """ "Gironde (33)"."""
        return f"{self.nom} ({self.code})"


@dataclass(frozen=True)
class Commune:
    """A current commune (type COM) with its postal codes and population."""

    code: str
    nom: str
    codes_postaux: tuple[str, ...]
    departement: str
    population: int | None
    siren: str
    epci: str


@dataclass(frozen=True)
class Epci:
    """An EPCI à fiscalité propre (CC, CA, CU, métropole), keyed by its SIREN."""

    siren: str
    nom: str
    type: str
    population: int | None


@dataclass(frozen=True)
class Place:
    """Where a buyer is, as precisely as they said it.

    `commune` is set when a single commune is known; `communes` lists the communes sharing a
    postal code. `departement` is None only for a region with several departments.
    """

    region: Region
    departement: Departement | None = None
    commune: Commune | None = None
    code_postal: str | None = None
    communes: tuple[Commune, ...] = field(default=())

    @property
    def libelle(self) -> str:
        """Short French label: "Saint-Denis (Seine-Saint-Denis, 93)", "Gironde (33)"…"""
        if self.commune is not None and self.departement is not None:
            return f"{self.commune.nom} ({self.departement.nom}, {self.departement.code})"
        if self.code_postal is not None and self.departement is not None:
            return f"{self.code_postal} ({self.departement.nom}, {self.departement.code})"
        if self.departement is not None:
            return self.departement.libelle
        return self.region.nom

    @property
    def chemin(self) -> str:
        """How the place was resolved: "33000 (Bordeaux) → Gironde (33) → Nouvelle-Aquitaine"."""
        steps: list[str] = []
        if self.code_postal is not None:
            names = [c.nom for c in (self.communes or ((self.commune,) if self.commune else ()))]
            shown = ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
            steps.append(f"{self.code_postal} ({shown})" if shown else self.code_postal)
        elif self.commune is not None:
            steps.append(self.commune.nom)
        if self.departement is not None:
            steps.append(self.departement.libelle)
        steps.append(self.region.nom)
        return " → ".join(steps)

    @property
    def epcis(self) -> frozenset[str]:
        """SIRENs of the EPCI of the place's commune(s) (empty for a department or region)."""
        communes = self.communes or ((self.commune,) if self.commune else ())
        return frozenset(c.epci for c in communes if c.epci)

    @property
    def codes_communes(self) -> frozenset[str]:
        """INSEE codes of the place's commune(s)."""
        communes = self.communes or ((self.commune,) if self.commune else ())
        return frozenset(c.code for c in communes)


class PlaceError(ValueError):
    """A place that cannot be resolved; `str(error)` is a French sentence for the user."""


class MalformedPlace(PlaceError):
    """The text cannot be a place (empty, a 4-digit postal code…)."""


class UnknownPlace(PlaceError):
    """Well formed but unknown (postal code 99999, department 96, a misspelt commune)."""


class NotInFrance(PlaceError):
    """Monaco (98000) and the like."""


class OutOfScope(PlaceError):
    """A French territory outside the 18 regions (collectivités d'outre-mer)."""


class AmbiguousPlace(PlaceError):
    """Several places match (homonymous communes, a postal code over two departments).

    `candidates` lists them, most populated first, so the bot can offer a choice.
    """

    def __init__(self, message: str, candidates: Iterable[Place]) -> None:
        super().__init__(message)
        self.candidates: tuple[Place, ...] = tuple(candidates)


def _int_or_none(text: str) -> int | None:
    return int(text) if text else None


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


class Territories:
    """The territory tables indexed for the bot's lookups. Build with `load_territories()`."""

    def __init__(self, directory: Path = TERRITORY_DIR) -> None:
        self.regions: dict[str, Region] = {
            r["slug"]: Region(r["slug"], r["code"], r["nom"])
            for r in _read(directory / "regions.csv")
        }
        self.departements: dict[str, Departement] = {
            d["code"]: Departement(d["code"], d["nom"], d["region"])
            for d in _read(directory / "departements.csv")
        }
        self.communes: dict[str, Commune] = {}
        self._by_postal: dict[str, list[Commune]] = defaultdict(list)
        self._by_name: dict[str, list[Commune]] = defaultdict(list)
        for row in _read(directory / "communes.csv"):
            commune = Commune(
                code=row["code"],
                nom=row["nom"],
                codes_postaux=tuple(row["codes_postaux"].split()),
                departement=row["departement"],
                population=_int_or_none(row["population"]),
                siren=row["siren"],
                epci=row["epci"],
            )
            self.communes[commune.code] = commune
            self._by_name[name_key(commune.nom)].append(commune)
            for code in commune.codes_postaux:
                self._by_postal[code].append(commune)
        self._former: dict[str, list[Commune]] = defaultdict(list)
        for row in _read(directory / "anciennes_communes.csv"):
            self._former[name_key(row["nom"])].append(self.communes[row["commune"]])
        self.epcis: dict[str, Epci] = {
            e["siren"]: Epci(e["siren"], e["nom"], e["type"], _int_or_none(e["population"]))
            for e in _read(directory / "epci.csv")
        }
        self._outside: dict[str, tuple[str, str]] = {}
        self._outside_names: dict[str, str] = {}
        for row in _read(directory / "hors_champ.csv"):
            for code in row["codes_postaux"].split():
                self._outside[code] = (row["nom"], row["collectivite"])
            self._outside_names[name_key(row["collectivite"])] = row["collectivite"]
        self._region_names = self._index_region_names()
        self._departement_names = self._index_departement_names()

    # -- name indexes -------------------------------------------------------------------------

    def _index_region_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for region in self.regions.values():
            names[name_key(region.nom)] = region.slug
            names[name_key(region.slug.replace("_", " "))] = region.slug
            for alias in _REGION_ALIASES.get(region.slug, ()):
                names[alias] = region.slug
        return names

    def _index_departement_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for dep in self.departements.values():
            names[name_key(dep.nom)] = dep.code
            for alias in _DEPARTEMENT_ALIASES.get(dep.code, ()):
                names[alias] = dep.code
        return names

    def region_names(self) -> Mapping[str, str]:
        """Region name variants (keyed by `name_key`: "paca", "ile de france"…) → CONTRACT slug."""
        return dict(self._region_names)

    def departement_names(self) -> Mapping[str, str]:
        """Department name variants (keyed by `name_key`: "haute corse"…) → INSEE code."""
        return dict(self._departement_names)

    def commune_names(self) -> Mapping[str, tuple[Commune, ...]]:
        """Commune names (keyed by `name_key`) → the communes of that name, most populated first.

        Used to infer facts from a named commune (its population decides the REEN strategy).
        """
        return {key: _by_population(communes) for key, communes in self._by_name.items()}

    # -- places -------------------------------------------------------------------------------

    def region_place(self, region: Region) -> Place:
        """A whole region (with its department when it has only one, as overseas)."""
        deps = [d for d in self.departements.values() if d.region == region.slug]
        return Place(region=region, departement=deps[0] if len(deps) == 1 else None)

    def departement_place(self, dep: Departement) -> Place:
        """A whole department."""
        return Place(region=self.regions[dep.region], departement=dep)

    def commune_place(self, commune: Commune) -> Place:
        """One commune."""
        dep = self.departements[commune.departement]
        return Place(region=self.regions[dep.region], departement=dep, commune=commune)

    # -- lookups ------------------------------------------------------------------------------

    def communes_by_postal_code(self, code: str) -> list[Commune]:
        """Communes served by a 5-digit postal code (empty when unknown)."""
        return list(self._by_postal.get(code, ()))

    def find_communes(self, name: str) -> list[Commune]:
        """Communes named `name` (accents, case, "St", hyphens ignored), most populated first.

        Former communes merged into a new one are found under their old name when no current
        commune bears it.
        """
        key = name_key(name)
        found = self._by_name.get(key) or self._former.get(key) or []
        return list(_by_population(found))

    def resolve_postal_code(self, text: str) -> Place:
        """Resolve a postal code; raise a `PlaceError` for Monaco, malformed or unknown codes."""
        code = re.sub(r"\s", "", text)
        if not re.fullmatch(r"\d{5}", code):
            raise MalformedPlace(
                f"« {text} » n'est pas un code postal : il faut 5 chiffres, par exemple 33000."
            )
        if code.startswith("980"):
            raise NotInFrance(
                f"Le code postal {code} est celui de Monaco, qui n'est pas en France. "
                "L'assistant ne couvre que les acheteurs publics français."
            )
        if code in self._outside:
            nom, collectivite = self._outside[code]
            raise OutOfScope(
                f"Le code postal {code} ({nom}) relève de la collectivité d'outre-mer "
                f"{collectivite}, qui n'appartient à aucune des 18 régions couvertes par "
                "l'assistant."
            )
        communes = self._by_postal.get(code)
        if not communes:
            raise UnknownPlace(
                f"Le code postal {code} ne correspond à aucune commune (c'est peut-être un code "
                "CEDEX). Indiquez le code postal de la commune, son nom ou votre département."
            )
        by_dep: dict[str, list[Commune]] = defaultdict(list)
        for commune in communes:
            by_dep[commune.departement].append(commune)
        places = [self._postal_place(code, group) for group in by_dep.values()]
        if len(places) == 1:
            return places[0]
        places.sort(key=lambda p: -sum(c.population or 0 for c in p.communes))
        listed = " ; ".join(
            f"{p.departement.libelle if p.departement else ''} : "
            + ", ".join(c.nom for c in p.communes)
            for p in places
        )
        raise AmbiguousPlace(
            f"Le code postal {code} est partagé par des communes de plusieurs départements "
            f"({listed}). Dans quel département êtes-vous ?",
            places,
        )

    def _postal_place(self, code: str, communes: list[Commune]) -> Place:
        dep = self.departements[communes[0].departement]
        ordered = _by_population(communes)
        return Place(
            region=self.regions[dep.region],
            departement=dep,
            commune=ordered[0] if len(ordered) == 1 else None,
            code_postal=code,
            communes=ordered,
        )

    def resolve_departement(self, text: str) -> Departement:
        """A department from its code ("33", "2a", "974", "le 59") or name ("la Haute-Corse")."""
        key = name_key(text)
        stripped = _PLACE_PREFIX.sub("", key)
        code = stripped.upper()
        if _DEPT_CODE.fullmatch(stripped):
            if code.isdigit() and len(code) == 1:
                code = "0" + code
            if code in self.departements:
                return self.departements[code]
            if code == "20":
                raise AmbiguousPlace(
                    "La Corse a deux départements : la Corse-du-Sud (2A) et la Haute-Corse (2B). "
                    "Lequel ?",
                    [self.departement_place(self.departements[c]) for c in ("2A", "2B")],
                )
            if code in {"975", "977", "978", "984", "986", "987", "988", "989"}:
                raise OutOfScope(
                    f"{code} est une collectivité d'outre-mer : elle n'appartient à aucune des "
                    "18 régions couvertes par l'assistant."
                )
            raise UnknownPlace(
                f"Il n'y a pas de département {code}. Les codes vont de 01 à 95 (2A et 2B pour "
                "la Corse) et de 971 à 976 outre-mer."
            )
        for candidate in (key, stripped):
            if candidate in self._departement_names:
                return self.departements[self._departement_names[candidate]]
        raise UnknownPlace(f"Je ne connais pas de département « {text.strip()} ».")

    def resolve_region(self, text: str) -> Region:
        """A region from its CONTRACT slug, name, old name or acronym ("PACA", "IDF", "AURA")."""
        key = name_key(text)
        if text.strip() in self.regions:
            return self.regions[text.strip()]
        for candidate in (key, _ARTICLES.sub("", key), _PLACE_PREFIX.sub("", key)):
            if candidate in self._region_names:
                return self.regions[self._region_names[candidate]]
        raise UnknownPlace(f"Je ne connais pas de région « {text.strip()} ».")

    def resolve_commune(self, name: str, departement: str | None = None) -> Place:
        """A commune by name, optionally within a department code or a postal code.

        Homonyms in several departments raise `AmbiguousPlace` with one candidate each.
        """
        cleaned = normalize_message(name)
        if not cleaned:
            raise MalformedPlace("Indiquez le nom de la commune.")
        communes = self.find_communes(cleaned)
        if not communes:
            communes = self.find_communes(_COMMUNE_PREFIX.sub("", name_key(cleaned)))
        qualified = _WITH_QUALIFIER.fullmatch(cleaned)
        if not communes and qualified and departement is None:
            # "Saint-Denis 93", "Saint-Denis (97400)": the qualifier picks the homonym.
            return self.resolve_commune(qualified["name"], qualified["code"])
        if not communes:
            if name_key(cleaned) == "monaco":
                raise NotInFrance("Monaco n'est pas en France : l'assistant ne le couvre pas.")
            if name_key(cleaned) in self._outside_names:
                raise OutOfScope(
                    f"{cleaned} est une collectivité d'outre-mer : elle n'appartient à aucune "
                    "des 18 régions couvertes par l'assistant."
                )
            raise UnknownPlace(
                f"Je ne trouve pas de commune « {cleaned} ». Vérifiez l'orthographe, ou "
                "indiquez son code postal ou son département."
            )
        if departement:
            qualifier = departement.strip().upper()
            if len(qualifier) == 1 and qualifier.isdigit():
                qualifier = "0" + qualifier
            communes = [c for c in communes if qualifier in (c.departement, *c.codes_postaux)]
            if not communes:
                raise UnknownPlace(
                    f"Je ne trouve pas de commune « {cleaned} » dans « {departement} »."
                )
        places = [self.commune_place(c) for c in communes]
        if len(places) == 1:
            return places[0]
        shown = ", ".join(p.libelle for p in places[:8]) + (" …" if len(places) > 8 else "")
        raise AmbiguousPlace(
            f"Plusieurs communes s'appellent {communes[0].nom} : {shown}. Dans quel département ?",
            places,
        )

    def resolve(self, text: str) -> Place:
        """Resolve free text: a postal code, a department code or name, a region, or a commune.

        Regions and departments win over homonymous communes ("Bretagne" is also a commune of the
        Territoire de Belfort; a buyer who types it means the region). "Saint-Denis 93" and
        "Saint-Denis (97400)" pick one homonym.
        """
        cleaned = normalize_message(text).strip(" .,;!?")
        if not cleaned or not any(ch.isalnum() for ch in cleaned):
            raise MalformedPlace(
                "Indiquez un code postal, une commune, un département ou une région."
            )
        compact = cleaned.replace(" ", "")
        if _POSTAL.fullmatch(cleaned) or re.fullmatch(r"\d{5}", compact):
            return self.resolve_postal_code(compact)
        if re.fullmatch(r"\d+", compact):
            if len(compact) in (4, 6):
                raise MalformedPlace(
                    f"« {cleaned} » n'est pas un code postal : il faut 5 chiffres, par exemple "
                    "33000."
                )
            if len(compact) > 3:
                raise MalformedPlace(
                    f"« {cleaned} » n'est ni un code postal (5 chiffres) ni un numéro de "
                    "département."
                )
        key = name_key(cleaned)
        stripped = _PLACE_PREFIX.sub("", key)
        if _DEPT_CODE.fullmatch(stripped):
            return self.departement_place(self.resolve_departement(stripped))
        for candidate in (key, _ARTICLES.sub("", key), stripped):
            if candidate in self._region_names:
                return self.region_place(self.regions[self._region_names[candidate]])
            if candidate in self._departement_names:
                return self.departement_place(self.departements[self._departement_names[candidate]])
        qualified = _WITH_QUALIFIER.fullmatch(cleaned)
        if qualified and not self.find_communes(cleaned):
            return self.resolve_commune(qualified["name"], qualified["code"])
        try:
            return self.resolve_commune(cleaned)
        except UnknownPlace:
            raise UnknownPlace(
                f"Je ne reconnais pas « {cleaned} ». Indiquez un code postal (5 chiffres), une "
                "commune, un département ou une région."
            ) from None

    # -- conversation helpers -----------------------------------------------------------------

    def resolve_parts(
        self,
        *,
        postal_code: str | None = None,
        department: str | None = None,
        region: str | None = None,
        city: str | None = None,
        text: str | None = None,
    ) -> Place:
        """Resolve what the NLU extracted, most precise first: postal code, commune, department,
        region, then the free text.

        A department given with a postal code or a commune picks among their homonyms (that is
        what the disambiguation buttons send); a department that contradicts the commune is
        dropped rather than blocking the buyer.
        """
        if postal_code:
            try:
                return self.resolve_postal_code(postal_code)
            except AmbiguousPlace as error:
                chosen = [p for p in error.candidates if _same_dep(p, department)]
                if len(chosen) == 1:
                    return chosen[0]
                raise
        if city:
            try:
                return self.resolve_commune(city, department)
            except UnknownPlace:
                if department:
                    try:
                        return self.resolve_commune(city)
                    except UnknownPlace:
                        return self.departement_place(self.resolve_departement(department))
                raise
        if department:
            return self.departement_place(self.resolve_departement(department))
        if region:
            return self.region_place(self.resolve_region(region))
        if text:
            return self.resolve(text)
        raise MalformedPlace("Indiquez un code postal, une commune, un département ou une région.")

    def key_of(self, place: Place) -> str:
        """A compact, stable text form of a place, to keep it in a conversation slot."""
        if place.code_postal is not None and place.departement is not None:
            return f"cp:{place.code_postal}:{place.departement.code}"
        if place.commune is not None:
            return f"commune:{place.commune.code}"
        if place.departement is not None:
            return f"dep:{place.departement.code}"
        return f"reg:{place.region.slug}"

    def from_key(self, key: str) -> Place:
        """The place of a `key_of` key; raises UnknownPlace for anything else."""
        kind, _, rest = key.partition(":")
        try:
            if kind == "commune":
                return self.commune_place(self.communes[rest])
            if kind == "cp":
                code, _, dep = rest.partition(":")
                return self.resolve_parts(postal_code=code, department=dep)
            if kind == "dep":
                return self.departement_place(self.departements[rest])
            if kind == "reg":
                return self.region_place(self.regions[rest])
        except (KeyError, PlaceError):
            pass
        raise UnknownPlace(f"Lieu enregistré illisible : « {key} ».")

    @staticmethod
    def choice_entities(place: Place) -> dict[str, str]:
        """Entities that designate exactly this candidate (for a button payload)."""
        dep = place.departement.code if place.departement else ""
        if place.commune is not None and place.code_postal is None:
            return {"city": place.commune.nom, "department": dep}
        if place.code_postal is not None:
            return {"postal_code": place.code_postal, "department": dep}
        if place.departement is not None:
            return {"department": dep}
        return {"region": place.region.slug}


def _same_dep(place: Place, department: str | None) -> bool:
    if not department or place.departement is None:
        return False
    wanted = department.strip().upper()
    wanted = "0" + wanted if len(wanted) == 1 and wanted.isdigit() else wanted
    return place.departement.code == wanted


# Names that are also everyday French words ("un lot", "une somme", "une réunion", "il y aura"):
# the NLU only takes them as places when capitalised.
_COMMON_WORDS = frozenset(
    {
        "allier", "ara", "aura", "centre", "cher", "creuse", "lot", "manche", "nord", "orne",
        "reunion", "la reunion", "somme", "vienne",
    }
)  # fmt: skip


def entity_phrases() -> list[tuple[str, str, str, bool]]:
    """Phrases naming a region or a department, for the NLU gazetteer.

    Each item is (phrase, entity, canonical value, case_sensitive): entity is `region` (value:
    CONTRACT slug) or `department` (INSEE code). Case-sensitive phrases are everyday words too
    ("Lot", "Somme", "Réunion", "AURA") and count as places only when capitalised. An overseas
    name ("Guadeloupe") yields both its region and its department.
    """
    territories = load_territories()
    phrases: list[tuple[str, str, str, bool]] = []
    for key, slug in territories.region_names().items():
        if key in ("centre", "provence"):
            continue  # "centre hospitalier", "Provence" wine: too many false places
        phrases.append((key, "region", slug, key in _COMMON_WORDS))
    phrases.append(("Centre", "region", "centre_val_de_loire", True))
    for key, code in territories.departement_names().items():
        phrases.append((key, "department", code, key in _COMMON_WORDS))
    for region in territories.regions.values():
        phrases.append((region.nom, "region", region.slug, name_key(region.nom) in _COMMON_WORDS))
    for dep in territories.departements.values():
        phrases.append((dep.nom, "department", dep.code, name_key(dep.nom) in _COMMON_WORDS))
    return phrases


def commune_populations() -> dict[str, int]:
    """Commune name (as spelt officially) → population of the most populated homonym.

    For the NLU: a named commune is a `city` entity, and its population can fill the
    `population` fact; homonyms are resolved later (the routing asks which one).
    """
    populations: dict[str, int] = {}
    for commune in load_territories().communes.values():
        population = commune.population or 0
        populations[commune.nom] = max(population, populations.get(commune.nom, 0))
    return populations


def department_codes() -> frozenset[str]:
    """The 101 department codes ("01" … "95", "2A", "2B", "971" … "976")."""
    return frozenset(load_territories().departements)


def _by_population(communes: Iterable[Commune]) -> tuple[Commune, ...]:
    return tuple(sorted(communes, key=lambda c: -(c.population or 0)))


@lru_cache(maxsize=1)
def load_territories() -> Territories:
    """The territory tables of knowledge/territoires/ (read once; `.cache_clear()` in tests)."""
    return Territories()


def departement_names() -> Mapping[str, str]:
    """Department name variants keyed by `name_key` → INSEE code (for the NLU normaliser)."""
    return load_territories().departement_names()


def region_names() -> Mapping[str, str]:
    """Region name variants keyed by `name_key` → CONTRACT slug (for the NLU normaliser)."""
    return load_territories().region_names()


def commune_names() -> Mapping[str, tuple[Commune, ...]]:
    """Commune names keyed by `name_key` → communes, most populated first (population facts)."""
    return load_territories().commune_names()

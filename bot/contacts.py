"""Whom a buyer should contact: guichets verts, regional networks and facilitators.

Two sources, merged by `load_directory()`:

- knowledge/contacts/contacts.yml: the structures we could source (BRIEF §5), validated here;
- the facilitator directory imported from CSV (`python -m bot contacts import FILE.csv`, see
  `import_facilitators_csv`), kept in var/facilitateurs_importes.json.

`route(kind, place)` picks the most specific contact covering a place (commune > EPCI >
department > region) and otherwise falls back to the regional network, then the national entry
point, saying so (`repli=True`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, Field, ValidationError, root_validator, validator

from bot.paths import KNOWLEDGE_DIR, VAR_DIR
from bot.territory import Place, Territories, load_territories

CONTACTS_FILE = KNOWLEDGE_DIR / "contacts" / "contacts.yml"
IMPORT_ENV = "FACILITATEURS_IMPORTES"
"""Environment variable naming the imported directory (default var/facilitateurs_importes.json)."""

Kind = Literal["facilitateur", "guichet_vert"]
KINDS: tuple[str, ...] = ("facilitateur", "guichet_vert")
_LEVELS = ("communes", "epci", "departements", "regions", "france")
"""Territory levels, most specific first: routing prefers the first that matches."""

_PHONE = re.compile(r"^(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}$")


def default_import_path() -> Path:
    """Where the imported facilitator directory lives (env `FACILITATEURS_IMPORTES` overrides)."""
    return Path(os.environ.get(IMPORT_ENV) or VAR_DIR / "facilitateurs_importes.json")


def _check_email(value: str) -> str:
    if not value:
        return value
    try:
        # No DNS lookup: validation must work offline and must not leak the address.
        return str(validate_email(value, check_deliverability=False).normalized)
    except EmailNotValidError as error:
        raise ValueError(f"adresse e-mail invalide « {value} »") from error


def _check_phone(value: str) -> str:
    if value and not _PHONE.fullmatch(value.strip()):
        raise ValueError(
            f"numéro de téléphone invalide « {value} » (attendu : 01 23 45 67 89 ou +33 1 …)"
        )
    return value.strip()


def _check_site(value: str) -> str:
    if value and not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", value):
        raise ValueError(f"adresse de site invalide « {value} » (elle doit commencer par https://)")
    return value


class Territoire(BaseModel):
    """The area a contact covers: exactly one level is filled."""

    regions: tuple[str, ...] = ()
    departements: tuple[str, ...] = ()
    epci: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    france: bool = False

    class Config:
        extra = "forbid"
        frozen = True

    @root_validator(skip_on_failure=True)
    def _one_level(cls, values: dict[str, Any]) -> dict[str, Any]:
        filled = [level for level in _LEVELS if values.get(level)]
        if len(filled) != 1:
            raise ValueError("un territoire et un seul : régions, départements, EPCI ou communes")
        return values

    @property
    def niveau(self) -> str:
        """The filled level ("communes", "epci", "departements", "regions" or "france")."""
        return next(level for level in _LEVELS if getattr(self, level))

    def check_codes(self, territories: Territories) -> None:
        """Raise ValueError when a code is not a known region, department, EPCI or commune."""
        known: dict[str, Mapping[str, object]] = {
            "regions": territories.regions,
            "departements": territories.departements,
            "epci": territories.epcis,
            "communes": territories.communes,
        }
        for level, table in known.items():
            unknown = [code for code in getattr(self, level) if code not in table]
            if unknown:
                raise ValueError(f"code(s) inconnu(s) pour {level} : {', '.join(unknown)}")

    def covers(self, place: Place) -> bool:
        """True when this territory contains the place (all of its communes, for a postal code)."""
        if self.france:
            return True
        if self.regions:
            return place.region.slug in self.regions
        if self.departements:
            return place.departement is not None and place.departement.code in self.departements
        if self.epci:
            return bool(place.epcis) and place.epcis <= set(self.epci)
        return bool(place.codes_communes) and place.codes_communes <= set(self.communes)

    def libelle(self, territories: Territories) -> str:
        """French label: "Nouvelle-Aquitaine", "Gironde (33)", "CA … (EPCI)", "France entière"."""
        if self.france:
            return "France entière"
        if self.regions:
            return ", ".join(territories.regions[r].nom for r in self.regions)
        if self.departements:
            return ", ".join(territories.departements[d].libelle for d in self.departements)
        if self.epci:
            return ", ".join(territories.epcis[e].nom for e in self.epci)
        names = [territories.communes[c].nom for c in self.communes]
        return "Communes : " + ", ".join(names[:5]) + (" …" if len(names) > 5 else "")


class Contact(BaseModel):
    """One structure a buyer can contact, with its source and the date it was checked."""

    id: str
    type: Literal["guichet_vert", "reseau_regional", "facilitateur", "national"]
    sert: tuple[Kind, ...] = ()
    structure: str = Field(min_length=2)
    nom: str = ""
    territoire: Territoire
    site: str = ""
    email: str = ""
    telephone: str = ""
    offre: str = ""
    sources: tuple[str, ...]
    verifie_le: dt.date
    incertain: bool = False
    note: str = ""

    class Config:
        extra = "forbid"
        frozen = True

    _email = validator("email", allow_reuse=True)(_check_email)
    _phone = validator("telephone", allow_reuse=True)(_check_phone)
    _site = validator("site", allow_reuse=True)(_check_site)

    @validator("sources")
    def _has_source(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value or not all(v.strip() for v in value):
            raise ValueError("au moins une source est obligatoire")
        return value

    @root_validator(skip_on_failure=True)
    def _uncertain_needs_note(cls, values: dict[str, Any]) -> dict[str, Any]:
        if values.get("incertain") and not values.get("note"):
            raise ValueError("un contact incertain doit expliquer pourquoi dans `note`")
        return values

    def to_json(self, territories: Territories) -> dict[str, str]:
        """The contact as CONTRACT §3 shows it."""
        return {
            "nom": self.nom,
            "structure": self.structure,
            "site": self.site,
            "email": self.email,
            "telephone": self.telephone,
            "territoire": self.territoire.libelle(territories),
        }


class ContactsError(ValueError):
    """Invalid contact data; the message is French and lists every problem found."""


@dataclass(frozen=True)
class Directory:
    """All contacts: shipped ones first, then the imported facilitators."""

    contacts: tuple[Contact, ...]
    imported_at: str | None = None


def _validate_all(raw: Iterable[Any], where: str, territories: Territories) -> list[Contact]:
    contacts: list[Contact] = []
    problems: list[str] = []
    for index, item in enumerate(raw, start=1):
        try:
            contact = Contact.parse_obj(item)
            contact.territoire.check_codes(territories)
        except (ValidationError, ValueError) as error:
            problems.append(f"{where}, contact n° {index} : {error}")
            continue
        contacts.append(contact)
    ids = [c.id for c in contacts]
    problems += [
        f"{where} : identifiant en double « {i} »" for i in sorted(set(ids)) if ids.count(i) > 1
    ]
    if problems:
        raise ContactsError("\n".join(problems))
    return contacts


def load_shipped_contacts(
    path: Path = CONTACTS_FILE, territories: Territories | None = None
) -> list[Contact]:
    """Read and validate knowledge/contacts/contacts.yml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return _validate_all(data.get("contacts", []), path.name, territories or load_territories())


def load_imported(path: Path | None = None) -> tuple[list[Contact], str | None]:
    """Read the imported facilitator directory; empty when nothing was imported yet."""
    path = path or default_import_path()
    if not path.exists():
        return [], None
    data = json.loads(path.read_text(encoding="utf-8"))
    contacts = _validate_all(data.get("facilitateurs", []), path.name, load_territories())
    return contacts, data.get("importe_le")


@lru_cache(maxsize=4)
def _load_directory(import_path: Path, import_mtime: int) -> Directory:
    shipped = load_shipped_contacts()
    imported, imported_at = load_imported(import_path)
    return Directory(tuple(shipped + imported), imported_at)


def load_directory(import_path: Path | None = None) -> Directory:
    """All contacts (cached; re-read when the import file changes, e.g. by another process)."""
    path = import_path or default_import_path()
    mtime = path.stat().st_mtime_ns if path.exists() else 0
    return _load_directory(path, mtime)


def clear_cache() -> None:
    """Forget the cached directory (tests; the import command of the same process)."""
    _load_directory.cache_clear()


# -- routing --------------------------------------------------------------------------------


_KIND_LABEL = {"facilitateur": "facilitateur des clauses sociales", "guichet_vert": "guichet vert"}


@dataclass(frozen=True)
class RoutingResult:
    """The answer to "whom should I contact for KIND at PLACE?"."""

    type: str
    place: Place
    contacts: tuple[Contact, ...]
    repli: bool
    pourquoi: str

    def to_json(self, territories: Territories | None = None) -> dict[str, Any]:
        """The JSON of CONTRACT §3 (`python -m bot contact --json`)."""
        territories = territories or load_territories()
        return {
            "departement": self.place.departement.code if self.place.departement else None,
            "region": self.place.region.slug,
            "type": self.type,
            "contacts": [c.to_json(territories) for c in self.contacts],
            "pourquoi": self.pourquoi,
            "repli": self.repli,
        }


def _most_specific(contacts: Sequence[Contact]) -> list[Contact]:
    for level in _LEVELS:
        found = [c for c in contacts if c.territoire.niveau == level]
        if found:
            return found
    return []


def route(kind: str, place: Place, directory: Directory | None = None) -> RoutingResult:
    """Pick the contacts for `kind` ("facilitateur" or "guichet_vert") at `place`."""
    if kind not in KINDS:
        raise ValueError(f"type de contact inconnu « {kind} » (facilitateur ou guichet_vert)")
    directory = directory or load_directory()
    label = _KIND_LABEL[kind]
    covering = [c for c in directory.contacts if c.territoire.covers(place)]
    direct = _most_specific([c for c in covering if kind in c.sert and c.type != "national"])
    if direct:
        names = " ; ".join(c.structure for c in direct)
        scope = direct[0].territoire.libelle(load_territories())
        why = f"{place.chemin}. Le {label} qui couvre ce territoire ({scope}) : {names}."
        if not any(c.site or c.email or c.telephone for c in direct):
            # Known to exist but no confirmed way to reach it: add the national entry point.
            direct += [c for c in covering if c.type == "national" and kind in c.sert]
            why += " Ses coordonnées ne sont pas confirmées : voici aussi le contact national."
        return RoutingResult(kind, place, tuple(direct), False, why)

    regional = [
        c
        for c in covering
        if c.type in ("guichet_vert", "reseau_regional") and c.territoire.niveau == "regions"
    ]
    national = [c for c in covering if c.type == "national" and kind in c.sert]
    fallback = tuple(regional + national)
    why = f"{place.chemin}. Aucun {label} n'est référencé pour ce territoire"
    if regional:
        why += (
            f" : à défaut, voici le réseau régional des achats publics durables "
            f"({regional[0].structure}), qui peut vous orienter"
        )
        why += ", et le contact national." if national else "."
    else:
        why += ", ni aucun réseau régional : à défaut, voici le contact national."
    return RoutingResult(kind, place, fallback, True, why)


# -- facilitator CSV import -----------------------------------------------------------------

CSV_COLUMNS = (
    "territoire_type",
    "territoire_codes",
    "structure",
    "nom",
    "email",
    "telephone",
    "site",
    "source",
    "verifie_le",
)
"""Columns of the facilitator CSV (header required; `;` or `,` separated; UTF-8).

- territoire_type: `departement`, `epci` or `communes`
- territoire_codes: a department code ("33", "2A", "974"), an EPCI SIREN (9 digits), or INSEE
  commune codes separated by spaces or `|`
- structure (required), nom (optional: a person only if the official directory names them),
  email, telephone, site (at least one of the three), source (defaults to the file name),
  verifie_le (YYYY-MM-DD, defaults to the import date)
"""
_REQUIRED_COLUMNS = ("territoire_type", "territoire_codes", "structure")
_LEVEL_OF = {"departement": "departements", "epci": "epci", "communes": "communes"}


class CsvImportError(ValueError):
    """A rejected CSV import; `problems` lists "ligne N : …" messages in French."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    count: int
    path: Path
    replaced: int


def parse_facilitators_csv(
    text: str, source_name: str, today: dt.date | None = None
) -> list[Contact]:
    """Validate a facilitator CSV: its contacts, or `CsvImportError` listing every problem."""
    today = today or dt.date.today()
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise CsvImportError(["le fichier est vide : aucune ligne à importer"])
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in _REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h and h not in CSV_COLUMNS]
    if missing or unknown:
        header_problems = []
        if missing:
            header_problems.append(
                f"ligne 1 : colonne(s) obligatoire(s) absente(s) : {', '.join(missing)}"
            )
        if unknown:
            header_problems.append(f"ligne 1 : colonne(s) inconnue(s) : {', '.join(unknown)}")
        raise CsvImportError([*header_problems, f"colonnes attendues : {', '.join(CSV_COLUMNS)}"])
    reader.fieldnames = header

    territories = load_territories()
    contacts: list[Contact] = []
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for row in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in row.items() if k}
        if None in row or not any(values.values()):
            if None in row:
                problems.append(f"ligne {line} : trop de valeurs (vérifiez le séparateur)")
            continue
        try:
            contact = _row_to_contact(values, line, source_name, today, territories)
        except ValueError as error:
            problems.append(f"ligne {line} : {error}")
            continue
        level = contact.territoire.niveau
        for code in getattr(contact.territoire, level):
            key = (level, code)
            if key in seen:
                problems.append(
                    f"ligne {line} : le territoire {code} a déjà un facilitateur (ligne "
                    f"{seen[key]}) ; un seul contact par territoire"
                )
            else:
                seen[key] = line
        contacts.append(contact)
    if problems:
        raise CsvImportError(problems)
    if not contacts:
        raise CsvImportError(["le fichier ne contient aucune ligne de données"])
    return contacts


def _row_to_contact(
    values: dict[str, str], line: int, source_name: str, today: dt.date, territories: Territories
) -> Contact:
    kind = values.get("territoire_type", "").lower()
    if kind not in _LEVEL_OF:
        raise ValueError(
            f"territoire_type « {values.get('territoire_type', '')} » invalide "
            "(departement, epci ou communes)"
        )
    codes = tuple(c for c in re.split(r"[\s|]+", values.get("territoire_codes", "")) if c)
    if not codes:
        raise ValueError("territoire_codes est vide")
    if kind != "communes" and len(codes) != 1:
        raise ValueError(f"un seul code attendu pour le type {kind}")
    if kind == "departement":
        codes = tuple(c.upper().zfill(2) if c.isdigit() else c.upper() for c in codes)
    if not (values.get("email") or values.get("telephone") or values.get("site")):
        raise ValueError("indiquez au moins un moyen de contact : email, telephone ou site")
    verified = values.get("verifie_le") or today.isoformat()
    try:
        checked = dt.date.fromisoformat(verified)
    except ValueError:
        raise ValueError(f"verifie_le « {verified} » n'est pas une date AAAA-MM-JJ") from None
    try:
        contact = Contact(
            id=f"import_l{line}",
            type="facilitateur",
            sert=("facilitateur",),
            structure=values.get("structure", ""),
            nom=values.get("nom", ""),
            territoire=Territoire.parse_obj({_LEVEL_OF[kind]: codes}),
            site=values.get("site", ""),
            email=values.get("email", ""),
            telephone=values.get("telephone", ""),
            sources=(values.get("source") or f"annuaire importé ({source_name})",),
            verifie_le=checked,
        )
        contact.territoire.check_codes(territories)
    except ValidationError as error:
        raise ValueError("; ".join(_french_errors(error))) from None
    return contact


def _french_errors(error: ValidationError) -> list[str]:
    messages = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"] if p != "__root__")
        text = item["msg"]
        if item["type"] == "value_error.any_str.min_length":
            text = "obligatoire"
        messages.append(f"{field} : {text}" if field else text)
    return messages


def import_facilitators_csv(
    csv_path: Path, target: Path | None = None, today: dt.date | None = None
) -> ImportReport:
    """Validate `csv_path` and replace the imported directory with it, atomically.

    Nothing is written unless every row is valid. The new file is written next to the target
    and moved over it with `os.replace`, so readers see the old or the new directory, never half.
    """
    target = target or default_import_path()
    raw = csv_path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CsvImportError(
            ["le fichier n'est pas en UTF-8 (réenregistrez-le en « CSV UTF-8 »)"]
        ) from None
    contacts = parse_facilitators_csv(text, csv_path.name, today)
    previous = len(load_imported(target)[0]) if target.exists() else 0
    payload = {
        "importe_le": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "fichier": csv_path.name,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "facilitateurs": [json.loads(c.json()) for c in contacts],
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    # A named temporary file in the target's directory (same filesystem, so os.replace is
    # atomic); closed before the move, hence no context manager around its whole life.
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
        "w", encoding="utf-8", dir=target.parent, prefix=".import-", suffix=".json", delete=False
    )
    try:
        with handle:
            json.dump(payload, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return ImportReport(count=len(contacts), path=target, replaced=previous)


# -- conversation ---------------------------------------------------------------------------

_TYPE_LABEL = {
    "guichet_vert": "Guichet vert",
    "reseau_regional": "Réseau régional des achats publics durables",
    "facilitateur": "Facilitateur des clauses sociales",
    "national": "Contact national",
}


def format_card(contact: Contact, territories: Territories | None = None) -> str:
    """A contact as a short French card: who, what they offer, how to reach them, where."""
    territories = territories or load_territories()
    lines = [f"{_TYPE_LABEL[contact.type]} : {contact.structure}"]
    if contact.offre:
        lines.append(f"Ce qu'il propose : {contact.offre}")
    reach = [
        value for value in (contact.nom, contact.email, contact.telephone, contact.site) if value
    ]
    if reach:
        lines.append("Pour le joindre : " + " · ".join(reach))
    else:
        lines.append(f"Coordonnées non confirmées : voir {contact.sources[0]}")
    lines.append(f"Territoire couvert : {contact.territoire.libelle(territories)}")
    if contact.incertain:
        lines.append(f"À vérifier : {contact.note}")
    return "\n".join(lines)

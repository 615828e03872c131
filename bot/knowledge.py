"""Regulatory knowledge base: obligations, levers, facts and thresholds, loaded from `knowledge/`.

The YAML files are data only; this module validates them at load time (pydantic v1 models plus
cross-references) and reports every problem with its file and line, so a typo in an obligation
fails loudly instead of silently dropping a rule. Build with `get_knowledge()` (cached) or
`load_knowledge(directory)` in tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Union

import yaml
from pydantic import (
    BaseModel,
    Extra,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    root_validator,
    validator,
)

from bot.paths import KNOWLEDGE_DIR

OBLIGATIONS_FILE = "obligations.yml"
LEVERS_FILE = "leviers.yml"
ESTABLISHMENTS_FILE = "etablissements.yml"
CATEGORIES_FILE = "categories.yml"

STALE_AFTER_DAYS = 365
"""An item whose `verifie_le` is older than this is reported by `python -m bot kb check`."""

# CONTRACT §2 ids, used only while knowledge/etablissements.yml or categories.yml is missing.
_FALLBACK_ESTABLISHMENTS = (
    "etat_central",
    "etat_deconcentre",
    "etablissement_public_etat",
    "commune",
    "departement",
    "region",
    "epci",
    "etablissement_public_local",
    "etablissement_sante",
    "entreprise_publique",
)
_FALLBACK_CATEGORIES = (
    "restauration_collective",
    "vehicules",
    "travaux_batiment",
    "informatique",
    "fournitures_bureau",
    "mobilier",
    "textile",
    "nettoyage",
    "energie",
    "espaces_verts",
    "evenementiel",
)

Op = Literal[">", ">=", "<", "<=", "==", "!=", "in", "not_in"]
ConditionValue = Union[StrictInt, StrictFloat, StrictStr, list[StrictStr]]  # noqa: UP007 (pydantic v1 needs Union)
FactType = Literal["montant", "nombre", "surface", "choix"]
FactValue = Union[int, float, str]  # noqa: UP007 (runtime alias on Python 3.10)
"""A fact's value: euros or a count (int), an area (int or float), or a choice id (str)."""


class _Model(BaseModel):
    class Config:
        extra = Extra.forbid  # a misspelt key is an error, not a silently ignored field
        allow_mutation = False


class Reference(_Model):
    """A legal reference: its wording and a Légifrance link."""

    texte: str
    url: str
    url_precision: Literal["article", "texte", "code", "recherche"]

    @validator("url")
    def _https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError("le lien doit commencer par https://")
        return value


class Resource(_Model):
    """A useful page for the buyer (platform, guide)."""

    titre: str
    url: str


class Condition(_Model):
    """A declarative condition: a comparison on one fact, a test on the establishment type
    (`etablissement: [...]`, true when the buyer's type is listed; `op: not_in` inverts it), or
    an all/any combination."""

    fait: str | None = None
    op: Op | None = None
    valeur: ConditionValue | None = None
    seuil: str | None = None
    etablissement: list[str] | None = None
    tous: list[Condition] | None = None
    au_moins_un: list[Condition] | None = None

    @root_validator(skip_on_failure=True)
    def _one_form(cls, values: dict[str, Any]) -> dict[str, Any]:
        combos = [k for k in ("tous", "au_moins_un") if values.get(k) is not None]
        if combos:
            if len(combos) > 1 or any(
                values.get(k) is not None
                for k in ("fait", "op", "valeur", "seuil", "etablissement")
            ):
                raise ValueError(
                    "une condition est soit une comparaison (fait/op/valeur), soit tous/au_moins_un"
                )
            if not values[combos[0]]:
                raise ValueError(f"« {combos[0]} » ne peut pas être vide")
            return values
        if values.get("etablissement") is not None:
            if any(values.get(k) is not None for k in ("fait", "valeur", "seuil")):
                raise ValueError(
                    "une condition « etablissement » ne prend ni « fait », "
                    "ni « valeur », ni « seuil »"
                )
            if values.get("op") not in (None, "in", "not_in"):
                raise ValueError("une condition « etablissement » n'accepte que op: in ou not_in")
            if not values["etablissement"]:
                raise ValueError("« etablissement » ne peut pas être vide")
            return values
        if values.get("fait") is None or values.get("op") is None:
            raise ValueError("une comparaison demande « fait » et « op »")
        if (values.get("valeur") is None) == (values.get("seuil") is None):
            raise ValueError("une comparaison demande soit « valeur », soit « seuil »")
        if values["op"] in ("in", "not_in") and not isinstance(values.get("valeur"), list):
            raise ValueError(f"l'opérateur {values['op']} demande une liste de valeurs")
        return values

    def facts(self) -> list[str]:
        """The facts this condition reads, in order."""
        if self.etablissement is not None:
            return []
        if self.fait is not None:
            return [self.fait]
        return [f for child in (self.tous or self.au_moins_un or []) for f in child.facts()]


Condition.update_forward_refs()


class Precision(_Model):
    """A detail for some profiles, dates or facts only (e.g. a rate rising over time)."""

    texte: str
    assujettis: list[str] | None = None
    categories: list[str] | None = None
    depuis: dt.date | None = None
    jusqu_au: dt.date | None = None
    condition: Condition | None = None


class Obligation(_Model):
    """One obligation of BRIEF §4."""

    id: str
    titre: str
    mots_cles: list[str] = []
    resume: str
    details: str | None = None
    assujettis: list[str] | Literal["tous"]
    categories: list[str] | Literal["toutes"]
    conditions: Condition | None = None
    portee: str | None = None
    """Who or what the rule really targets when the tool's criteria are broader (an exemption,
    a kind of catering): said with the "why" so the user is not told "sans autre condition"."""
    depuis: dt.date
    jusqu_au: dt.date | None = None
    references: list[Reference]
    leviers: list[str]
    ressources: list[Resource] = []
    precisions: list[Precision] = []
    sources: list[str]
    verifie_le: dt.date
    verification: str | None = None
    incertain: bool = False
    note_incertitude: str | None = None

    @validator("id")
    def _snake(cls, value: str) -> str:
        if not value.replace("_", "").isalnum() or value.lower() != value:
            raise ValueError("l'identifiant doit être en snake_case minuscule")
        return value

    @validator("references", "sources")
    def _not_empty(cls, value: list[Any]) -> list[Any]:
        if not value:
            raise ValueError("au moins une entrée est obligatoire")
        return value

    @validator("leviers")
    def _several_levers(cls, value: list[str]) -> list[str]:
        if len(value) < 2:
            raise ValueError("au moins deux leviers d'action par obligation")
        return value

    @root_validator(skip_on_failure=True)
    def _uncertainty_explained(cls, values: dict[str, Any]) -> dict[str, Any]:
        if values.get("incertain") and not values.get("note_incertitude"):
            raise ValueError("« incertain: true » demande une « note_incertitude »")
        end = values.get("jusqu_au")
        if end is not None and end < values["depuis"]:
            raise ValueError("« jusqu_au » est avant « depuis »")
        return values

    def applies_to_type(self, establishment: str) -> bool:
        """True when `establishment` is among the subjects."""
        return self.assujettis == "tous" or establishment in self.assujettis

    def applies_to_category(self, category: str) -> bool:
        """True when `category` is among the categories."""
        return self.categories == "toutes" or category in self.categories


class Lever(_Model):
    """An action lever: how to comply or go further."""

    id: str
    titre: str
    texte: str
    lien: str | None = None
    source: str
    verifie_le: dt.date

    def as_text(self) -> str:
        """One line for a chat message or the CLI."""
        return f"{self.titre} : {self.texte}"


class FactChoice(_Model):
    """One allowed value of a choice fact."""

    libelle: str
    bouton: str
    synonymes: list[str] = []


class FactDefinition(_Model):
    """A fact the engine may need (CONTRACT §3 keys), with its question and bounds."""

    libelle: str
    type: FactType
    unite: str | None = None
    question: str
    phrase: str
    exemple: str
    min: float | None = None
    max: float | None = None
    valeurs: dict[str, FactChoice] | None = None
    indices: list[str] = []
    """Cue words that tie a number of a sentence to this fact ("achats annuels … 30 M€",
    "25 véhicules"): bot/diagnostic.py reads every number of a message and gives each to the
    fact whose cue is nearest in the same clause."""

    @validator("indices", each_item=True)
    def _cue(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("un indice ne peut pas être vide")
        return value

    @root_validator(skip_on_failure=True)
    def _choices(cls, values: dict[str, Any]) -> dict[str, Any]:
        if (values.get("type") == "choix") != bool(values.get("valeurs")):
            raise ValueError(
                "« valeurs » est obligatoire pour un fait de type choix, et seulement pour lui"
            )
        if "{valeur}" not in values.get("phrase", ""):
            raise ValueError("« phrase » doit contenir {valeur}")
        return values


class ThresholdRow(_Model):
    """One row of a threshold table; the first row matching the date and profile wins."""

    depuis: dt.date
    jusqu_au: dt.date | None = None
    assujettis: list[str] | None = None
    categories: list[str] | None = None
    valeur: float
    libelle: str

    def matches(self, establishment: str, category: str) -> bool:
        """True when this row applies to the profile (whatever the date)."""
        return (self.assujettis is None or establishment in self.assujettis) and (
            self.categories is None or category in self.categories
        )

    def covers(self, date: dt.date) -> bool:
        """True when `date` is within the row's period."""
        return self.depuis <= date and (self.jusqu_au is None or date <= self.jusqu_au)


class Threshold(_Model):
    """A threshold whose value depends on the date, the establishment type and the category."""

    sources: list[str]
    lignes: list[ThresholdRow]


class Wording(_Model):
    """Phrases used to build the French explanations."""

    etablissements: dict[str, str]
    categories: dict[str, str]


class _ObligationsFile(_Model):
    date_base: dt.date
    formulations: Wording
    faits: dict[str, FactDefinition]
    seuils: dict[str, Threshold] = {}
    obligations: list[Obligation]

    @validator("faits")
    def _cues_name_one_fact(cls, facts: dict[str, FactDefinition]) -> dict[str, FactDefinition]:
        # A cue listed for two facts would tie a number to both: it must decide one.
        owner: dict[str, str] = {}
        for key, definition in facts.items():
            for cue in definition.indices:
                folded = " ".join(cue.lower().split())
                if owner.get(folded, key) != key:
                    raise ValueError(f"l'indice « {cue} » est donné pour {owner[folded]} et {key}")
                owner[folded] = key
        return facts


class _LeversFile(_Model):
    leviers: list[Lever]


@dataclass(frozen=True)
class Problem:
    """One problem found in the knowledge files, located by file and line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge files are invalid; `problems` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(
            "Base de connaissances invalide :\n" + "\n".join(f"  {p}" for p in self.problems)
        )


@dataclass(frozen=True)
class Vocabulary:
    """Establishment types or purchase categories: id → label."""

    labels: dict[str, str]

    def __contains__(self, item: object) -> bool:
        return item in self.labels

    def label(self, item: str) -> str:
        """The French label of `item` (the id itself when unknown)."""
        return self.labels.get(item, item)


@dataclass(frozen=True)
class Knowledge:
    """The validated knowledge base. Build with `get_knowledge()` or `load_knowledge()`."""

    date_base: dt.date
    etablissements: Vocabulary
    categories: Vocabulary
    wording: Wording
    facts: dict[str, FactDefinition]
    thresholds: dict[str, Threshold]
    obligations: tuple[Obligation, ...]
    levers: dict[str, Lever]
    lines: dict[str, int] = field(default_factory=dict)
    """Line of each obligation and lever in its file (`obligation:<id>`, `levier:<id>`)."""

    def obligation(self, obligation_id: str) -> Obligation:
        """The obligation with this id; KeyError when unknown."""
        for obligation in self.obligations:
            if obligation.id == obligation_id:
                return obligation
        raise KeyError(obligation_id)

    def levers_of(self, obligation: Obligation) -> list[Lever]:
        """The levers attached to `obligation`, in order."""
        return [self.levers[lever_id] for lever_id in obligation.leviers]

    def stale_items(self, today: dt.date, max_age_days: int = STALE_AFTER_DAYS) -> list[str]:
        """Ids (`obligation:<id>`, `levier:<id>`) checked more than `max_age_days` ago."""
        limit = today - dt.timedelta(days=max_age_days)
        stale = [f"obligation:{o.id}" for o in self.obligations if o.verifie_le < limit]
        stale += [
            f"levier:{lever.id}" for lever in self.levers.values() if lever.verifie_le < limit
        ]
        return stale

    def checked_on(self) -> dt.date:
        """The oldest `verifie_le` among obligations: the date to quote to users."""
        return min((o.verifie_le for o in self.obligations), default=self.date_base)


# --- loading ---------------------------------------------------------------------------------


Path_ = tuple[Union[str, int], ...]  # noqa: UP007


def _line_map(node: yaml.Node, path: Path_ = ()) -> dict[Path_, int]:
    """Map each path in the YAML document to its 1-based line, for error messages."""
    lines: dict[Path_, int] = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child: Path_ = (*path, key_node.value)
            lines[child] = key_node.start_mark.line + 1
            for sub, line in _line_map(value_node, child).items():
                lines.setdefault(sub, line)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            item_path: Path_ = (*path, index)
            lines.update(_line_map(item, item_path))
    return lines


def _line_of(lines: Mapping[Path_, int], path: Iterable[str | int]) -> int:
    """The line of the longest prefix of `path` known in `lines`."""
    parts = [p for p in path if p != "__root__"]
    while parts:
        if tuple(parts) in lines:
            return lines[tuple(parts)]
        parts.pop()
    return 1


def _read_yaml(path: Path) -> tuple[Any, dict[Path_, int]]:
    """Parse `path`, returning the data and its line map; YAML errors become a KnowledgeError."""
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise KnowledgeError([Problem(path.name, line, f"YAML illisible : {error}")]) from error
    return data, (_line_map(node) if node is not None else {})


def _validation_problems(
    file: str, error: ValidationError, lines: Mapping[Path_, int]
) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = [p for p in item["loc"] if p != "__root__"]
        where = ".".join(str(p) for p in loc)
        problems.append(Problem(file, _line_of(lines, loc), f"{where} : {item['msg']}"))
    return problems


def _read_vocabulary(directory: Path, file: str, key: str, fallback: tuple[str, ...]) -> Vocabulary:
    """Read ids and labels from another helper's vocabulary file (list under `key`)."""
    path = directory / file
    if not path.exists():
        return Vocabulary({item: item for item in fallback})
    data, lines = _read_yaml(path)
    entries = data.get(key) if isinstance(data, dict) else data
    labels: dict[str, str] = {}
    problems = []
    if isinstance(entries, dict):  # tolerate a mapping id → entry
        entries = [
            {"id": k, **(v if isinstance(v, dict) else {"libelle": v})} for k, v in entries.items()
        ]
    if not isinstance(entries, list):
        raise KnowledgeError([Problem(file, 1, f"liste « {key} » introuvable")])
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            problems.append(Problem(file, _line_of(lines, (key, index)), "entrée sans « id »"))
            continue
        labels[entry["id"]] = str(entry.get("libelle") or entry["id"])
    if problems:
        raise KnowledgeError(problems)
    return Vocabulary(labels)


def _cross_check(
    parsed: _ObligationsFile,
    levers: dict[str, Lever],
    establishments: Vocabulary,
    categories: Vocabulary,
    lines: Mapping[Path_, int],
) -> list[Problem]:
    """Check references between items: types, categories, facts, thresholds, levers, unique ids."""
    problems: list[Problem] = []

    def report(path: Path_, message: str) -> None:
        problems.append(Problem(OBLIGATIONS_FILE, _line_of(lines, path), message))

    def check_types(path: Path_, values: Iterable[str] | None) -> None:
        for value in values or []:
            if value not in establishments:
                report(path, f"type d'établissement inconnu : « {value} »")

    def check_categories(path: Path_, values: Iterable[str] | None) -> None:
        for value in values or []:
            if value not in categories:
                report(path, f"catégorie d'achat inconnue : « {value} »")

    def check_condition(path: Path_, condition: Condition) -> None:
        children = condition.tous or condition.au_moins_un
        if children:
            key = "tous" if condition.tous else "au_moins_un"
            for index, child in enumerate(children):
                check_condition((*path, key, index), child)
            return
        if condition.etablissement is not None:
            check_types((*path, "etablissement"), condition.etablissement)
            return
        assert condition.fait is not None
        definition = parsed.faits.get(condition.fait)
        if definition is None:
            report((*path, "fait"), f"fait inconnu : « {condition.fait} »")
            return
        if condition.seuil is not None and condition.seuil not in parsed.seuils:
            report((*path, "seuil"), f"seuil inconnu : « {condition.seuil} »")
        values = condition.valeur if isinstance(condition.valeur, list) else [condition.valeur]
        for value in values:
            if value is None:
                continue
            if definition.type == "choix":
                if value not in (definition.valeurs or {}):
                    report(
                        (*path, "valeur"),
                        f"valeur « {value} » inconnue pour le fait {condition.fait}",
                    )
            elif not isinstance(value, (int, float)) or isinstance(value, bool):
                report(
                    (*path, "valeur"), f"le fait {condition.fait} attend un nombre, pas « {value} »"
                )

    for key in parsed.formulations.etablissements:
        if key not in establishments:
            report(
                ("formulations", "etablissements", key), f"type d'établissement inconnu : « {key} »"
            )
    for key in establishments.labels:
        if key not in parsed.formulations.etablissements:
            report(("formulations", "etablissements"), f"formulation manquante pour « {key} »")
    for key in parsed.formulations.categories:
        if key not in categories:
            report(("formulations", "categories", key), f"catégorie d'achat inconnue : « {key} »")
    for key in categories.labels:
        if key not in parsed.formulations.categories:
            report(("formulations", "categories"), f"formulation manquante pour « {key} »")
    for name, threshold in parsed.seuils.items():
        for index, row in enumerate(threshold.lignes):
            check_types(("seuils", name, "lignes", index), row.assujettis)
            check_categories(("seuils", name, "lignes", index), row.categories)

    seen: set[str] = set()
    for index, obligation in enumerate(parsed.obligations):
        base: Path_ = ("obligations", index)
        if obligation.id in seen:
            report((*base, "id"), f"identifiant en double : « {obligation.id} »")
        seen.add(obligation.id)
        if obligation.assujettis != "tous":
            check_types((*base, "assujettis"), obligation.assujettis)
        if obligation.categories != "toutes":
            check_categories((*base, "categories"), obligation.categories)
        if obligation.conditions is not None:
            check_condition((*base, "conditions"), obligation.conditions)
        for lever_index, lever_id in enumerate(obligation.leviers):
            if lever_id not in levers:
                report((*base, "leviers", lever_index), f"levier inconnu : « {lever_id} »")
        for p_index, precision in enumerate(obligation.precisions):
            check_types((*base, "precisions", p_index, "assujettis"), precision.assujettis)
            check_categories((*base, "precisions", p_index, "categories"), precision.categories)
            if precision.condition is not None:
                check_condition((*base, "precisions", p_index, "condition"), precision.condition)
    return problems


def load_knowledge(directory: Path = KNOWLEDGE_DIR) -> Knowledge:
    """Load and validate the knowledge files of `directory`; raise KnowledgeError on any problem."""
    establishments = _read_vocabulary(
        directory, ESTABLISHMENTS_FILE, "etablissements", _FALLBACK_ESTABLISHMENTS
    )
    categories = _read_vocabulary(directory, CATEGORIES_FILE, "categories", _FALLBACK_CATEGORIES)

    problems: list[Problem] = []
    levers_data, levers_lines = _read_yaml(directory / LEVERS_FILE)
    levers: dict[str, Lever] = {}
    try:
        levers_file = _LeversFile.parse_obj(levers_data)
    except ValidationError as error:
        problems += _validation_problems(LEVERS_FILE, error, levers_lines)
    else:
        for index, lever in enumerate(levers_file.leviers):
            if lever.id in levers:
                problems.append(
                    Problem(
                        LEVERS_FILE,
                        _line_of(levers_lines, ("leviers", index)),
                        f"levier en double : « {lever.id} »",
                    )
                )
            levers[lever.id] = lever

    data, lines = _read_yaml(directory / OBLIGATIONS_FILE)
    try:
        parsed = _ObligationsFile.parse_obj(data)
    except ValidationError as error:
        raise KnowledgeError(
            problems + _validation_problems(OBLIGATIONS_FILE, error, lines)
        ) from error
    problems += _cross_check(parsed, levers, establishments, categories, lines)
    if problems:
        raise KnowledgeError(problems)

    item_lines = {
        f"obligation:{o.id}": _line_of(lines, ("obligations", i))
        for i, o in enumerate(parsed.obligations)
    }
    item_lines.update(
        {
            f"levier:{lever_id}": _line_of(levers_lines, ("leviers", i))
            for i, lever_id in enumerate(levers)
        }
    )
    return Knowledge(
        date_base=parsed.date_base,
        etablissements=establishments,
        categories=categories,
        wording=parsed.formulations,
        facts=parsed.faits,
        thresholds=parsed.seuils,
        obligations=tuple(parsed.obligations),
        levers=levers,
        lines=item_lines,
    )


@lru_cache(maxsize=1)
def get_knowledge() -> Knowledge:
    """The knowledge base of the repository (cached; `get_knowledge.cache_clear()` in tests)."""
    return load_knowledge(KNOWLEDGE_DIR)

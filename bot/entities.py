"""Canonical entity extraction from French text, without Rasa.

The closed vocabularies of CONTRACT §2 (establishment types, purchase categories, regions,
departments) are matched whole on folded text (case, accents, hyphens and apostrophes ignored),
longest phrase first, so that "Provence-Alpes-Côte d'Azur" is one region and not three tokens.
Postal codes, e-mail addresses and amounts come from regular expressions; commune names from the
official commune list when a locative cue ("à", "mairie de" …) precedes them.

The Rasa component `rasa_components.canonical_entities` is a thin adapter over `extract()`;
the triage and the tests call it directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any

import yaml

from bot.paths import KNOWLEDGE_DIR
from bot.text import edit_distance_at_most, fold

EXTRACTOR_NAME = "CanonicalEntityExtractor"

CLOSED_ENTITY_TYPES = ("establishment_type", "purchase_category", "region", "department")
PATTERN_ENTITY_TYPES = ("postal_code", "email", "amount")
ROUTING_INTENTS = frozenset({"find_facilitator", "find_green_desk"})

# Longest phrase, in tokens, that the gazetteer tries ("communauté de communes du …").
_MAX_PHRASE_TOKENS = 8

# Words that, right before "département" / "région", make it a place ("dans le département du
# Nord", "en région Occitanie", "mon département"), not the kind of buyer.
_PLACE_DETERMINERS = frozenset(
    {"en", "dans", "mon", "ma", "notre", "votre", "quel", "quelle", "cette"}
)

# Cue words after which a capitalised word can be a commune name.
_CITY_CUES = frozenset(
    {
        "a",
        "de",
        "d",
        "sur",
        "pres",
        "vers",
        "pour",
        "autour",
        "commune",
        "ville",
        "mairie",
        "habite",
        "base",
        "situe",
    }
)
_CITY_JOINERS = frozenset(
    {"de", "du", "des", "la", "le", "les", "sur", "sous", "en", "d", "l", "lès"}
)
_WORD = re.compile(r"\w+", re.UNICODE)

_UNIT_AFTER_NUMBER = (
    r"(?:habitants?|hab\b|repas|couverts|m2|m²|m\b|metres?|mètres?|km|vehicules?|véhicules?|"
    r"voitures?|bus|cars?|agents?|places?|personnes?|salariés?|salaries?|lits?|élèves?|eleves?|"
    r"%|ans?\b|jours?|heures?|h\b|min)"
)
_MONTHS = r"(?:janv|févr|fevr|mars|avr|mai|juin|juil|août|aout|sept|oct|nov|déc|dec)"
POSTAL_CODE_RE = re.compile(
    rf"(?<!\w)(?<!\d[.,])(\d{{5}})(?!\w|[.,]\d|\s*(?:€|euros?|k€|M€|{_UNIT_AFTER_NUMBER}))",
    re.IGNORECASE,
)
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}(?![\w-])")

_NUMBER_WORDS = (
    "un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|"
    "seize|vingts?|trente|quarante|cinquante|soixante|cents?|mille"
)
_NUMBER = (
    rf"(?:\d{{1,3}}(?:[  .]\d{{3}})+(?:,\d+)?|\d+(?:[.,]\d+)?|"
    rf"(?:{_NUMBER_WORDS})(?:[\s-](?:et[\s-])?(?:{_NUMBER_WORDS}))*)"
)
_MULTIPLIER = r"(?:milliards?|mds?|md|millions?|mio|mns?|m|milliers?|mille|k)"
_CURRENCY = r"(?:€|euros?|eur\b|d'euros|de\s+francs?)"
AMOUNT_RE = re.compile(
    rf"(?<![\w.,])(?:{_NUMBER})\s*(?:"
    rf"{_MULTIPLIER}\s*(?:{_CURRENCY})?|{_CURRENCY}"
    rf")(?:\s*(?:HT|H\.T\.?|TTC|hors\s+taxes?))?(?!\w)",
    re.IGNORECASE,
)
# A number-word "amount" must carry a multiplier or a currency ("deux millions"), otherwise
# "un marché" or "une commune" would be amounts; the regex above guarantees that.
_NOT_AMOUNT_AFTER = re.compile(rf"\s*(?:d'|de\s+)?{_UNIT_AFTER_NUMBER}", re.IGNORECASE)

# A department code ("59", "2A", "974"), not followed by a month or a unit ("le 15 janvier",
# "le 46 véhicules").
_DEPARTMENT_CODE = (
    r"(\d{2,3}|2\s?[ab])\b(?!\s*(?:" + _MONTHS + r"|[,.]\d|%|€|" + _UNIT_AFTER_NUMBER + r"))"
)
DEPARTMENT_NUMBER_RE = re.compile(
    r"(?:\b(?:le|du|au|dans\s+le|departement|département|dep|dép|dept|dpt)\.?\s+|\()"
    + _DEPARTMENT_CODE,
    re.IGNORECASE,
)
BARE_NUMBER_RE = re.compile(r"(?<![\w,.])" + _DEPARTMENT_CODE, re.IGNORECASE)


@dataclass(frozen=True)
class Entity:
    """One extracted entity, with offsets into the text it was found in."""

    entity: str
    value: str
    start: int
    end: int
    text: str
    confidence: float = 1.0

    def as_rasa(self) -> dict[str, Any]:
        """The entity in Rasa's parse-result format."""
        return {
            "entity": self.entity,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "confidence_entity": self.confidence,
            "extractor": EXTRACTOR_NAME,
        }


@dataclass(frozen=True)
class PhraseTarget:
    """What a gazetteer phrase means; `case_sensitive` phrases must start with a capital."""

    entity: str
    value: str
    case_sensitive: bool = False
    contextual: bool = False


@dataclass
class Gazetteer:
    """Folded phrases (as token tuples) → what they mean, plus the data for fuzzy matching."""

    phrases: dict[tuple[str, ...], list[PhraseTarget]] = field(default_factory=dict)
    fuzzy_vocabulary: dict[int, set[str]] = field(default_factory=dict)
    communes: dict[tuple[str, ...], int] = field(default_factory=dict)
    department_codes: frozenset[str] = frozenset()
    canonical_values: dict[str, set[str]] = field(default_factory=dict)
    known_words: set[str] = field(default_factory=set)

    def add(self, phrase: str, target: PhraseTarget, fuzzy: bool = False) -> None:
        """Register `phrase` (any spelling) as meaning `target`."""
        tokens = tuple(_tokens_of(phrase))
        if not tokens:
            return
        targets = self.phrases.setdefault(tokens, [])
        self.canonical_values.setdefault(target.entity, set()).add(target.value)
        if target not in targets:
            targets.append(target)
        if fuzzy:
            for token in tokens:
                if len(token) >= 6:
                    self.fuzzy_vocabulary.setdefault(len(token), set()).add(token)
                    self.known_words.add(token)


def _tokens_of(text: str) -> list[str]:
    return [_canonical_token(token) for token in fold(text).split()]


def _canonical_token(token: str) -> str:
    # "St-Médard", "Ste Foy": the official names spell Saint/Sainte out. A final "s" is dropped
    # on both sides of every comparison, so "achats informatiques" meets "informatique".
    token = {"st": "saint", "ste": "sainte"}.get(token, token)
    return token[:-1] if len(token) > 3 and token.endswith("s") else token


@dataclass(frozen=True)
class _Token:
    folded: str
    start: int
    end: int
    capitalised: bool


def _tokenize(text: str) -> list[_Token]:
    tokens = []
    for match in _WORD.finditer(text):
        raw = match.group()
        folded = fold(raw).replace(" ", "")
        if not folded:
            continue
        tokens.append(
            _Token(_canonical_token(folded), match.start(), match.end(), raw[0].isupper())
        )
    return tokens


def _load_vocabulary(path_name: str, key: str) -> list[Mapping[str, Any]]:
    path = KNOWLEDGE_DIR / path_name
    with path.open(encoding="utf-8") as handle:
        entries: list[Mapping[str, Any]] = yaml.safe_load(handle)[key]
    return entries


def build_gazetteer(
    vocabularies: Mapping[str, Sequence[Mapping[str, Any]]],
    places: Iterable[tuple[str, str, str, bool]],
    communes: Mapping[str, int],
    department_codes: Iterable[str],
) -> Gazetteer:
    """Build a gazetteer.

    `vocabularies` maps an entity type to entries with `id`, `libelle`, `synonymes` and optional
    `synonymes_sensibles_casse` (acronyms matched in upper case only) and `synonymes_contextuels`
    (words that also name places, or too general to decide alone); `places` yields
    (phrase, entity, value, case_sensitive);
    `communes` maps a commune name to its population (largest homonym).
    """
    gazetteer = Gazetteer(department_codes=frozenset(department_codes))
    for entity, entries in vocabularies.items():
        for entry in entries:
            value = str(entry["id"])
            for phrase in [
                entry.get("libelle", ""),
                value.replace("_", " "),
                *entry.get("synonymes", []),
            ]:
                if phrase:
                    gazetteer.add(str(phrase), PhraseTarget(entity, value), fuzzy=True)
            for phrase in entry.get("synonymes_sensibles_casse", []) or []:
                tokens = tuple(_tokens_of(str(phrase)))
                # A case-sensitive acronym ("CA", "CC") must not also match in lower case.
                if tokens in gazetteer.phrases:
                    gazetteer.phrases[tokens] = [
                        t for t in gazetteer.phrases[tokens] if t.value != value
                    ] or gazetteer.phrases.pop(tokens)
                gazetteer.add(str(phrase), PhraseTarget(entity, value, case_sensitive=True))
            for phrase in entry.get("synonymes_contextuels", []) or []:
                tokens = tuple(_tokens_of(str(phrase)))
                gazetteer.phrases.pop(tokens, None)
                gazetteer.add(str(phrase), PhraseTarget(entity, value, contextual=True))
    for phrase, entity, value, case_sensitive in places:
        gazetteer.add(phrase, PhraseTarget(entity, value, case_sensitive))
    for name, population in communes.items():
        tokens = tuple(_tokens_of(name))
        if tokens:
            gazetteer.communes[tokens] = max(population, gazetteer.communes.get(tokens, 0))
    return gazetteer


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The gazetteer built from `knowledge/` (vocabularies and official territory tables)."""
    from bot import territory

    vocabularies = {
        "establishment_type": _load_vocabulary("etablissements.yml", "etablissements"),
        "purchase_category": _load_vocabulary("categories.yml", "categories"),
    }
    return build_gazetteer(
        vocabularies,
        territory.entity_phrases(),
        territory.commune_populations(),
        territory.department_codes(),
    )


def _overlaps(entity: Entity, taken: Sequence[tuple[int, int]]) -> bool:
    return any(entity.start < end and start < entity.end for start, end in taken)


class _Extraction:
    """One run of the extractor over one text (keeps the spans already taken)."""

    def __init__(self, text: str, gazetteer: Gazetteer, intent: str | None) -> None:
        self.text = text
        self.gazetteer = gazetteer
        self.intent = intent
        self.entities: list[Entity] = []
        self.taken: list[tuple[int, int]] = []
        self.weak_spans: set[tuple[int, int]] = set()

    def add(self, entity: Entity, exclusive: bool = True) -> None:
        if any(e.entity == entity.entity and e.value == entity.value for e in self.entities):
            return
        self.entities.append(entity)
        if exclusive:
            self.taken.append((entity.start, entity.end))

    def span(self, start: int, end: int) -> str:
        return self.text[start:end]

    def run(self) -> list[Entity]:
        self._patterns()
        self._department_numbers()
        tokens = [t for t in _tokenize(self.text) if not self._inside_taken(t)]
        self._phrases(tokens)
        self._drop_weak_categories()
        self._cities(tokens)
        return sorted(self.entities, key=lambda e: (e.start, e.entity))

    def _drop_weak_categories(self) -> None:
        """A general word ("restauration") counts only when nothing more precise was said."""
        weak = [e for e in self.entities if (e.start, e.end) in self.weak_spans]
        if len([e for e in self.entities if e.entity == "purchase_category"]) > len(weak):
            self.entities = [e for e in self.entities if e not in weak]

    def _inside_taken(self, token: _Token) -> bool:
        return any(start <= token.start and token.end <= end for start, end in self.taken)

    def _patterns(self) -> None:
        for match in EMAIL_RE.finditer(self.text):
            self.add(Entity("email", match.group(), match.start(), match.end(), match.group()))
        for match in AMOUNT_RE.finditer(self.text):
            if _NOT_AMOUNT_AFTER.match(self.text, match.end()):
                continue
            entity = Entity(
                "amount", match.group().strip(), match.start(), match.end(), match.group()
            )
            if not _overlaps(entity, self.taken):
                self.add(entity)
        for match in POSTAL_CODE_RE.finditer(self.text):
            entity = Entity(
                "postal_code", match.group(1), match.start(1), match.end(1), match.group(1)
            )
            if not _overlaps(entity, self.taken):
                self.add(entity)

    def _department_numbers(self) -> None:
        # Someone looking for a contact who types a bare number means a department ("93").
        pattern = BARE_NUMBER_RE if self.intent in ROUTING_INTENTS else DEPARTMENT_NUMBER_RE
        for match in pattern.finditer(self.text):
            code = match.group(1).replace(" ", "").upper()
            code = code if len(code) > 1 and not code.isdigit() else code.zfill(2)
            if code not in self.gazetteer.department_codes:
                continue
            entity = Entity("department", code, match.start(1), match.end(1), match.group(1))
            if not _overlaps(entity, self.taken):
                self.add(entity)

    def _phrases(self, tokens: list[_Token]) -> None:
        words = [token.folded for token in tokens]
        i = 0
        while i < len(tokens):
            consumed = self._match_at(tokens, words, i)
            i += consumed or 1

    def _match_at(self, tokens: list[_Token], words: list[str], i: int) -> int:
        for length in range(min(_MAX_PHRASE_TOKENS, len(tokens) - i), 0, -1):
            key = tuple(words[i : i + length])
            targets = self.gazetteer.phrases.get(key)
            if not targets:
                continue
            first, last = tokens[i], tokens[i + length - 1]
            matched = False
            for target in targets:
                if target.case_sensitive and not self._capital_or_cued(tokens, i):
                    continue
                if target.contextual and target.entity == "establishment_type":
                    if self._names_a_place(words, i, length):
                        continue
                elif target.contextual:
                    self.weak_spans.add((first.start, last.end))
                self.add(
                    Entity(
                        target.entity,
                        target.value,
                        first.start,
                        last.end,
                        self.span(first.start, last.end),
                    )
                )
                matched = True
            if matched:
                return length
        return 0

    def _capital_or_cued(self, tokens: list[_Token], i: int) -> bool:
        if tokens[i].capitalised:
            return True
        before = [t.folded for t in tokens[max(0, i - 3) : i]]
        return "departement" in before

    def _names_a_place(self, words: list[str], i: int, length: int) -> bool:
        """ "département", "région", "métropole" naming a place, not the kind of buyer."""
        if self.intent in ROUTING_INTENTS:
            return True
        previous = words[i - 1] if i > 0 else ""
        if previous in _PLACE_DETERMINERS:
            return True
        # "le département de la Gironde", "région Occitanie": a place follows.
        rest = words[i + length : i + length + 4]
        while rest and rest[0] in {"de", "du", "des", "d", "la", "l", "le"}:
            rest = rest[1:]
        if rest and rest[0].isdigit():
            return True
        for size in range(min(4, len(rest)), 0, -1):
            for follower in self.gazetteer.phrases.get(tuple(rest[:size]), []):
                if follower.entity in ("department", "region"):
                    return True
        return False

    def _cities(self, tokens: list[_Token]) -> None:
        for i, token in enumerate(tokens):
            if token.folded not in _CITY_CUES or i + 1 >= len(tokens):
                continue
            found = self._commune_at(tokens, i + 1)
            if found is None:
                continue
            start, end = found
            entity = Entity("city", self.span(start, end), start, end, self.span(start, end))
            # "à Paris" names the commune and the department: both are kept. But "Calais" in
            # "Pas-de-Calais" is part of a department's name, not a commune.
            others = [
                (e.start, e.end)
                for e in self.entities
                if e.entity != "department" or (e.start, e.end) != (start, end)
            ]
            if not _overlaps(entity, others):
                self.add(entity)

    def _commune_at(self, tokens: list[_Token], i: int) -> tuple[int, int] | None:
        best: tuple[int, int] | None = None
        for length in range(1, min(_MAX_PHRASE_TOKENS, len(tokens) - i) + 1):
            window = tokens[i : i + length]
            if window[-1].folded in _CITY_JOINERS:
                continue
            if any(
                b.start - a.end > 1 or self.text[a.end : b.start] not in {"-", " ", "'"}
                for a, b in pairwise(window)
            ):
                break
            population = self.gazetteer.communes.get(tuple(t.folded for t in window))
            if population is None:
                continue
            # Lower-case commune names are accepted only for large towns ("a lyon"), as small
            # communes share their names with ordinary words ("Sens", "Plan", "Vue").
            if window[0].capitalised or population >= 100_000:
                best = (window[0].start, window[-1].end)
        return best


def extract(
    text: str, intent: str | None = None, gazetteer: Gazetteer | None = None
) -> list[Entity]:
    """Return the canonical entities found in `text`.

    `intent` (the classifier's guess) disambiguates "département"/"région": with a routing
    intent they name a place, otherwise the buyer's kind of authority.
    """
    return _Extraction(text, gazetteer or get_gazetteer(), intent).run()


def _corrected(word: str, gazetteer: Gazetteer) -> str:
    """`word`, or the vocabulary word it is a typo of ("comunaute" → "communaute")."""
    if len(word) < 6 or word in gazetteer.known_words:
        return word
    limit = 1 if len(word) < 9 else 2
    for length in range(len(word) - limit, len(word) + limit + 1):
        for candidate in sorted(gazetteer.fuzzy_vocabulary.get(length, ())):
            if candidate[0] == word[0] and edit_distance_at_most(word, candidate, limit):
                return candidate
    return word


def canonicalize(entity: str, text: str, gazetteer: Gazetteer | None = None) -> str | None:
    """Map a free-form mention (e.g. from DIET) of a closed-list entity to its canonical value.

    The statistical extractor already judged the span to be an entity, so typos are forgiven
    here ("comunauté d'agglomération"), and a longer span is reduced to the phrase it contains
    ("la métropole de Montpellier" → "métropole"). Never applied to the whole message: there,
    "collègue" would become "collège".
    """
    gazetteer = gazetteer or get_gazetteer()
    if text in gazetteer.canonical_values.get(entity, set()):
        return text
    words = [_corrected(word, gazetteer) for word in _tokens_of(text)]
    for length in range(len(words), 0, -1):
        for start in range(len(words) - length + 1):
            targets = gazetteer.phrases.get(tuple(words[start : start + length]), [])
            values = {t.value for t in targets if t.entity == entity}
            if len(values) == 1:
                return values.pop()
    return None


def merge(
    model_entities: Sequence[Mapping[str, Any]],
    ours: Sequence[Entity],
    gazetteer: Gazetteer | None = None,
) -> list[dict[str, Any]]:
    """Merge a statistical extractor's entities with ours.

    Ours win on overlap. A model entity of a closed or pattern type that we did not find is kept
    only if it maps to a canonical value; `city` mentions are kept as written.
    """
    merged = [entity.as_rasa() for entity in ours]
    taken = [(e.start, e.end) for e in ours]
    for raw in model_entities:
        start, end = int(raw.get("start", -1)), int(raw.get("end", -1))
        kind = str(raw.get("entity"))
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        if kind in PATTERN_ENTITY_TYPES:
            continue
        if kind in CLOSED_ENTITY_TYPES:
            value = canonicalize(kind, str(raw.get("value", "")), gazetteer)
            if value is None:
                continue
            raw = {**raw, "value": value}
        merged.append(dict(raw))
    return sorted(merged, key=lambda e: (int(e.get("start", 0)), str(e.get("entity"))))


def iter_values(entities: Iterable[Mapping[str, Any]], kind: str) -> Iterator[str]:
    """The values of the entities of one kind, in order."""
    return (str(e["value"]) for e in entities if e.get("entity") == kind)

"""Obligations engine: which obligations bind a buyer, why, and which fact is still missing.

Conditions are data (knowledge/obligations.yml); this module evaluates them generically with a
three-valued logic (true / false / unknown fact) and builds the French explanation from the
comparison that decided. Adding an obligation never needs a change here. Build with
`get_engine()`; tests may build `Engine(load_knowledge(tmp_dir))`.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.amounts import AmountError, parse_amount, parse_quantity
from bot.knowledge import (
    Condition,
    FactDefinition,
    FactValue,
    Knowledge,
    Obligation,
    ThresholdRow,
    get_knowledge,
)
from bot.settings import get_settings
from bot.text import fold

Status = Literal["applicable", "a_venir", "a_confirmer", "exclu"]
STATUSES_SHOWN: tuple[Status, ...] = ("applicable", "a_venir", "a_confirmer")

_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


class EngineError(ValueError):
    """A bad input (unknown type, category, fact or value); `message` is French, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def today_paris() -> dt.date:
    """Today's date in the application's time zone (Europe/Paris by default)."""
    try:
        return dt.datetime.now(ZoneInfo(get_settings().timezone)).date()
    except ZoneInfoNotFoundError:  # a machine without tzdata: the UTC date is off by at most a day
        return dt.datetime.now(dt.timezone.utc).date()


def _lower_first(label: str) -> str:
    """Lower the first letter of a label, unless it starts an acronym ("EPCI")."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _compare(op: str, value: Any, reference: Any) -> bool:
    """Apply a condition operator; `reference` is a list for `in` / `not_in`."""
    if op == "in":
        return bool(value in reference)
    if op == "not_in":
        return bool(value not in reference)
    comparisons: dict[str, Callable[[Any, Any], Any]] = {
        ">": operator.gt,
        ">=": operator.ge,
        "<": operator.lt,
        "<=": operator.le,
        "==": operator.eq,
        "!=": operator.ne,
    }
    return bool(comparisons[op](value, reference))


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def format_date(date: dt.date) -> str:
    """A date in French: "1er janvier 2030", "21 août 2026"."""
    day = "1er" if date.day == 1 else str(date.day)
    return f"{day} {_MONTHS[date.month - 1]} {date.year}"


def format_number(value: float) -> str:
    """A number with French digit grouping: 50 000 000 ; 1,5."""
    if value == int(value):
        return f"{int(value):,}".replace(",", " ")
    return f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", " ").replace(".", ",")


def format_fact_value(definition: FactDefinition, value: FactValue) -> str:
    """A fact's value as said to the user ("60 000 000 € HT", "1 200 m²", "une rénovation")."""
    if definition.type == "choix":
        choices = definition.valeurs or {}
        return choices[str(value)].libelle if str(value) in choices else str(value)
    assert isinstance(value, (int, float))
    if definition.type == "montant":
        return f"{format_number(value)} € HT"
    if definition.type == "surface":
        return f"{format_number(value)} m²"
    return format_number(value)


@dataclass(frozen=True)
class _Outcome:
    """Three-valued result of a condition: True, False, or None with the missing fact."""

    value: bool | None
    phrases: tuple[str, ...] = ()
    missing: str | None = None
    inferred: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObligationResult:
    """The engine's answer for one obligation."""

    obligation: Obligation
    statut: Status
    pourquoi: str
    fait: str | None = None
    question: str | None = None
    precisions: tuple[str, ...] = ()

    def to_json(self, knowledge: Knowledge) -> dict[str, Any]:
        """The CONTRACT §3 JSON object of this obligation."""
        o = self.obligation
        data: dict[str, Any] = {
            "id": o.id,
            "statut": self.statut,
            "titre": o.titre,
            "resume": o.resume,
            "pourquoi": self.pourquoi,
            "references": [{"texte": r.texte, "url": r.url} for r in o.references],
            "depuis": o.depuis.isoformat(),
            "leviers": [lever.as_text() for lever in knowledge.levers_of(o)],
            "sources": list(o.sources),
            "verifie_le": o.verifie_le.isoformat(),
        }
        if self.statut == "a_confirmer":
            data["fait"] = self.fait
            data["question"] = self.question
        if o.jusqu_au is not None:
            data["jusqu_au"] = o.jusqu_au.isoformat()
        if self.precisions:
            data["precisions"] = list(self.precisions)
        if o.portee:
            data["portee"] = o.portee
        if o.incertain:
            data["incertain"] = True
            data["note_incertitude"] = o.note_incertitude
        return data


@dataclass(frozen=True)
class Result:
    """Every obligation evaluated for one profile at one date."""

    etablissement: str
    projet: str
    date: dt.date
    faits: dict[str, FactValue]
    faits_deduits: dict[str, str]
    results: tuple[ObligationResult, ...] = field(default=())

    @property
    def obligations(self) -> list[ObligationResult]:
        """The obligations shown to the user (excluded ones left out), in knowledge order."""
        return [r for r in self.results if r.statut != "exclu"]

    def by_status(self, statut: Status) -> list[ObligationResult]:
        """The results with this status."""
        return [r for r in self.results if r.statut == statut]

    def get(self, obligation_id: str) -> ObligationResult | None:
        """The result of one obligation (None when the id is unknown)."""
        return next((r for r in self.results if r.obligation.id == obligation_id), None)

    def missing_facts(self) -> list[str]:
        """The facts that would decide an `a_confirmer` obligation, first asked first."""
        seen: list[str] = []
        for r in self.by_status("a_confirmer"):
            if r.fait is not None and r.fait not in seen:
                seen.append(r.fait)
        return seen

    def to_json(self, knowledge: Knowledge) -> dict[str, Any]:
        """The CONTRACT §3 JSON document."""
        data: dict[str, Any] = {
            "etablissement": self.etablissement,
            "projet": self.projet,
            "date": self.date.isoformat(),
            "faits": dict(self.faits),
            "obligations": [r.to_json(knowledge) for r in self.obligations],
        }
        if self.faits_deduits:
            data["faits_deduits"] = dict(self.faits_deduits)
        return data


class Engine:
    """Evaluates the obligations of a knowledge base for a profile, facts and a date."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge

    # --- inputs -----------------------------------------------------------------------------

    def check_profile(self, etablissement: str, projet: str) -> None:
        """Raise EngineError (French) when the type or category is unknown."""
        k = self.knowledge
        if etablissement not in k.etablissements:
            raise EngineError(
                f"Type d'établissement inconnu : « {etablissement} ». "
                f"Valeurs possibles : {', '.join(k.etablissements.labels)}."
            )
        if projet not in k.categories:
            raise EngineError(
                f"Catégorie d'achat inconnue : « {projet} ». "
                f"Valeurs possibles : {', '.join(k.categories.labels)}."
            )

    def fact_definition(self, key: str) -> FactDefinition:
        """The definition of fact `key`; EngineError when unknown."""
        try:
            return self.knowledge.facts[key]
        except KeyError:
            raise EngineError(
                f"Fait inconnu : « {key} ». Faits possibles : {', '.join(self.knowledge.facts)}."
            ) from None

    def parse_fact(self, key: str, raw: str | int | float) -> FactValue:
        """Read and check one fact from user text or a number; EngineError (a re-ask) if bad."""
        definition = self.fact_definition(key)
        if isinstance(raw, str) and definition.type != "choix":
            text = raw.strip()
            try:
                value: FactValue
                if definition.type == "montant":
                    value = parse_amount(text)
                else:
                    value = parse_quantity(
                        text, "surface" if definition.type == "surface" else "nombre"
                    )
            except AmountError as error:
                raise EngineError(error.message) from None
            return self.check_fact(key, value)
        if isinstance(raw, str):
            folded = fold(raw)
            for choice_id, choice in (definition.valeurs or {}).items():
                names = {
                    fold(choice_id),
                    fold(choice.libelle),
                    fold(choice.bouton),
                    *(fold(s) for s in choice.synonymes),
                }
                if folded in names:
                    return choice_id
            raise EngineError(self._choice_message(key, definition, raw))
        return self.check_fact(key, raw)

    def _choice_message(self, key: str, definition: FactDefinition, raw: object) -> str:
        choices = " ; ".join(c.bouton for c in (definition.valeurs or {}).values())
        return (
            f"Je n'ai pas compris « {raw} » pour {definition.libelle}. "
            f"Réponses possibles : {choices}."
        )

    def check_fact(self, key: str, value: FactValue) -> FactValue:
        """Check a typed fact value against its definition (type, bounds, allowed choices)."""
        definition = self.fact_definition(key)
        if definition.type == "choix":
            if not isinstance(value, str) or value not in (definition.valeurs or {}):
                raise EngineError(self._choice_message(key, definition, value))
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise EngineError(
                f"{_upper_first(definition.libelle)} doit être un nombre, "
                f"par exemple « {definition.exemple} »."
            )
        if value != value or value < 0:  # NaN or negative
            raise EngineError(
                f"{_upper_first(definition.libelle)} ne peut pas être négatif. "
                f"Par exemple : « {definition.exemple} »."
            )
        if definition.type != "surface" and value != int(value):
            raise EngineError(
                f"{_upper_first(definition.libelle)} doit être un nombre entier, "
                f"par exemple « {definition.exemple} »."
            )
        if definition.max is not None and value > definition.max:
            raise EngineError(
                f"{_upper_first(definition.libelle)} paraît trop élevé "
                f"({format_fact_value(definition, value)}). "
                f"Vérifiez l'unité, par exemple « {definition.exemple} »."
            )
        return int(value) if value == int(value) else value

    # --- evaluation -------------------------------------------------------------------------

    def evaluate(
        self,
        etablissement: str,
        projet: str,
        faits: Mapping[str, FactValue] | None = None,
        date: dt.date | None = None,
        faits_deduits: Mapping[str, str] | None = None,
    ) -> Result:
        """Evaluate every obligation for the profile and facts at `date` (default: today, Paris).

        `faits_deduits` maps the facts that were inferred (not said by the user) to where they
        come from ("population légale INSEE de Bordeaux"): the explanation says so, so the user
        can correct them.
        """
        self.check_profile(etablissement, projet)
        facts = {key: self.check_fact(key, value) for key, value in (faits or {}).items()}
        inferred = {k: v for k, v in (faits_deduits or {}).items() if k in facts}
        date = date or today_paris()
        results = tuple(
            self._evaluate_one(o, etablissement, projet, facts, date, inferred)
            for o in self.knowledge.obligations
        )
        return Result(etablissement, projet, date, facts, inferred, results)

    def facts_read(self, etablissement: str, projet: str) -> set[str]:
        """The facts any obligation of this profile reads, in its conditions or its precisions
        (so that a fact inferred from the place is kept only where it changes the answer)."""
        read: set[str] = set()
        for obligation in self.knowledge.obligations:
            if not (
                obligation.applies_to_type(etablissement) and obligation.applies_to_category(projet)
            ):
                continue
            if obligation.conditions is not None:
                read.update(obligation.conditions.facts())
            for precision in obligation.precisions:
                if precision.condition is not None:
                    read.update(precision.condition.facts())
        return read

    def explain_not_applicable(
        self,
        obligation_id: str,
        etablissement: str,
        projet: str,
        faits: Mapping[str, FactValue] | None = None,
        date: dt.date | None = None,
    ) -> str:
        """Why `obligation_id` does not bind this profile (or, if it does, why it does)."""
        try:
            self.knowledge.obligation(obligation_id)
        except KeyError:
            raise EngineError(f"Obligation inconnue : « {obligation_id} ».") from None
        result = self.evaluate(etablissement, projet, faits, date).get(obligation_id)
        assert result is not None
        if result.statut == "exclu":
            return result.pourquoi
        return f"Cette obligation vous concerne. {result.pourquoi}"

    def _subject(self, etablissement: str, projet: str) -> str:
        wording = self.knowledge.wording
        return f"Vous êtes {wording.etablissements[etablissement]} et {wording.categories[projet]}"

    def _labels(self, ids: list[str], vocabulary: str) -> str:
        vocab = (
            self.knowledge.etablissements
            if vocabulary == "etablissements"
            else self.knowledge.categories
        )
        return ", ".join(_lower_first(vocab.label(i)) for i in ids)

    def _evaluate_one(
        self,
        obligation: Obligation,
        etablissement: str,
        projet: str,
        facts: Mapping[str, FactValue],
        date: dt.date,
        inferred: Mapping[str, str],
    ) -> ObligationResult:
        subject = self._subject(etablissement, projet)
        if not obligation.applies_to_type(etablissement):
            assert obligation.assujettis != "tous"
            why = (
                f"Cette obligation ne vise pas votre type d'établissement "
                f"({_lower_first(self.knowledge.etablissements.label(etablissement))}). "
                f"Elle concerne : {self._labels(obligation.assujettis, 'etablissements')}."
            )
            return ObligationResult(obligation, "exclu", why)
        if not obligation.applies_to_category(projet):
            assert obligation.categories != "toutes"
            why = (
                f"Cette obligation ne concerne pas ce type d'achat "
                f"({_lower_first(self.knowledge.categories.label(projet))}). "
                f"Elle vise : {self._labels(obligation.categories, 'categories')}."
            )
            return ObligationResult(obligation, "exclu", why)
        if obligation.jusqu_au is not None and date > obligation.jusqu_au:
            why = (
                f"Cette obligation ne s'applique plus depuis le {format_date(obligation.jusqu_au)}."
            )
            return ObligationResult(obligation, "exclu", why)

        outcome = (
            _Outcome(True)
            if obligation.conditions is None
            else self._condition(
                obligation.conditions, etablissement, projet, facts, date, inferred
            )
        )
        if outcome.value is False:
            why = f"{subject} ; mais {', et '.join(outcome.phrases)}."
            return ObligationResult(obligation, "exclu", why)

        precisions = self._precisions(obligation, etablissement, projet, facts, date, inferred)
        if outcome.value is None:
            assert outcome.missing is not None and obligation.conditions is not None
            definition = self.knowledge.facts[outcome.missing]
            why = (
                f"{subject}. Cette obligation s'applique si "
                f"{self._describe(obligation.conditions, etablissement, projet, date)}. "
                f"Il reste à vérifier {definition.libelle}."
            )
            if obligation.depuis > date:
                why += (
                    f" Cette obligation s'appliquera à partir du {format_date(obligation.depuis)}."
                )
            return ObligationResult(
                obligation, "a_confirmer", why, outcome.missing, definition.question, precisions
            )

        why = subject
        if outcome.phrases:
            why += " ; " + ", et ".join(outcome.phrases)
        why += "."
        if obligation.conditions is None:
            why += " " + self._scope_sentence(obligation)
        elif obligation.portee:
            why += f" Portée exacte : {obligation.portee}"
        for fact in outcome.inferred:
            label = _upper_first(self.knowledge.facts[fact].libelle)
            why += f" ({label} est déduit : {inferred[fact]} ; corrigez-le s'il est inexact.)"
        if obligation.depuis > date:
            why += f" Cette obligation s'appliquera à partir du {format_date(obligation.depuis)}."
            return ObligationResult(obligation, "a_venir", why, precisions=precisions)
        return ObligationResult(obligation, "applicable", why, precisions=precisions)

    @staticmethod
    def _scope_sentence(obligation: Obligation) -> str:
        """Why an obligation without conditions applies: the tool's criteria only, plus the
        obligation's own scope note (an exemption, a kind of catering) when the data has one."""
        who = (
            "tous les acheteurs publics"
            if obligation.assujettis == "tous"
            else "votre type d'établissement"
        )
        what = "tous les achats" if obligation.categories == "toutes" else "ce type d'achat"
        sentence = f"D'après les critères de cet outil, cette obligation vise {who}, pour {what}."
        if obligation.portee:
            sentence += f" Portée exacte : {obligation.portee}"
        return sentence

    def _types_phrase(self, types: list[str]) -> str:
        """ "un établissement public de santé ou médico-social ; une entreprise publique (…)"."""
        return " ; ".join(self.knowledge.wording.etablissements.get(t, t) for t in types)

    def _threshold(
        self, name: str, etablissement: str, projet: str, date: dt.date
    ) -> tuple[ThresholdRow, bool]:
        """The threshold row for the profile at `date`; `exact` is False for a fallback row."""
        rows = [
            r for r in self.knowledge.thresholds[name].lignes if r.matches(etablissement, projet)
        ]
        for row in rows:
            if row.covers(date):
                return row, True
        # No row for this date: the latest earlier one, else the earliest one, flagged as inexact.
        earlier = [r for r in rows if r.depuis <= date]
        chosen = (
            max(earlier, key=lambda r: r.depuis) if earlier else min(rows, key=lambda r: r.depuis)
        )
        return chosen, False

    def _reference_value(
        self, condition: Condition, etablissement: str, projet: str, date: dt.date
    ) -> tuple[Any, str]:
        """The value compared against, and how to say it."""
        assert condition.fait is not None
        definition = self.knowledge.facts[condition.fait]
        if condition.seuil is not None:
            row, exact = self._threshold(condition.seuil, etablissement, projet, date)
            said = f"{row.libelle}, soit {format_fact_value(definition, row.valeur)}"
            if not exact:
                said += " (seuil de la dernière période connue : à vérifier pour votre date)"
            return row.valeur, said
        value = condition.valeur
        if isinstance(value, list):
            return value, " ou ".join(format_fact_value(definition, v) for v in value)
        assert value is not None
        return value, format_fact_value(definition, value)

    def _condition(
        self,
        condition: Condition,
        etablissement: str,
        projet: str,
        facts: Mapping[str, FactValue],
        date: dt.date,
        inferred: Mapping[str, str],
    ) -> _Outcome:
        if condition.tous is not None or condition.au_moins_un is not None:
            is_all = condition.tous is not None
            outcomes = [
                self._condition(c, etablissement, projet, facts, date, inferred)
                for c in (condition.tous or condition.au_moins_un or [])
            ]
            decisive = not is_all
            hits = [o for o in outcomes if o.value is decisive]
            if hits:
                return _Outcome(
                    decisive, tuple(p for o in hits[:1] for p in o.phrases), None, hits[0].inferred
                )
            unknown = [o for o in outcomes if o.value is None]
            if unknown:
                return _Outcome(None, (), unknown[0].missing)
            return _Outcome(
                not decisive,
                tuple(p for o in outcomes for p in o.phrases),
                None,
                tuple(f for o in outcomes for f in o.inferred),
            )

        if condition.etablissement is not None:
            listed = etablissement in condition.etablissement
            holds = listed if condition.op != "not_in" else not listed
            # Said only when it decides in favour: "vous n'êtes pas un hôpital" explains nothing.
            shown: tuple[str, ...] = ()
            if holds and condition.op != "not_in":
                types = self._types_phrase(condition.etablissement)
                shown = (f"cette règle s'applique sans autre condition à : {types}",)
            return _Outcome(holds, shown)

        assert condition.fait is not None and condition.op is not None
        if condition.fait not in facts:
            return _Outcome(None, (), condition.fait)
        definition = self.knowledge.facts[condition.fait]
        value = facts[condition.fait]
        reference, said = self._reference_value(condition, etablissement, projet, date)
        op = condition.op
        holds = _compare(op, value, reference)
        stated = definition.phrase.format(valeur=format_fact_value(definition, value))
        if op in ("==", "in"):
            phrase = stated if holds else f"{stated}, or elle vise : {said}"
        elif op in ("!=", "not_in"):
            phrase = stated if holds else f"{stated}, or elle ne vise pas ce cas"
        else:
            wording = {
                (">", True): "au-delà du seuil de",
                (">", False): "sans dépasser le seuil de",
                (">=", True): "au moins égal au seuil de",
                (">=", False): "en dessous du seuil de",
                ("<", True): "en dessous du seuil de",
                ("<", False): "au moins égal au seuil de",
                ("<=", True): "sans dépasser le seuil de",
                ("<=", False): "au-delà du seuil de",
            }[(op, holds)]
            if condition.seuil is not None:
                wording = wording.replace("seuil de", "")
                phrase = f"{stated}, {wording}{said}"
            else:
                phrase = f"{stated}, {wording} {said}"
        deduced = (condition.fait,) if condition.fait in inferred else ()
        return _Outcome(holds, (phrase,), None, deduced)

    def _describe(
        self, condition: Condition, etablissement: str, projet: str, date: dt.date
    ) -> str:
        """The condition in words: "le montant annuel de vos achats dépasse 50 000 000 € HT".

        Tests on the establishment type are already decided by the profile: they are left out,
        and so are the branches they rule out, so a public company is told only what it must
        still check.
        """
        said = self._describe_part(condition, etablissement, projet, date)
        if isinstance(said, str):
            return said
        return (
            "votre profil correspond à ses critères" if said else "votre profil n'y correspond pas"
        )

    def _describe_part(
        self, condition: Condition, etablissement: str, projet: str, date: dt.date
    ) -> str | bool:
        if condition.tous is not None or condition.au_moins_un is not None:
            is_all = condition.tous is not None
            parts = [
                self._describe_part(c, etablissement, projet, date)
                for c in (condition.tous or condition.au_moins_un or [])
            ]
            decisive = not is_all  # a False in "tous" or a True in "au_moins_un" decides
            if any(p is decisive for p in parts):
                return decisive
            texts = [p for p in parts if isinstance(p, str)]
            if not texts:
                return not decisive
            return (" et " if is_all else " ou ").join(texts)
        if condition.etablissement is not None:
            listed = etablissement in condition.etablissement
            return listed if condition.op != "not_in" else not listed
        assert condition.fait is not None and condition.op is not None
        definition = self.knowledge.facts[condition.fait]
        reference, said = self._reference_value(condition, etablissement, projet, date)
        if definition.type == "choix" and condition.op in ("==", "in"):
            # "vous ne passez pas ce marché comme entité adjudicatrice", not "… est non".
            values = reference if isinstance(reference, list) else [reference]
            return " ou ".join(
                definition.phrase.format(valeur=format_fact_value(definition, v)) for v in values
            )
        verb = {
            ">": "dépasse",
            ">=": "atteint au moins",
            "<": "est inférieur à",
            "<=": "ne dépasse pas",
            "==": "est",
            "!=": "n'est pas",
            "in": "est",
            "not_in": "n'est pas",
        }[condition.op]
        if condition.seuil is not None and condition.op in (">", ">="):
            verb = "atteint au moins le" if condition.op == ">=" else "dépasse le"
        return f"{definition.libelle} {verb} {said}"

    def _precisions(
        self,
        obligation: Obligation,
        etablissement: str,
        projet: str,
        facts: Mapping[str, FactValue],
        date: dt.date,
        inferred: Mapping[str, str],
    ) -> tuple[str, ...]:
        kept = []
        for precision in obligation.precisions:
            if precision.assujettis is not None and etablissement not in precision.assujettis:
                continue
            if precision.categories is not None and projet not in precision.categories:
                continue
            if precision.depuis is not None and date < precision.depuis:
                continue
            if precision.jusqu_au is not None and date > precision.jusqu_au:
                continue
            if precision.condition is not None:
                outcome = self._condition(
                    precision.condition, etablissement, projet, facts, date, inferred
                )
                if outcome.value is False:
                    continue  # unknown: the text itself says when it applies, so keep it
            kept.append(precision.texte)
        return tuple(kept)


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """The engine over the repository's knowledge base (cached; `.cache_clear()` in tests)."""
    return Engine(get_knowledge())

"""Hotline triage: one pasted description of a caller's problem → what they need, which rules
bind them, whom to route them to, and a paragraph to read back (CONTRACT §4).

Pure Python: the NLU parse (intent, confidence, canonical entities) comes in as Rasa's parse
dict, so the CLI, the web API and the tests share this code whatever produced the parse.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.contacts import Directory, RoutingResult, load_directory, route
from bot.diagnostic import facts_in_text
from bot.engine import Engine, EngineError, Result, format_fact_value, get_engine
from bot.knowledge import FactValue
from bot.territory import AmbiguousPlace, Place, PlaceError, Territories, load_territories
from bot.text import fold

ENTITY_KEYS = (
    "establishment_type",
    "purchase_category",
    "postal_code",
    "city",
    "department",
    "region",
    "amount",
    "email",
)
"""The CONTRACT §2 entities a triage reports (first canonical value of each)."""

_INTENT_NEEDS = {
    "ask_obligations": "connaître les obligations qui s'appliquent à son achat",
    "ask_levers": "savoir comment se mettre en conformité (leviers d'action)",
    "find_facilitator": "trouver un facilitateur des clauses sociales",
    "find_green_desk": "trouver le guichet vert de son territoire",
    "book_spaser": "s'inscrire à une session de la mission SPASER",
    "cancel_booking": "annuler une inscription à une session SPASER",
    "check_booking": "vérifier une inscription à une session SPASER",
    "human_handoff": "parler à un conseiller",
    "faq": "une information sur les ressources du programme",
    "inform": "donner des éléments sur sa situation",
    "help": "savoir ce que l'assistant peut faire",
    "out_of_scope": "une demande hors du champ des achats durables",
}
# A social need routes to the facilitator; everything else to the guichet vert (first-level
# environmental advice), which is also the door to the regional network.
_SOCIAL_CUES = re.compile(
    r"\b(insertion|clauses? sociales?|facilitat\w*|handicap\w*|esat|siae|"
    r"marches? reserves?|emploi|chomeurs?|eloignees? de l emploi)\b"
)


@dataclass(frozen=True)
class Triage:
    """A triage of one description; `to_json()` is the CONTRACT §4 document."""

    intent: str
    confiance: float
    entites: dict[str, str]
    obligations: tuple[str, ...]
    orientation: dict[str, Any]
    resume: str

    def to_json(self) -> dict[str, Any]:
        """The CONTRACT §4 JSON object."""
        return {
            "intent": self.intent,
            "confiance": self.confiance,
            "entites": dict(self.entites),
            "obligations": list(self.obligations),
            "orientation": self.orientation,
            "resume": self.resume,
        }


def _first_values(entities: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for entity in entities:
        name, value = entity.get("entity"), entity.get("value")
        if name in ENTITY_KEYS and value not in (None, "") and name not in found:
            found[str(name)] = str(value)
    return found


_NOT_A_NEED = frozenset({"nlu_fallback", "greet", "goodbye", "thank", "affirm", "deny"})
"""Intents that say nothing of what a caller needs: a description pasted by the hotline often
opens with « Bonjour » or ends with « merci », and the need is the next best intent."""


_CONTRACT_INTENT = {"ask_changes": "ask_obligations"}
"""Intents outside CONTRACT §2 reported as the contract intent they refine: « qu'est-ce qui
change en 2027 ? » asks which obligations will apply, and the hotline tools know no other."""


def _intent_of(parse: Mapping[str, Any]) -> tuple[str, float]:
    intent = parse.get("intent") or {}
    name = str(intent.get("name") or "nlu_fallback")
    confidence = float(intent.get("confidence") or 0.0)
    if name in _NOT_A_NEED:
        ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") not in _NOT_A_NEED]
        if ranking:
            name, confidence = str(ranking[0]["name"]), float(ranking[0]["confidence"])
    return _CONTRACT_INTENT.get(name, name), round(confidence, 3)


def _resolve_place(
    territories: Territories, entities: Mapping[str, str]
) -> tuple[Place | None, str | None]:
    """The place the description names, or a French note saying why it stays unknown."""
    parts = {k: entities.get(k) for k in ("postal_code", "city", "department", "region")}
    if not any(parts.values()):
        return None, None
    try:
        return territories.resolve_parts(**parts), None
    except AmbiguousPlace as error:
        names = ", ".join(p.libelle for p in error.candidates[:4])
        return None, f"lieu ambigu ({names}) : à préciser avec l'appelant"
    except PlaceError as error:
        return None, f"lieu non reconnu ({error})"


def _place_entities(place: Place) -> dict[str, str]:
    found = {"region": place.region.slug}
    if place.departement is not None:
        found["department"] = place.departement.code
    if place.code_postal is not None:
        found["postal_code"] = place.code_postal
    return found


def _join(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + f" et {items[-1]}" if len(items) > 1 else "".join(items)


class Triager:
    """Builds triages from a parse. Collaborators are injectable for tests."""

    def __init__(
        self,
        engine: Engine | None = None,
        territories: Territories | None = None,
        directory: Directory | None = None,
    ) -> None:
        self.engine = engine or get_engine()
        self.territories = territories or load_territories()
        self._directory = directory

    @property
    def directory(self) -> Directory:
        """The contacts directory (shipped plus imported), loaded on first use."""
        return self._directory or load_directory()

    def triage(self, text: str, parse: Mapping[str, Any]) -> Triage:
        """Triage `text` given the NLU's parse of it (Rasa's parse dict)."""
        intent, confidence = _intent_of(parse)
        entities = _first_values(parse.get("entities") or [])
        place, place_note = _resolve_place(self.territories, entities)
        if place is not None:
            entities.update(_place_entities(place))

        result, facts = self._obligations(text, entities)
        kind = self._contact_kind(intent, text)
        routing = route(kind, place, self.directory) if place is not None else None
        orientation: dict[str, Any] = {"type": kind, "contacts": []}
        if routing is not None:
            orientation = {
                "type": kind,
                "contacts": routing.to_json(self.territories)["contacts"],
                "repli": routing.repli,
                "pourquoi": routing.pourquoi,
            }
        ids: tuple[str, ...] = ()
        if result is not None:
            ids = tuple(r.obligation.id for r in result.obligations if r.statut != "a_venir")
        summary = self._summary(intent, entities, place, place_note, result, facts, routing, kind)
        return Triage(intent, confidence, entities, ids, orientation, summary)

    def _obligations(
        self, text: str, entities: Mapping[str, str]
    ) -> tuple[Result | None, dict[str, FactValue]]:
        etablissement = entities.get("establishment_type")
        projet = entities.get("purchase_category")
        if not etablissement or not projet:
            return None, {}
        facts: dict[str, FactValue] = {}
        with contextlib.suppress(EngineError):
            facts = facts_in_text(self.engine, text, self.engine.knowledge.facts)
        try:
            return self.engine.evaluate(etablissement, projet, facts), facts
        except EngineError:
            return None, {}

    @staticmethod
    def _contact_kind(intent: str, text: str) -> str:
        if intent == "find_facilitator":
            return "facilitateur"
        if intent == "find_green_desk":
            return "guichet_vert"
        return "facilitateur" if _SOCIAL_CUES.search(fold(text)) else "guichet_vert"

    def _summary(
        self,
        intent: str,
        entities: Mapping[str, str],
        place: Place | None,
        place_note: str | None,
        result: Result | None,
        facts: Mapping[str, FactValue],
        routing: RoutingResult | None,
        kind: str,
    ) -> str:
        knowledge = self.engine.knowledge
        sentences: list[str] = []
        who = entities.get("establishment_type")
        caller = (
            f"L'appelant représente {knowledge.wording.etablissements[who]}"
            if who in knowledge.wording.etablissements
            else "Type d'établissement non précisé"
        )
        if place is not None:
            caller += f", à {place.chemin}"
        elif place_note:
            caller += f" ; {place_note}"
        sentences.append(caller + ".")
        need = _INTENT_NEEDS.get(intent, "une demande à préciser")
        category = entities.get("purchase_category")
        if category is not None and category in knowledge.categories:
            need += f" (achat : {knowledge.categories.label(category).lower()})"
        sentences.append(f"Besoin : {need}.")
        if facts:
            said = [
                f"{knowledge.facts[k].libelle} : {format_fact_value(knowledge.facts[k], v)}"
                for k, v in facts.items()
            ]
            sentences.append(f"Faits donnés : {'; '.join(said)}.")
        if result is not None:
            sentences.extend(self._obligation_sentences(result))
        elif who or category:
            missing = "le type d'établissement" if not who else "la catégorie d'achat"
            sentences.append(f"Pour lister les obligations, demandez {missing}.")
        label = "facilitateur des clauses sociales" if kind == "facilitateur" else "guichet vert"
        if routing is not None:
            names = _join([c.structure for c in routing.contacts]) or "aucun contact"
            prefix = (
                "À défaut de contact local, orientez vers" if routing.repli else "Orientez vers"
            )
            sentences.append(f"{prefix} : {names} ({label}).")
        else:
            sentences.append(f"Pour l'orienter vers son {label}, demandez où il se trouve.")
        return " ".join(sentences)

    def _obligation_sentences(self, result: Result) -> list[str]:
        sentences: list[str] = []
        applicable = [r.obligation.titre for r in result.by_status("applicable")]
        if applicable:
            sentences.append(f"Obligations en vigueur : {'; '.join(applicable)}.")
        else:
            sentences.append("Aucune obligation en vigueur trouvée pour ce profil.")
        pending = result.by_status("a_confirmer")
        if pending:
            questions = []
            for r in pending:
                if r.question and r.question not in questions:
                    questions.append(r.question)
            titles = "; ".join(r.obligation.titre for r in pending)
            sentences.append(f"À confirmer : {titles}. À demander : {' '.join(questions)}")
        coming = result.by_status("a_venir")
        if coming:
            sentences.append(f"À venir : {'; '.join(r.obligation.titre for r in coming)}.")
        return sentences

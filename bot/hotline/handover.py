"""What a hand-over ticket says: built from what the conversation holds (profile slots, facts,
the journeys run, the last messages), without Rasa. The actions pass plain values in."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.contacts import route
from bot.engine import Engine, EngineError, format_fact_value
from bot.hotline.summary import build_summary
from bot.knowledge import FactValue
from bot.territory import PlaceError, Territories


@dataclass(frozen=True)
class ConversationSnapshot:
    """The parts of a conversation a hotline agent needs."""

    establishment_type: str | None = None
    purchase_category: str | None = None
    place_key: str | None = None
    facts: Mapping[str, FactValue] = field(default_factory=dict)
    contact_type: str | None = None
    actions_run: frozenset[str] = frozenset()
    messages: Sequence[tuple[str, str, Mapping[str, Any] | None]] = ()
    """(author "user" | "bot", text, the NLU parse for a user message)."""


@dataclass(frozen=True)
class HandoverContent:
    """Summary, open question and NLU confidence of a new ticket, plus its transcript lines."""

    summary: str
    question: str | None
    confidence: float | None
    transcript: tuple[tuple[str, str], ...]


def _open_question(
    messages: Sequence[tuple[str, str, Mapping[str, Any] | None]],
) -> tuple[str | None, float | None]:
    """The user's last message that is not the hand-over request itself (else that request)."""
    users = [(text, parse) for author, text, parse in messages if author == "user" and text]
    for text, parse in reversed(users):
        intent = (parse or {}).get("intent") or {}
        if intent.get("name") != "human_handoff" and not text.startswith("/"):
            return text, intent.get("confidence")
    if users and not users[-1][0].startswith("/"):
        return users[-1][0], ((users[-1][1] or {}).get("intent") or {}).get("confidence")
    return None, None


def build_handover(
    snapshot: ConversationSnapshot, engine: Engine, territories: Territories
) -> HandoverContent:
    """The ticket content for this conversation."""
    knowledge = engine.knowledge
    profile: dict[str, str] = {}
    if snapshot.establishment_type is not None:
        profile["Établissement"] = knowledge.etablissements.label(snapshot.establishment_type)
    if snapshot.purchase_category is not None:
        profile["Achat"] = knowledge.categories.label(snapshot.purchase_category)
    place = None
    if snapshot.place_key:
        with contextlib.suppress(PlaceError):
            place = territories.from_key(snapshot.place_key)
            profile["Lieu"] = place.chemin
    for key, value in snapshot.facts.items():
        if key in knowledge.facts:
            definition = knowledge.facts[key]
            profile[definition.libelle[:1].upper() + definition.libelle[1:]] = format_fact_value(
                definition, value
            )

    obligations: list[str] = []
    if (
        "action_list_obligations" in snapshot.actions_run
        and snapshot.establishment_type
        and snapshot.purchase_category
    ):
        with contextlib.suppress(EngineError):
            result = engine.evaluate(
                snapshot.establishment_type, snapshot.purchase_category, snapshot.facts
            )
            obligations = [f"{r.obligation.titre} ({r.statut})" for r in result.obligations]
    contacts: list[str] = []
    if "action_find_contact" in snapshot.actions_run and place is not None:
        kind = snapshot.contact_type or "guichet_vert"
        with contextlib.suppress(ValueError):
            contacts = [c.structure for c in route(kind, place).contacts]

    question, confidence = _open_question(snapshot.messages)
    transcript = tuple((author, text) for author, text, _ in snapshot.messages if text)
    summary = build_summary(
        profile=profile,
        obligations=obligations,
        contacts=contacts,
        question=question,
        confidence=confidence,
        last_messages=transcript,
    )
    return HandoverContent(summary, question, confidence, transcript[-20:])

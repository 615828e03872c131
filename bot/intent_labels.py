"""Readable French labels for intents, used by the "Vouliez-vous dire … ?" buttons."""

from __future__ import annotations

INTENT_LABELS: dict[str, str] = {
    "greet": "Dire bonjour",
    "goodbye": "Terminer la conversation",
    "thank": "Remercier",
    "affirm": "Répondre oui",
    "deny": "Répondre non",
    "bot_challenge": "Savoir si je suis un robot",
    "help": "Voir ce que je sais faire",
    "inform": "Vous me donniez une information",
    "ask_obligations": "Connaître mes obligations d'achat durable",
    "ask_levers": "Savoir comment respecter une obligation",
    "ask_changes": "Savoir ce qui change bientôt",
    "find_facilitator": "Trouver un facilitateur des clauses sociales",
    "find_green_desk": "Trouver un guichet vert",
    "book_spaser": "M'inscrire à une session de la mission SPASER",
    "cancel_booking": "Annuler une inscription",
    "check_booking": "Retrouver mon inscription",
    "human_handoff": "Parler à un conseiller",
    "out_of_scope": "Autre sujet",
}

FAQ_LABELS: dict[str, str] = {
    "spaser": "Qu'est-ce qu'un SPASER ?",
    "pnad": "Qu'est-ce que le PNAD ?",
    "marche_inclusion": "Qu'est-ce que le marché de l'inclusion ?",
    "rapidd": "Qu'est-ce que RAPIDD ?",
    "clause_verte": "Qu'est-ce que La Clause Verte ?",
    "guide_social": "Où trouver le guide sur les aspects sociaux de la commande publique ?",
    "egalite_femmes_hommes": "Comment promouvoir l'égalité femmes-hommes dans mes achats ?",
    "guichet_vert": "Qu'est-ce qu'un guichet vert ?",
    "facilitateur": "Qu'est-ce qu'un facilitateur des clauses sociales ?",
    "marches_reserves": "Qu'est-ce qu'un marché réservé ?",
    "ma_cantine": "Qu'est-ce que ma cantine ?",
    "autodiagnostic": "Qu'est-ce que l'outil d'autodiagnostic réglementaire ?",
}

# Intents never offered as a guess: they carry no request of their own.
NOT_SUGGESTED = frozenset({"nlu_fallback", "affirm", "deny", "out_of_scope", "inform"})


def label_for(intent: str) -> str | None:
    """The label of `intent` ("faq/spaser" included), or None when it has none."""
    if intent.startswith("faq/"):
        return FAQ_LABELS.get(intent.removeprefix("faq/"))
    return INTENT_LABELS.get(intent)

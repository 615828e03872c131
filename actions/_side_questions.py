"""Why a form asks what it asks: the answer to "pourquoi ?" while a form waits (rules in
data/stories/side_questions.yml; the autodiagnostic's facts are explained by bot/diagnostic.py)."""

from __future__ import annotations

from rasa_sdk import Tracker

WHY_ASKED: dict[str, str] = {
    "establishment_type": (
        "vos obligations dépendent du type d'établissement : une commune, l'État ou un hôpital "
        "n'ont pas les mêmes règles."
    ),
    "purchase_category": (
        "les obligations dépendent de ce que vous achetez : restauration, véhicules, "
        "travaux, informatique…"
    ),
    "routing_place": (
        "les facilitateurs et les guichets verts sont organisés par territoire : je cherche "
        "celui qui couvre votre commune, votre département ou votre région."
    ),
    "spaser_session_id": "chaque session a ses dates et ses places : choisissez celle qui vous va.",
    "spaser_waitlist": (
        "la session est complète : sur la liste d'attente, une place libérée vous est "
        "attribuée automatiquement, dans l'ordre d'inscription."
    ),
    "booker_name": "la liste des participants d'une session est nominative.",
    "booker_organisation": (
        "l'équipe de la mission SPASER adapte la session aux structures inscrites."
    ),
    "booker_establishment_type": (
        "l'équipe de la mission SPASER adapte la session aux types de structures inscrites."
    ),
    "booker_email": (
        "votre adresse sert à vous envoyer les informations de la session et, avec votre "
        "référence, à retrouver ou annuler votre inscription. Elle n'est gardée que le temps "
        "nécessaire."
    ),
    "booking_reference": (
        "la référence et l'e-mail, ensemble, prouvent que l'inscription est la vôtre : je ne "
        "montre rien sans les deux."
    ),
    "lookup_email": (
        "l'e-mail et la référence, ensemble, prouvent que l'inscription est la vôtre : je ne "
        "montre rien sans les deux."
    ),
}
"""Requested slot → why it is asked (the sentence follows "Je vous pose cette question parce
que")."""


def pending_slot(tracker: Tracker) -> str | None:
    """The slot a form is waiting for, or None outside a form."""
    if tracker.active_loop_name is None:
        return None
    slot = tracker.get_slot("requested_slot")
    return str(slot) if slot else None


def why_this_question(tracker: Tracker) -> str | None:
    """ "Je vous pose cette question parce que …" for the pending form slot, or None."""
    reason = WHY_ASKED.get(pending_slot(tracker) or "")
    return f"Je vous pose cette question parce que {reason}" if reason else None

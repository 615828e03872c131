"""Helpers shared by the routing actions (facilitator / guichet vert): no action lives here."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions._latest_message import latest_entities

ASK_PLACE = "Où êtes-vous ? (code postal, commune, département ou région)"
ROUTING_ERROR = (
    "Désolé, je n'arrive pas à chercher ce contact pour le moment. Les réseaux régionaux et les "
    "guichets verts sont présentés sur "
    "https://achats-durables.gouv.fr/reseaux-nationaux-locaux-accompagner-acheteurs-publics-11"
)
NEXT_QUESTION = "Puis-je vous aider autrement ?"
NEXT_BUTTONS = {
    "facilitateur": [
        {"title": "Trouver aussi mon guichet vert", "payload": "/find_green_desk"},
        {"title": "Voir mes obligations d'achat durable", "payload": "/ask_obligations"},
    ],
    "guichet_vert": [
        {
            "title": "Trouver aussi mon facilitateur des clauses sociales",
            "payload": "/find_facilitator",
        },
        {"title": "Voir mes obligations d'achat durable", "payload": "/ask_obligations"},
    ],
}
"""After a contact card: offer the other kind of contact and the obligations journey."""

PLACE_ENTITIES = ("postal_code", "department", "region", "city")
INTENT_KIND = {"find_facilitator": "facilitateur", "find_green_desk": "guichet_vert"}
SEARCH_INTENTS = frozenset(INTENT_KIND)
# Questions answered while the place is pending (rules in data/stories/routing.yml): their text
# is not a wrong place, so the place question is asked again without an error message.
INTERRUPTION_INTENTS = frozenset(
    {"faq", "help", "human_handoff", "out_of_scope", "bot_challenge", "ask_levers", "ask_why"}
)
"""Side questions answered while the place is asked (scripts/gen_side_question_rules.py): the
message is not a wrong place."""


def place_entities(tracker: Tracker) -> dict[str, str]:
    """Place entities of the latest message, first value of each (canonical, from the NLU)."""
    return {k: v for k, v in latest_entities(tracker).items() if k in PLACE_ENTITIES}


def place_slots(tracker: Tracker) -> dict[str, str]:
    """Place slots already known in the conversation (postal code, city, department, region)."""
    found: dict[str, str] = {}
    for name in PLACE_ENTITIES:
        value: Any = tracker.get_slot(name)
        if value not in (None, ""):
            found[name] = str(value)
    return found

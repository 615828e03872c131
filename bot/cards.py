"""Rich lists as channel-neutral cards: obligations, contacts, SPASER sessions.

The actions send each card as a custom payload (`dispatcher.utter_message(json_message=…)`)
after the plain-text messages it summarises; the web widget and Teams draw it (DSFR cards,
Adaptive Cards), and a text-only channel ignores it. Schema (every string is plain text):

    {"carte": {"type": "obligations" | "contacts" | "sessions",
               "titre": str,
               "elements": [{"titre": str, "sous_titre": str | None, "texte": str | None,
                             "lien": {"titre": str, "url": str} | None,
                             "boutons": [{"title": str, "payload": str}]}],
               "boutons": [{"title": str, "payload": str}],
               "remplace": [str]}}

`remplace` lists the texts of the messages of the same turn that the card shows in full: a
channel that draws the card hides those messages instead of showing everything twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypedDict

from bot.booking.formatting import FORMAT_LABELS, french_date, french_period, seats_left_label
from bot.booking.repository import SessionView
from bot.contacts import _TYPE_LABEL, Contact, RoutingResult, format_card
from bot.diagnostic import GROUP_TITLES, listing, obligation_buttons
from bot.engine import Result, format_date
from bot.knowledge import Knowledge
from bot.territory import Territories

CardType = Literal["obligations", "contacts", "sessions"]

CONTACT_LABELS = _TYPE_LABEL  # one wording for the text card and the rich card


class Button(TypedDict):
    """A button: the title shown, the payload sent as the user's message."""

    title: str
    payload: str


class Link(TypedDict):
    """A link of an element (http(s) or mailto only; channels drop anything else)."""

    titre: str
    url: str


class Element(TypedDict):
    """One item of a card: an obligation, a contact, a session."""

    titre: str
    sous_titre: str | None
    texte: str | None
    lien: Link | None
    boutons: list[Button]


def element(
    titre: str,
    sous_titre: str | None = None,
    texte: str | None = None,
    lien: Link | None = None,
    boutons: Iterable[dict[str, str]] = (),
) -> Element:
    """An element with the schema's keys, buttons copied to plain `{title, payload}` dicts."""
    return {
        "titre": titre,
        "sous_titre": sous_titre,
        "texte": texte,
        "lien": lien,
        "boutons": [{"title": b["title"], "payload": b["payload"]} for b in boutons],
    }


def card(
    kind: CardType,
    titre: str,
    elements: Sequence[Element],
    boutons: Iterable[dict[str, str]] = (),
    remplace: Iterable[str] = (),
) -> dict[str, Any]:
    """The custom payload `{"carte": {…}}` of the module docstring."""
    return {
        "carte": {
            "type": kind,
            "titre": titre,
            "elements": list(elements),
            "boutons": [{"title": b["title"], "payload": b["payload"]} for b in boutons],
            "remplace": [t for t in remplace if t],
        }
    }


def obligations_card(
    knowledge: Knowledge, result: Result, unknown: Iterable[str] = ()
) -> dict[str, Any]:
    """The autodiagnostic's obligations as one card: one element per obligation, grouped by
    status (en vigueur, à venir, à confirmer), with its reference and its three buttons."""
    unknown = list(unknown)
    elements: list[Element] = []
    for statut in GROUP_TITLES:
        for item in result.by_status(statut):  # type: ignore[arg-type]
            obligation = item.obligation
            depuis = format_date(obligation.depuis)
            when = {
                "applicable": f"En vigueur depuis le {depuis}",
                "a_venir": f"À venir : s'appliquera à partir du {depuis}",
                "a_confirmer": f"À confirmer : si elle vous concerne, depuis le {depuis}",
            }[statut]
            texte = obligation.resume
            if statut == "a_confirmer" and item.fait is not None:
                texte += f"\nÀ vérifier : {knowledge.facts[item.fait].libelle}."
            reference = obligation.references[0] if obligation.references else None
            lien: Link | None = (
                {"titre": reference.texte, "url": reference.url} if reference else None
            )
            elements.append(
                element(
                    obligation.titre,
                    when,
                    texte,
                    lien,
                    obligation_buttons(obligation.id),
                )
            )
    counts = {s: len(result.by_status(s)) for s in GROUP_TITLES}  # type: ignore[arg-type]
    titre = (
        f"Vos obligations : {counts['applicable']} en vigueur, {counts['a_venir']} à venir, "
        f"{counts['a_confirmer']} à confirmer"
    )
    shown = [e["boutons"] for e in elements]
    remplace = [r.text for r in listing(knowledge, result, unknown) if r.buttons in shown]
    return card("obligations", titre, elements, remplace=remplace)


def contact_element(contact: Contact, territories: Territories) -> Element:
    """A contact: its structure, kind and territory, what it offers and how to reach it."""
    lines = []
    if contact.offre:
        lines.append(contact.offre)
    reach = [v for v in (contact.nom, contact.email, contact.telephone) if v]
    if reach:
        lines.append("Pour le joindre : " + " · ".join(reach))
    elif not contact.site:
        lines.append(f"Coordonnées non confirmées : voir {contact.sources[0]}")
    if contact.incertain and contact.note:
        lines.append(f"À vérifier : {contact.note}")
    lien: Link | None = {"titre": "Site internet", "url": contact.site} if contact.site else None
    sous_titre = (
        f"{CONTACT_LABELS.get(contact.type, contact.type)} — "
        f"{contact.territoire.libelle(territories)}"
    )
    return element(contact.structure, sous_titre, "\n".join(lines) or None, lien)


def contacts_card(
    result: RoutingResult,
    territories: Territories,
    limit: int = 3,
) -> dict[str, Any]:
    """The first `limit` contacts routed for a place, as one card that replaces their text
    cards (`bot.contacts.format_card`)."""
    kind = CONTACT_LABELS.get(result.type, result.type)
    titre = f"{kind} : {'solution de repli' if result.repli else 'contact pour votre territoire'}"
    shown = result.contacts[:limit]
    elements = [contact_element(c, territories) for c in shown]
    return card("contacts", titre, elements, remplace=[format_card(c, territories) for c in shown])


def sessions_card(
    sessions: Sequence[SessionView], intro: str, buttons: Sequence[dict[str, str]]
) -> dict[str, Any]:
    """The SPASER sessions shown with `buttons` (one per session, same order), as one card
    titled `intro`; it replaces the intro message, whose buttons it carries."""
    elements = []
    for session, button in zip(sessions, buttons, strict=False):
        where = FORMAT_LABELS.get(session.format, session.format)
        if session.format == "presentiel" and session.place:
            where = f"{where} à {session.place}"
        seats = seats_left_label(session.seats_left)
        if session.seats_left == 0:
            seats = "complet : liste d'attente possible"
        elements.append(
            element(
                session.title,
                f"{french_period(session.starts_at, session.ends_at)}, {where}",
                seats.capitalize(),
                None,
                [
                    {
                        "title": f"Choisir la session du {french_date(session.starts_at)}",
                        "payload": button["payload"],
                    }
                ],
            )
        )
    return card("sessions", intro, elements, remplace=[intro])

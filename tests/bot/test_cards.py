"""The channel-neutral cards (bot/cards.py): obligations, contacts, sessions."""

from __future__ import annotations

import datetime as dt

from bot.booking.repository import SessionView
from bot.cards import contacts_card, obligations_card, sessions_card
from bot.contacts import format_card, route
from bot.diagnostic import listing, obligation_buttons
from bot.engine import Engine
from bot.knowledge import get_knowledge
from bot.territory import load_territories

TODAY = dt.date(2026, 11, 30)
KEYS = {"titre", "sous_titre", "texte", "lien", "boutons"}


def test_obligations_card_lists_each_obligation_with_reference_and_buttons() -> None:
    engine = Engine(get_knowledge())
    result = engine.evaluate("commune", "restauration_collective", {}, TODAY)
    carte = obligations_card(engine.knowledge, result)["carte"]
    assert carte["type"] == "obligations" and "en vigueur" in carte["titre"]
    assert [e["titre"] for e in carte["elements"]] == [
        item.obligation.titre
        for statut in ("applicable", "a_venir", "a_confirmer")
        for item in result.by_status(statut)
    ]
    first = carte["elements"][0]
    assert set(first) == KEYS
    assert first["sous_titre"].startswith("En vigueur")
    assert first["lien"]["url"].startswith("https://www.legifrance.gouv.fr")
    egalim = next(e for e in carte["elements"] if "EGalim" in e["titre"] or "50 %" in e["texte"])
    assert egalim["boutons"][0]["payload"].startswith("/ask_details")
    # It stands for the per-obligation messages, not for the header nor the legal reminder.
    replies = listing(engine.knowledge, result)
    assert carte["remplace"] == [r.text for r in replies[1:-1]]
    assert replies[0].text not in carte["remplace"] and replies[-1].text not in carte["remplace"]


def test_obligations_card_buttons_are_the_text_messages_buttons() -> None:
    engine = Engine(get_knowledge())
    result = engine.evaluate("commune", "vehicules", {}, TODAY)
    carte = obligations_card(engine.knowledge, result)["carte"]
    ids = [item.obligation.id for item in result.obligations]
    assert sorted(str(e["boutons"]) for e in carte["elements"]) == sorted(
        str(obligation_buttons(i)) for i in ids
    )


def test_contacts_card_replaces_the_text_cards() -> None:
    territories = load_territories()
    result = route("guichet_vert", territories.resolve("33000"))
    carte = contacts_card(result, territories)["carte"]
    assert carte["type"] == "contacts" and carte["elements"]
    assert carte["remplace"] == [format_card(c, territories) for c in result.contacts[:3]]
    element = carte["elements"][0]
    assert "3AR" in element["titre"] or "3AR" in (element["texte"] or "")
    assert "Nouvelle-Aquitaine" in element["sous_titre"]
    assert element["lien"] is None or element["lien"]["url"].startswith("http")


def test_sessions_card_carries_one_choice_per_session() -> None:
    start = dt.datetime(2027, 1, 14, 9, 0, tzinfo=dt.timezone.utc)
    sessions = [
        SessionView(1, "Webinaire SPASER", start, start + dt.timedelta(hours=1), "en_ligne",
                    None, 30, 28, 0, "ouverte"),
        SessionView(2, "Atelier", start, start + dt.timedelta(hours=2), "presentiel",
                    "Lyon", 10, 10, 2, "ouverte"),
    ]  # fmt: skip
    buttons = [{"title": f"S{s.id}", "payload": f'/choose_session{{"session_id": "{s.id}"}}'}
               for s in sessions]  # fmt: skip
    carte = sessions_card(sessions, "Voici les sessions :", buttons)["carte"]
    assert carte["remplace"] == ["Voici les sessions :"] and carte["titre"] == carte["remplace"][0]
    first, full = carte["elements"]
    assert first["texte"] == "2 places restantes"
    assert first["sous_titre"] == "jeudi 14 janvier 2027, 10 h 00 – 11 h 00, en ligne"
    assert first["boutons"][0]["payload"] == buttons[0]["payload"]
    assert "liste d'attente" in full["texte"] and "Lyon" in full["sous_titre"]

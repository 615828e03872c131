"""The journeys of BRIEF §3 end to end: trained model, real action server, fresh database.

Each test talks as a buyer would and asserts what the buyer reads, so that a regression in the
NLU, the policies or an action breaks it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.conversation import Bot, running_bot

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    yield from running_bot(tmp_path_factory.mktemp("journeys"))


def _texts(messages: list[dict[str, object]]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


def _payloads(messages: list[dict[str, object]]) -> list[str]:
    return [str(b["payload"]) for m in messages for b in m.get("buttons") or []]  # type: ignore[attr-defined]


def test_autodiagnostic_commune_school_catering(bot: Bot) -> None:
    talk = bot.conversation()
    first = talk.say(
        "Je suis acheteuse dans une commune, on lance un marché de restauration scolaire"
    )
    # Only the facts that decide an obligation are asked, one at a time, with "je ne sais pas".
    assert any("sais pas" in p.lower() or "dont_know" in p for p in _payloads(first)), _texts(first)
    answer = first
    for _ in range(4):  # answer "je ne sais pas" to every remaining question
        if "En vigueur" in _texts(answer):
            break
        answer = talk.say("je ne sais pas")
    text = _texts(answer)
    assert "En vigueur" in text
    assert "legifrance.gouv.fr" in text
    assert re.search(r"conseil juridique", text)
    assert "egalim_qualite_durable" in " ".join(_payloads(answer)) or "EGalim" in text


def test_what_changes_next_year_for_the_buyer_profile(bot: Bot) -> None:
    talk = bot.conversation()
    unknown = _texts(talk.say("qu'est-ce qui change en 2027 ?"))
    assert "Ce qui change en 2027 pour l'ensemble des acheteurs publics" in unknown
    commune = _texts(talk.say('/ask_changes{"establishment_type": "commune"}'))
    assert "Ce qui change en 2027 pour une commune" in commune
    assert "conseil juridique" in commune


def test_contact_for_a_green_desk_by_postal_code(bot: Bot) -> None:
    talk = bot.conversation()
    asked = _texts(talk.say("je cherche le guichet vert de ma région"))
    assert "code postal" in asked.lower() or "où" in asked.lower()
    answer = _texts(talk.say("33000"))
    assert "Gironde" in answer and "Nouvelle-Aquitaine" in answer
    assert "3AR" in answer or "3ar" in answer.lower()


def test_booking_a_spaser_session_gives_a_reference(bot: Bot) -> None:
    talk = bot.conversation()
    listed = talk.say("je voudrais m'inscrire à une session de la mission SPASER")
    sessions = [p for p in _payloads(listed) if p.startswith("/choose_session")]
    assert sessions, f"aucune session proposée : {_texts(listed)}"
    talk.say(sessions[0])
    replies = [talk.say(answer) for answer in ("Camille Exemple", "Mairie de Test")]
    text = _texts(replies[-1])
    if "type" in text.lower() or "établissement" in text.lower():
        talk.say("une commune")
    invalid = _texts(talk.say("camille@@exemple"))
    assert "adresse" in invalid.lower() or "e-mail" in invalid.lower()
    summary = talk.say("camille.exemple@exemple.fr")
    confirm = next(p for p in _payloads(summary) if "affirm" in p)
    done = talk.say(confirm)
    assert re.search(r"\b[2-9A-HJKMNP-Z]{8}\b", _texts(done)), _texts(done)
    assert any("ics" in (m.get("custom") or {}) for m in done if isinstance(m.get("custom"), dict))


def test_hand_over_to_the_hotline_and_back(bot: Bot) -> None:
    from bot.hotline import tickets

    talk = bot.conversation()
    talk.say("Je suis une commune, quelles obligations pour nos véhicules ?")
    opened = _texts(talk.say("je voudrais parler à un conseiller"))
    assert "n° " in opened and "hotline" in opened, opened
    ticket = tickets.active_ticket(talk.sender, url=bot.database_url)
    assert ticket is not None and "Commune" in ticket.summary

    # While the ticket is open the bot stays silent; the message reaches the ticket.
    assert _texts(talk.say("Bonjour, vous êtes là ?")).strip() == ""
    tickets.reply(ticket.id, "agent.test", "Oui, je regarde votre dossier.", url=bot.database_url)
    assert "Oui, je regarde votre dossier." in _texts(talk.say("merci"))
    said = [m.text for m in tickets.get_ticket(ticket.id, url=bot.database_url).messages]
    assert "Bonjour, vous êtes là ?" in said and "merci" in said

    # Once the agent closes the ticket the bot says so and answers the message itself.
    tickets.close(ticket.id, "agent.test", url=bot.database_url)
    back = talk.say("que pouvez-vous faire ?")
    assert tickets.CLOSING_NOTE in _texts(back)
    assert "/find_green_desk" in _payloads(back), _texts(back)  # the help menu

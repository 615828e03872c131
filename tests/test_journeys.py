"""The journeys of BRIEF §3 end to end: trained model, real action server, fresh database.

Each test talks as a buyer would and asserts what the buyer reads, so that a regression in the
NLU, the policies or an action breaks it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from tests.conversation import Bot, Conversation, running_bot

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


# -- ISSUE 13: conversation repairs --------------------------------------------------------------


def _book_until_summary(bot: Bot, session_id: str, index: int) -> tuple[Conversation, str]:
    """One buyer chooses the session and fills the form up to the summary; returns the
    conversation and its e-mail."""
    talk = bot.conversation()
    talk.say("je voudrais m'inscrire à une session de la mission SPASER")
    talk.say(f'/choose_session{{"session_id": "{session_id}"}}')
    talk.say(f"Camille Exemple{index}")
    asked = _texts(talk.say(f"Mairie de Test {index}"))
    if "type" in asked.lower():
        talk.say('/inform{"establishment_type": "commune"}')
    email = f"acheteur{index}@exemple.fr"
    summary = talk.say(email)
    assert "/affirm" in _payloads(summary), _texts(summary)
    return talk, email


def test_losing_the_race_for_the_last_seats_offers_the_waiting_list(bot: Bot) -> None:
    buyers, seats = 5, 2
    session_id = bot.admin(
        "sessions", "add", "--titre", "Atelier SPASER (course)",
        "--debut", "2030-03-14T10:00", "--fin", "2030-03-14T11:30", "--places", str(seats),
    ).strip()  # fmt: skip
    talks = [_book_until_summary(bot, session_id, i)[0] for i in range(buyers)]
    # Everyone confirms at the same time: the session fills between choice and confirmation.
    answers = bot.say_all([(talk, "/affirm") for talk in talks])
    confirmed = [t for t, a in zip(talks, answers, strict=True) if "C'est confirmé" in _texts(a)]
    losers = [(t, a) for t, a in zip(talks, answers, strict=True) if t not in confirmed]
    assert len(confirmed) == seats, [_texts(a) for a in answers]
    for _talk, answer in losers:
        text = _texts(answer)
        assert "liste d'attente" in text and "?" in text, text
        assert {"/affirm", "/deny"} <= set(_payloads(answer)), text
    # They all say yes (typed, not clicked): each is put on the list and told their position,
    # without typing their name, organisation or e-mail again.
    joined = bot.say_all([(talk, "oui") for talk, _ in losers])
    positions = []
    for answer in joined:
        text = _texts(answer)
        assert "pas sûr de vous avoir compris" not in text, text
        found = re.search(r"liste d'attente.*position (\d+)", text)
        assert found, text
        assert re.search(r"\b[2-9A-HJKMNP-Z]{8}\b", text), text
        positions.append(int(found.group(1)))
    assert sorted(positions) == list(range(1, buyers - seats + 1))
    listed = {s["id"]: s for s in json.loads(bot.admin("sessions", "list", "--json"))}
    row = listed[int(session_id)]
    assert row["restantes"] == 0 and row["attente"] == buyers - seats


def test_two_facts_in_one_sentence_are_both_taken(bot: Bot) -> None:
    talk = bot.conversation()
    talk.say("Je travaille pour une commune et nous achetons des véhicules")
    after_amounts = _texts(
        talk.say("nos achats annuels sont d'environ 30 M€ et ce marché fait 150 000 € HT")
    )
    assert "montant estimé de ce marché" not in after_amounts, after_amounts
    assert "montant annuel de vos achats" not in after_amounts, after_amounts
    after_counts = _texts(talk.say("nous avons 25 véhicules et 30 bus"))
    assert "Combien de bus" not in after_counts, after_counts
    assert "En vigueur" in after_counts, after_counts
    for said in ("30 000 000", "150 000", "25 véhicules", "30 bus"):
        assert said in after_counts, (said, after_counts)


def test_an_amount_without_cue_is_asked_about_by_name(bot: Bot) -> None:
    talk = bot.conversation()
    talk.say("Je travaille pour une commune et nous achetons des véhicules")
    talk.say("30 M€ d'achats par an")
    talk.say("un marché de 150 000 €")
    # A fleet size is asked now: the bare amount cannot answer it and is not guessed.
    asked = talk.say("nous avons 25 véhicules et on parle de 2 M€")
    text = _texts(asked)
    assert "Les 2 000 000 € HT que vous indiquez correspondent-ils" in text, text
    assert "vos achats" in text and "du marché" in text, text
    tie = next(p for p in _payloads(asked) if "montant_marche" in p)
    answer = _texts(talk.say(tie))
    assert "Les 2 000 000" not in answer, answer
    recap = answer if "En vigueur" in answer else _texts(talk.say("je ne sais pas"))
    assert "votre marché est estimé à 2 000 000 € HT" in recap, recap
    assert "votre flotte compte 25 véhicules légers" in recap, recap


def test_comment_faire_and_pourquoi_while_a_fact_is_pending(bot: Bot) -> None:
    talk = bot.conversation()
    question = _texts(talk.say("Je travaille pour une commune et nous achetons des véhicules"))
    pending = question.strip().splitlines()[-1]
    how = _texts(talk.say("comment faire ?"))
    assert "Comment faire" in how and "•" in how, how
    assert how.strip().endswith(pending), how
    why = _texts(talk.say("pourquoi ?"))
    assert "Je vous pose cette question" in why, why
    assert why.strip().endswith(pending), why
    faq = _texts(talk.say("c'est quoi le PNAD ?"))
    assert "Plan national" in faq and faq.strip().endswith(pending), faq


def test_a_question_while_the_booking_form_waits_is_answered_then_asked_again(bot: Bot) -> None:
    talk = bot.conversation()
    listed = talk.say("je voudrais m'inscrire à une session de la mission SPASER")
    session = next(p for p in _payloads(listed) if p.startswith("/choose_session"))
    asked = _texts(talk.say(session))
    assert "prénom et nom" in asked
    faq = _texts(talk.say("c'est quoi le PNAD ?"))
    assert "Plan national" in faq and "prénom et nom" in faq, faq
    why = _texts(talk.say("pourquoi ?"))
    assert "prénom et nom" in why and "Je vous pose cette question" in why, why
    summary_next = _texts(talk.say("Camille Exemple"))
    assert "organisation" in summary_next, summary_next


def test_comment_faire_while_the_place_is_asked(bot: Bot) -> None:
    talk = bot.conversation()
    asked = _texts(talk.say("je cherche un facilitateur pour une clause d'insertion"))
    how = _texts(talk.say("comment faire ?"))
    assert "•" in how, how
    assert how.strip().endswith(asked.strip().splitlines()[-1]), how

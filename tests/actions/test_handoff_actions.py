"""Hand-over (journey 6): the ticket and its summary, the relay while it is open, the resumption
once the agent closes it. A fresh SQLite database and tracker per test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.hand_over import ActionHandOver
from actions.relay_to_hotline import AGENT_PREFIX, ActionRelayToHotline
from bot.booking.db import clear_engines
from bot.hotline import tickets
from bot.hotline.schedule import Hours, handoff_message
from tests.actions.tracker import make_tracker


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    clear_engines()
    yield f"sqlite:///{tmp_path / 'handoff.db'}"
    clear_engines()


def hand_over(url: str) -> ActionHandOver:
    return ActionHandOver(opener=partial(tickets.open_ticket, url=url))


def relay(url: str) -> ActionRelayToHotline:
    return ActionRelayToHotline(
        add_message=partial(tickets.add_user_message, url=url),
        take_replies=partial(tickets.take_replies, url=url),
        closing_shown=partial(tickets.closing_note_shown, url=url),
    )


def user(text: str, intent: str, confidence: float = 0.9) -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": confidence}, "entities": []},
    }


def texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


async def test_the_ticket_summary_holds_the_profile_what_was_shown_and_the_question(
    url: str,
) -> None:
    events = [
        user("je suis une commune, quelles obligations pour nos véhicules ?", "ask_obligations"),
        {"event": "action", "name": "action_list_obligations"},
        {"event": "bot", "text": "Voici les obligations qui s'appliquent."},
        user("et si on loue les voitures en leasing ?", "ask_obligations", 0.41),
        {"event": "bot", "text": "Je n'ai pas bien compris."},
        user("je veux parler à un conseiller", "human_handoff"),
    ]
    tracker = make_tracker(
        slots={
            "establishment_type": "commune",
            "purchase_category": "vehicules",
            "routing_place": "dep:33",
            "diag_facts": {"taille_flotte": 30},
        },
        intent="human_handoff",
        text="je veux parler à un conseiller",
        events=events,
        sender_id="conv-1",
    )
    dispatcher = CollectingDispatcher()
    result = await hand_over(url).run(dispatcher, tracker, {})
    assert {"event": "slot", "name": "handoff_ticket", "value": 1, "timestamp": None} in result
    ticket = tickets.get_ticket(1, url=url)
    assert ticket.conversation_id == "conv-1" and ticket.status == "open"
    assert "Commune" in ticket.summary and "Véhicules" in ticket.summary
    assert "Gironde (33)" in ticket.summary and "30" in ticket.summary
    assert "faibles émissions" in ticket.summary  # the obligations already shown
    assert ticket.question == "et si on loue les voitures en leasing ?"
    assert ticket.nlu_confidence == pytest.approx(0.41)
    assert [m.author for m in ticket.messages] == ["user", "bot", "user", "bot", "user"]
    assert "demande n° 1" in texts(dispatcher) or "(n° 1)" in texts(dispatcher)


async def test_asking_twice_keeps_one_ticket_and_a_form_is_stopped(url: str) -> None:
    first = CollectingDispatcher()
    await hand_over(url).run(first, make_tracker(intent="human_handoff", sender_id="c2"), {})
    second = CollectingDispatcher()
    events = await hand_over(url).run(
        second,
        make_tracker(intent="human_handoff", sender_id="c2", active_loop="place_form"),
        {},
    )
    assert "déjà transmise" in texts(second)
    assert len(tickets.list_tickets(url=url)) == 1
    assert {"event": "active_loop", "name": None, "timestamp": None} in events


async def test_while_the_ticket_is_open_messages_go_to_it_and_replies_come_back(
    url: str,
) -> None:
    ticket, _ = tickets.open_ticket("c3", "résumé", url=url)
    tracker = make_tracker(
        slots={"handoff_ticket": ticket.id}, intent="greet", text="vous êtes là ?", sender_id="c3"
    )
    dispatcher = CollectingDispatcher()
    assert await relay(url).run(dispatcher, tracker, {}) == []
    assert dispatcher.messages == []  # the bot stays silent: the hotline answers
    tickets.reply(ticket.id, "agent", "Oui, je lis votre demande.", url=url)
    dispatcher = CollectingDispatcher()
    await relay(url).run(dispatcher, make_tracker(text="merci", sender_id="c3"), {})
    assert texts(dispatcher) == AGENT_PREFIX + "Oui, je lis votre demande."
    transcript = [(m.author, m.text) for m in tickets.get_ticket(ticket.id, url=url).messages]
    assert ("user", "vous êtes là ?") in transcript and ("user", "merci") in transcript


async def test_once_closed_the_bot_says_so_and_answers_the_message_itself(url: str) -> None:
    ticket, _ = tickets.open_ticket("c4", "résumé", url=url)
    tickets.close(ticket.id, "agent", url=url)
    tracker = make_tracker(
        slots={"handoff_ticket": ticket.id},
        intent="ask_obligations",
        text="quelles obligations pour une commune ?",
        sender_id="c4",
    )
    dispatcher = CollectingDispatcher()
    events = await relay(url).run(dispatcher, tracker, {})
    assert texts(dispatcher) == tickets.CLOSING_NOTE
    assert events[0] == {
        "event": "slot",
        "name": "handoff_ticket",
        "value": None,
        "timestamp": None,
    }
    # The message is replayed after an action_listen, so the usual rules answer it.
    assert events[1]["event"] == "action" and events[1]["name"] == "action_listen"
    assert events[2]["event"] == "user" and events[2]["text"] == tracker.latest_message["text"]
    assert events[2]["parse_data"]["intent"]["name"] == "ask_obligations"


async def test_a_closing_note_the_widget_already_showed_is_not_said_twice(url: str) -> None:
    ticket, _ = tickets.open_ticket("c5", "résumé", url=url)
    tickets.close(ticket.id, "agent", url=url)
    assert not tickets.closing_note_shown("c5", url=url)
    assert tickets.take_replies("c5", url=url) == [tickets.CLOSING_NOTE]  # the widget's poll
    assert tickets.closing_note_shown("c5", url=url)
    tracker = make_tracker(
        slots={"handoff_ticket": ticket.id}, intent="greet", text="bonjour", sender_id="c5"
    )
    dispatcher = CollectingDispatcher()
    events = await relay(url).run(dispatcher, tracker, {})
    assert dispatcher.messages == []  # the bot answers the message itself, without the note
    assert events[0]["name"] == "handoff_ticket" and events[0]["value"] is None


async def test_a_database_failure_is_told_in_french() -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database down")

    dispatcher = CollectingDispatcher()
    assert await ActionHandOver(opener=broken).run(dispatcher, make_tracker(), {}) == []
    assert "Réessayez" in texts(dispatcher)
    dispatcher = CollectingDispatcher()
    action = ActionRelayToHotline(add_message=broken, take_replies=broken)
    assert await action.run(dispatcher, make_tracker(text="allô"), {}) == []
    assert "n'a pas pu être transmis" in texts(dispatcher)


def test_the_user_is_told_the_hours_and_whether_the_hotline_is_open() -> None:
    hours = Hours(days=(1, 2, 3, 4, 5), opens=datetime(2026, 1, 1, 9).time(),
                  closes=datetime(2026, 1, 1, 17).time())  # fmt: skip
    tuesday_ten = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)  # 10:00 in Paris
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=timezone.utc)
    evening = datetime(2026, 12, 1, 17, 30, tzinfo=timezone.utc)  # 18:30 in Paris
    assert "dès qu'il sera disponible" in handoff_message(7, tuesday_ten, hours)
    for closed in (saturday, evening):
        message = handoff_message(7, closed, hours)
        assert "fermée" in message and "du lundi au vendredi, de 9 h à 17 h" in message
        assert "n° 7" in message


def test_replayed_messages_are_quoted_once() -> None:
    from actions.hand_over import snapshot_of

    events = [
        user("euh les voitures", "nlu_fallback", 0.3),
        {"event": "bot", "text": "Vouliez-vous dire : mes obligations ?"},
        {"event": "action", "name": "action_two_stage_fallback"},
        {"event": "rewind"},
        user("euh les voitures", "ask_obligations", 1.0),
        {"event": "action", "name": "action_relay_to_hotline"},
        {"event": "bot", "text": "Le conseiller a clos l'échange."},
        {"event": "action", "name": "action_listen"},
        user("euh les voitures", "ask_obligations", 1.0),
    ]
    messages = snapshot_of(make_tracker(events=events)).messages
    assert [m[0] for m in messages] == ["user", "bot", "bot"]
    assert messages[0][2]["intent"]["name"] == "ask_obligations"  # type: ignore[index]

"""`action_list_changes`: the horizon from the message (or the last one for a type button), the
profile from the slots."""

from __future__ import annotations

import datetime as dt

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.list_changes import ActionListChanges
from tests.actions.tracker import make_tracker

TODAY = dt.date(2026, 12, 3)


def action() -> ActionListChanges:
    return ActionListChanges(today=lambda: TODAY)


async def test_changes_for_a_known_profile() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={"establishment_type": "etat_central", "purchase_category": "vehicules"},
        intent="ask_changes",
        text="qu'est-ce qui change en 2027 ?",
    )
    events = await action().run(dispatcher, tracker, {})
    first = dispatcher.messages[0]["text"]
    assert first.startswith("Ce qui change en 2027 pour un service central de l'État")
    assert "70 %" in first
    assert "conseil juridique" in dispatcher.messages[-1]["text"]
    assert events == [SlotSet("changes_horizon", "2027")]


async def test_without_type_all_buyers_and_the_type_buttons() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="ask_changes", text="qu'est-ce qui change l'an prochain ?")
    events = await action().run(dispatcher, tracker, {})
    assert "l'ensemble des acheteurs publics" in dispatcher.messages[0]["text"]
    buttons = dispatcher.messages[1]["buttons"]
    assert len(buttons) == 10
    assert '/ask_changes{"establishment_type": "commune"}' in [b["payload"] for b in buttons]
    assert events == [SlotSet("changes_horizon", "an_prochain")]


async def test_a_type_button_keeps_the_horizon_of_the_question() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={"establishment_type": "commune", "changes_horizon": "2027"},
        intent="ask_changes",
        text='/ask_changes{"establishment_type": "commune"}',
    )
    events = await action().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["text"].startswith("Ce qui change en 2027 pour une commune")
    assert events == [SlotSet("changes_horizon", "2027")]


async def test_a_question_without_horizon_means_what_is_coming() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={"establishment_type": "commune", "changes_horizon": "2030"},
        intent="ask_changes",
        text="quelles échéances pour nous ?",
    )
    await action().run(dispatcher, tracker, {})
    assert "d'ici la fin de 2027" in dispatcher.messages[0]["text"]


async def test_a_failure_is_a_polite_message() -> None:
    def broken() -> object:
        raise RuntimeError("knowledge unavailable")

    dispatcher = CollectingDispatcher()
    failing = ActionListChanges(engine_factory=broken, today=lambda: TODAY)  # type: ignore[arg-type]
    assert await failing.run(dispatcher, make_tracker(text="2027"), {}) == []
    assert "Désolé" in dispatcher.messages[0]["text"]

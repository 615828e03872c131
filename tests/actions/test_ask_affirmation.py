from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.ask_affirmation import ActionDefaultAskAffirmation
from tests.actions.tracker import make_tracker


async def test_offers_the_likeliest_meanings_with_readable_labels() -> None:
    parse = {
        "text": "guichet vert ou facilitateur",
        "intent": {"name": "nlu_fallback", "confidence": 0.4},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.55},
            {"name": "find_green_desk", "confidence": 0.41},
            {"name": "inform", "confidence": 0.30},
            {"name": "faq", "confidence": 0.2},
            {"name": "find_facilitator", "confidence": 0.1},
        ],
        "entities": [{"entity": "department", "value": "33", "start": 0, "end": 7}],
        "response_selector": {"faq": {"response": {"intent_response_key": "faq/guichet_vert"}}},
    }
    dispatcher = CollectingDispatcher()
    events = await ActionDefaultAskAffirmation().run(
        dispatcher, make_tracker(latest_message=parse), {}
    )
    assert events == []
    [message] = dispatcher.messages
    assert message["text"] == "Vouliez-vous dire :"
    assert [b["title"] for b in message["buttons"]] == [
        "Trouver un guichet vert",
        "Qu'est-ce qu'un guichet vert ?",
        "Trouver un facilitateur des clauses sociales",
        "Autre chose",
    ]
    # The entities already understood travel with the guess: nothing is lost.
    assert message["buttons"][0]["payload"] == '/find_green_desk{"department": "33"}'
    assert message["buttons"][1]["payload"] == "Qu'est-ce qu'un guichet vert ?"
    assert message["buttons"][-1]["payload"] == "/deny"


async def test_without_any_guess_it_still_offers_a_way_out() -> None:
    parse = {"text": "zzz", "intent_ranking": [{"name": "nlu_fallback", "confidence": 1.0}]}
    dispatcher = CollectingDispatcher()
    await ActionDefaultAskAffirmation().run(dispatcher, make_tracker(latest_message=parse), {})
    [message] = dispatcher.messages
    assert message["text"] == "Je n'ai pas bien compris."
    assert message["buttons"] == [{"title": "Autre chose", "payload": "/deny"}]

"""The facilitator / guichet vert journey's actions, one fresh tracker and dispatcher per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.ask_routing_place import ActionAskRoutingPlace
from actions.find_contact import ActionFindContact
from actions.start_contact_search import ActionStartContactSearch
from actions.validate_place_form import ValidatePlaceForm
from bot.contacts import clear_cache
from tests.actions.tracker import make_tracker


@pytest.fixture(autouse=True)
def no_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("FACILITATEURS_IMPORTES", str(tmp_path / "none.json"))
    clear_cache()
    yield
    clear_cache()


def entity(name: str, value: str) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": len(value)}


def slots_of(events: list[Any]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


# -- action_start_contact_search ------------------------------------------------------------


async def test_start_notes_the_kind_and_no_place_when_none_is_known() -> None:
    tracker = make_tracker(intent="find_facilitator", text="je cherche un facilitateur")
    events = await ActionStartContactSearch().run(CollectingDispatcher(), tracker, {})
    assert slots_of(events) == {"contact_type": "facilitateur", "routing_place": None}


async def test_start_uses_the_place_named_in_the_request() -> None:
    tracker = make_tracker(
        intent="find_green_desk",
        text="guichet vert en Bretagne",
        entities=[entity("region", "bretagne")],
    )
    events = await ActionStartContactSearch().run(CollectingDispatcher(), tracker, {})
    assert slots_of(events) == {"contact_type": "guichet_vert", "routing_place": "reg:bretagne"}


async def test_start_reuses_the_place_of_an_earlier_search_without_asking() -> None:
    tracker = make_tracker(
        intent="find_green_desk",
        slots={"routing_place": "cp:33000:33", "contact_type": "facilitateur"},
    )
    events = await ActionStartContactSearch().run(CollectingDispatcher(), tracker, {})
    assert events == [SlotSet("contact_type", "guichet_vert")]


async def test_start_uses_place_slots_filled_earlier_in_the_conversation() -> None:
    tracker = make_tracker(intent="find_facilitator", slots={"department": "2A"})
    events = await ActionStartContactSearch().run(CollectingDispatcher(), tracker, {})
    assert slots_of(events)["routing_place"] == "dep:2A"


async def test_start_leaves_an_ambiguous_place_to_the_question() -> None:
    tracker = make_tracker(intent="find_facilitator", entities=[entity("city", "Saint-Denis")])
    events = await ActionStartContactSearch().run(CollectingDispatcher(), tracker, {})
    assert slots_of(events)["routing_place"] is None


async def test_start_never_raises(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> Any:
        raise OSError("tables missing")

    tracker = make_tracker(intent="find_facilitator", entities=[entity("postal_code", "33000")])
    events = await ActionStartContactSearch(territories=broken).run(
        CollectingDispatcher(), tracker, {}
    )
    assert slots_of(events)["routing_place"] is None


# -- action_ask_routing_place ---------------------------------------------------------------


async def test_the_question_when_nothing_is_known() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="find_facilitator", text="je cherche un facilitateur")
    await ActionAskRoutingPlace().run(dispatcher, tracker, {})
    assert [m["text"] for m in dispatcher.messages] == [
        "Où êtes-vous ? (code postal, commune, département ou région)"
    ]


async def test_after_a_question_answered_mid_search_the_place_is_asked_without_error() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="faq", text="c'est quoi un guichet vert ?")
    await ActionAskRoutingPlace().run(dispatcher, tracker, {})
    assert [m["text"] for m in dispatcher.messages] == [
        "Où êtes-vous ? (code postal, commune, département ou région)"
    ]


async def test_homonyms_get_one_button_per_department() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="find_facilitator", entities=[entity("city", "Saint-Denis")])
    await ActionAskRoutingPlace().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert "Plusieurs communes s'appellent Saint-Denis" in message["text"]
    payloads = [b["payload"] for b in message["buttons"]]
    assert '/inform{"city": "Saint-Denis", "department": "93"}' in payloads
    assert '/inform{"city": "Saint-Denis", "department": "974"}' in payloads


async def test_shared_postal_code_asks_which_department() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="inform", text="13780", entities=[entity("postal_code", "13780")])
    await ActionAskRoutingPlace().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert [b["payload"] for b in message["buttons"]] == [
        '/inform{"postal_code": "13780", "department": "13"}',
        '/inform{"postal_code": "13780", "department": "83"}',
    ]


async def test_wrong_answer_is_explained_then_asked_again() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="inform", text="98000", entities=[entity("postal_code", "98000")])
    await ActionAskRoutingPlace().run(dispatcher, tracker, {})
    texts = [m["text"] for m in dispatcher.messages]
    assert "Monaco" in texts[0] and texts[1].startswith("Où êtes-vous ?")


async def test_free_text_answer_without_entity_is_understood() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="inform", text="Trifouillis")
    await ActionAskRoutingPlace().run(dispatcher, tracker, {})
    assert "Je ne reconnais pas « Trifouillis »" in dispatcher.messages[0]["text"]


# -- validate_place_form --------------------------------------------------------------------


async def test_validation_resolves_entities_and_fills_department_and_region() -> None:
    tracker = make_tracker(
        intent="inform",
        text="20000",
        entities=[entity("postal_code", "20000")],
        active_loop="place_form",
    )
    result = await ValidatePlaceForm().validate_routing_place(
        "20000", CollectingDispatcher(), tracker, {}
    )
    assert result == {"routing_place": "cp:20000:2A", "department": "2A", "region": "corse"}


async def test_validation_accepts_the_button_choice() -> None:
    payload_entities = [entity("city", "Saint-Denis"), entity("department", "974")]
    tracker = make_tracker(intent="inform", entities=payload_entities)
    result = await ValidatePlaceForm().validate_routing_place(
        '/inform{"city": "Saint-Denis", "department": "974"}', CollectingDispatcher(), tracker, {}
    )
    assert result["routing_place"] == "commune:97411" and result["region"] == "la_reunion"


async def test_validation_accepts_a_stored_key_and_free_text() -> None:
    validator = ValidatePlaceForm()
    stored = await validator.validate_routing_place(
        "reg:bretagne", CollectingDispatcher(), make_tracker(intent="find_green_desk"), {}
    )
    assert stored["routing_place"] == "reg:bretagne"
    typed = await validator.validate_routing_place(
        "dans la Haute-Corse", CollectingDispatcher(), make_tracker(intent="inform"), {}
    )
    assert typed["routing_place"] == "dep:2B"


@pytest.mark.parametrize("text", ["Saint-Denis", "98000", "n'importe quoi"])
async def test_validation_rejects_ambiguous_or_unknown_places(text: str) -> None:
    result = await ValidatePlaceForm().validate_routing_place(
        text, CollectingDispatcher(), make_tracker(intent="inform", text=text), {}
    )
    assert result == {"routing_place": None}


# -- action_find_contact --------------------------------------------------------------------


async def test_contact_card_says_who_what_how_and_why() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"contact_type": "guichet_vert", "routing_place": "cp:33000:33"})
    events = await ActionFindContact().run(dispatcher, tracker, {})
    why, card, follow_up = (m["text"] for m in dispatcher.messages if m.get("text"))
    [rich] = [m["custom"]["carte"] for m in dispatcher.messages if m.get("custom")]
    assert rich["remplace"] == [card] and "3AR" in rich["elements"][0]["titre"]
    assert why.startswith(
        "Pourquoi ce contact : 33000 (Bordeaux) → Gironde (33) → Nouvelle-Aquitaine"
    )
    assert "3AR" in card and "https://3ar-na.fr" in card and "Ce qu'il propose" in card
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == [
        "/find_facilitator",
        "/ask_obligations",
    ]
    assert follow_up == "Puis-je vous aider autrement ?"
    assert slots_of(events) == {"department": "33", "region": "nouvelle_aquitaine"}


async def test_region_without_green_desk_is_told_and_given_the_fallback() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"contact_type": "guichet_vert", "routing_place": "reg:corse"})
    await ActionFindContact().run(dispatcher, tracker, {})
    texts = [m["text"] for m in dispatcher.messages]
    assert "Aucun guichet vert n'est référencé" in texts[0]
    assert "Contact national" in texts[1] and "achats-durables.gouv.fr" in texts[1]


async def test_facilitator_search_offers_the_green_desk_next() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"contact_type": "facilitateur", "routing_place": "dep:59"})
    await ActionFindContact().run(dispatcher, tracker, {})
    assert dispatcher.messages[-1]["buttons"][0]["payload"] == "/find_green_desk"
    assert any("Alliance Villes Emploi" in m["text"] for m in dispatcher.messages)


async def test_a_routing_failure_gets_a_polite_message() -> None:
    def broken(kind: str, place: Any) -> Any:
        raise RuntimeError("boom")

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"contact_type": "facilitateur", "routing_place": "dep:59"})
    events = await ActionFindContact(router=broken).run(dispatcher, tracker, {})
    assert events == [] and "Désolé" in dispatcher.messages[0]["text"]


async def test_a_lost_place_asks_again() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"contact_type": "facilitateur", "routing_place": "nimporte"})
    events = await ActionFindContact().run(dispatcher, tracker, {})
    assert events == [SlotSet("routing_place", None)]
    assert dispatcher.messages[0]["text"].startswith("Où êtes-vous ?")

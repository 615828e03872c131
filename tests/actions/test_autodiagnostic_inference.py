"""The autodiagnostic infers a named commune's population instead of asking it, says so, and
accepts a correction; a lone place does not start the autodiagnostic (fresh tracker per test)."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.ask_diag_fact_answer import ActionAskDiagFactAnswer
from actions.list_obligations import ActionListObligations
from actions.validate_autodiagnostic_form import ValidateAutodiagnosticForm
from bot.territory import load_territories
from tests.actions.tracker import make_tracker

DOMAIN: dict[str, Any] = {
    "forms": {
        "autodiagnostic_form": {
            "required_slots": ["establishment_type", "purchase_category", "diag_fact_answer"]
        }
    }
}
# With these amounts known, the population is the only fact left to decide (REEN strategy).
AMOUNTS = {"montant_achats_annuel": 1_000_000, "montant_marche": 10_000}
COMMUNE_IT = {"establishment_type": "commune", "purchase_category": "informatique"}


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["text"] for m in dispatcher.messages if m.get("text")]


def slot(events: list[Any], name: str) -> Any:
    values = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == name]
    assert values, f"slot {name} not set"
    return values[-1]


def sets(events: list[Any], name: str) -> bool:
    return any(e.get("event") == "slot" and e.get("name") == name for e in events)


def population_answer(slots: dict[str, Any], text: str, entities: list[dict[str, Any]]) -> Any:
    """The user's answer to the population question (the form's from_text slot just filled)."""
    return make_tracker(
        slots={**slots, "diag_current_fact": "population", "requested_slot": "diag_fact_answer"},
        text=text,
        entities=entities,
        events=[
            {"event": "user", "text": text, "parse_data": {"intent": {"name": "inform"}}},
            {"event": "slot", "name": "diag_fact_answer", "value": text},
        ],
        active_loop="autodiagnostic_form",
    )


def pessac() -> int:
    population = load_territories().communes["33318"].population
    assert population is not None
    return population


async def test_the_population_of_a_named_commune_is_inferred_said_and_not_asked() -> None:
    text = "la mairie de Pessac achète des ordinateurs"
    tracker = make_tracker(
        slots={**COMMUNE_IT, "city": "Pessac", "diag_facts": AMOUNTS},
        intent="ask_obligations",
        text=text,
        entities=[{"entity": "city", "value": "Pessac"}],
    )
    dispatcher = CollectingDispatcher()
    events = await ValidateAutodiagnosticForm().run(dispatcher, tracker, DOMAIN)
    assert slot(events, "diag_facts") == {**AMOUNTS, "population": pessac()}
    assert slot(events, "diag_inferred")["population"].startswith("population légale INSEE")
    said = texts(dispatcher)[0]
    assert said.startswith("D'après la population légale INSEE (COG 2026")
    assert "Pessac compte" in said and "en fait nous sommes 40 000 habitants" in said
    assert slot(events, "requested_slot") is None  # nothing left to ask


async def test_a_postal_code_of_one_commune_is_enough() -> None:
    tracker = make_tracker(slots={**COMMUNE_IT, "postal_code": "33600"}, text="33600")
    events = await ValidateAutodiagnosticForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert slot(events, "diag_facts") == {"population": pessac()}


async def test_a_homonym_or_a_shared_postal_code_leaves_the_question_asked() -> None:
    for place in ({"city": "Saint-Denis"}, {"postal_code": "51300"}, {"city": "Pessak"}):
        dispatcher = CollectingDispatcher()
        slots = {**COMMUNE_IT, **place, "diag_facts": AMOUNTS}
        tracker = make_tracker(slots=slots, text="bonjour")
        events = await ValidateAutodiagnosticForm().run(dispatcher, tracker, DOMAIN)
        assert not sets(events, "diag_facts")
        assert not any("D'après" in t for t in texts(dispatcher))
        assert not sets(events, "requested_slot")  # the form goes on: Rasa asks the next slot
        asking = CollectingDispatcher()
        asked = await ActionAskDiagFactAnswer().run(asking, make_tracker(slots=slots), {})
        assert slot(asked, "diag_current_fact") == "population"
        assert "Combien d'habitants" in texts(asking)[0]


async def test_a_correction_overrides_the_inferred_population_for_good() -> None:
    text = "en fait nous sommes 40 000 habitants"
    slots = {
        **COMMUNE_IT,
        "city": "Pessac",
        "diag_facts": {"population": pessac()},
        "diag_inferred": {"population": "population légale INSEE de Pessac (Gironde, 33)"},
    }
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=slots, text=text)
    events = await ValidateAutodiagnosticForm().run(dispatcher, tracker, DOMAIN)
    assert slot(events, "diag_facts") == {"population": 40_000}
    assert slot(events, "diag_inferred") == {}
    assert not any("D'après" in t for t in texts(dispatcher))
    # Next turn, with the city still known, the user's figure stays.
    later = make_tracker(
        slots={**slots, "diag_facts": {"population": 40_000}, "diag_inferred": {}},
        text="et pour un autre achat ?",
    )
    events = await ValidateAutodiagnosticForm().run(CollectingDispatcher(), later, DOMAIN)
    assert not sets(events, "diag_facts")


async def test_the_answer_says_which_figure_was_inferred() -> None:
    slots = {
        **COMMUNE_IT,
        "diag_facts": {"population": pessac()},
        "diag_inferred": {"population": "population légale INSEE de Pessac (Gironde, 33)"},
    }
    dispatcher = CollectingDispatcher()
    await ActionListObligations().run(dispatcher, make_tracker(slots=slots), {})
    assert "(déduit : population légale INSEE de Pessac" in texts(dispatcher)[0]


async def test_a_lone_postal_code_is_noted_and_offers_the_menu() -> None:
    tracker = make_tracker(text="33600", entities=[{"entity": "postal_code", "value": "33600"}])
    dispatcher = CollectingDispatcher()
    events = await ValidateAutodiagnosticForm().run(dispatcher, tracker, DOMAIN)
    assert texts(dispatcher) == ["C'est noté : Pessac (Gironde, 33)."]
    assert dispatcher.messages[-1]["response"] == "utter_help"
    assert slot(events, "requested_slot") is None  # the form ends at once
    listing = CollectingDispatcher()
    await ActionListObligations().run(listing, tracker, {})
    assert listing.messages == []  # no "who are you?" after the menu


async def test_a_place_while_the_form_asks_a_question_is_not_intercepted() -> None:
    tracker = make_tracker(
        slots={"city": "Pessac"},
        text="Pessac",
        entities=[{"entity": "city", "value": "Pessac"}],
        active_loop="autodiagnostic_form",
    )
    dispatcher = CollectingDispatcher()
    events = await ValidateAutodiagnosticForm().run(dispatcher, tracker, DOMAIN)
    assert not any(m.get("response") == "utter_help" for m in dispatcher.messages)
    assert slot(events, "requested_slot") == "establishment_type"


async def test_answering_the_population_question_with_the_commune_name_infers_it() -> None:
    slots = {
        **COMMUNE_IT,
        "city": "Pessac",
        "diag_facts": AMOUNTS,
        "diag_fact_answer": "Pessac",
    }
    tracker = population_answer(slots, "Pessac", [{"entity": "city", "value": "Pessac"}])
    dispatcher = CollectingDispatcher()
    events = await ValidateAutodiagnosticForm().run(dispatcher, tracker, DOMAIN)
    assert slot(events, "diag_facts")["population"] == pessac()
    assert len(texts(dispatcher)) == 1 and "Pessac compte" in texts(dispatcher)[0]
    assert slot(events, "requested_slot") is None


async def test_a_number_given_with_the_commune_name_wins_over_the_table() -> None:
    slots = {
        **COMMUNE_IT,
        "city": "Pessac",
        "diag_facts": AMOUNTS,
        "diag_fact_answer": "Pessac, 40 000",
    }
    tracker = population_answer(slots, "Pessac, 40 000", [{"entity": "city", "value": "Pessac"}])
    events = await ValidateAutodiagnosticForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert slot(events, "diag_facts")["population"] == 40_000
    assert slot(events, "diag_inferred") == {}


def test_the_territory_is_inferred_from_the_department_slot_for_catering() -> None:
    from actions._autodiagnostic_common import evaluate
    from bot.engine import get_engine

    slots = {
        "establishment_type": "commune",
        "purchase_category": "restauration_collective",
        "department": "976",
    }
    result = evaluate(get_engine(), make_tracker(slots=slots))
    assert result is not None
    assert result.faits["territoire"] == "mayotte"
    assert "976" in result.faits_deduits["territoire"]
    egalim = result.get("egalim_qualite_durable")
    assert egalim is not None and any("Mayotte" in p for p in egalim.precisions)
    vehicles = evaluate(
        get_engine(), make_tracker(slots={**slots, "purchase_category": "vehicules"})
    )
    assert vehicles is not None and "territoire" not in vehicles.faits

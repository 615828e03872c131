"""While the autodiagnostic asks one fact, the buyer may give another one or change the profile:
it is noted, and the pending question is asked again instead of being answered with nonsense."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.ask_diag_fact_answer import ActionAskDiagFactAnswer
from actions.validate_autodiagnostic_form import ValidateAutodiagnosticForm
from tests.actions.tracker import make_tracker

DOMAIN: dict[str, Any] = {
    "forms": {
        "autodiagnostic_form": {
            "required_slots": ["establishment_type", "purchase_category", "diag_fact_answer"]
        }
    }
}
EPCI_VEHICLES = {"establishment_type": "epci", "purchase_category": "vehicules"}


def pending(text: str, entities: list[dict[str, Any]] | None = None) -> Any:
    """The form is asking the annual purchases amount and the user answers `text`."""
    return make_tracker(
        slots={
            **EPCI_VEHICLES,
            "diag_current_fact": "montant_achats_annuel",
            "requested_slot": "diag_fact_answer",
            "diag_fact_answer": text,
        },
        text=text,
        entities=entities,
        events=[{"event": "slot", "name": "diag_fact_answer", "value": text}],
        active_loop="autodiagnostic_form",
    )


def slot_values(events: list[Any], name: str) -> list[Any]:
    return [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == name]


async def test_another_fact_is_noted_not_misread_as_the_amount() -> None:
    dispatcher = CollectingDispatcher()
    events = await ValidateAutodiagnosticForm().run(
        dispatcher, pending("en fait 45 véhicules légers"), DOMAIN
    )
    said = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert "C'est noté" in said and "45" in said
    assert "montant" not in said.lower()  # no "I could not read an amount" complaint
    assert slot_values(events, "diag_facts")[-1]["taille_flotte"] == 45
    assert "montant_achats_annuel" not in slot_values(events, "diag_facts")[-1]


async def test_a_new_establishment_type_mid_form_is_noted() -> None:
    dispatcher = CollectingDispatcher()
    entity = {"entity": "establishment_type", "value": "departement", "start": 13, "end": 27}
    await ValidateAutodiagnosticForm().run(
        dispatcher, pending("et pour un département ?", [entity]), DOMAIN
    )
    said = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert "C'est noté" in said and "département" in said.lower()
    assert "nombre" not in said.lower()  # not "je n'ai pas trouvé de nombre"


async def test_the_real_answer_is_still_read() -> None:
    dispatcher = CollectingDispatcher()
    amount = {"entity": "amount", "value": "60 millions d'euros", "start": 0, "end": 19}
    events = await ValidateAutodiagnosticForm().run(
        dispatcher, pending("60 millions d'euros", [amount]), DOMAIN
    )
    assert slot_values(events, "diag_facts")[-1]["montant_achats_annuel"] == 60_000_000


def asking(fact: str, text: str, **slots: Any) -> Any:
    """The form is asking `fact` and the user answers `text`."""
    return make_tracker(
        slots={
            **EPCI_VEHICLES,
            "diag_current_fact": fact,
            "requested_slot": "diag_fact_answer",
            "diag_fact_answer": text,
            **slots,
        },
        text=text,
        events=[
            {"event": "user", "text": text},
            {"event": "slot", "name": "diag_fact_answer", "value": text},
        ],
        active_loop="autodiagnostic_form",
    )


async def test_two_amounts_in_the_answer_are_both_taken() -> None:
    dispatcher = CollectingDispatcher()
    text = "nos achats annuels sont d'environ 30 M€ et ce marché fait 150 000 € HT"
    events = await ValidateAutodiagnosticForm().run(
        dispatcher, asking("montant_achats_annuel", text), DOMAIN
    )
    facts = slot_values(events, "diag_facts")[-1]
    assert facts["montant_achats_annuel"] == 30_000_000 and facts["montant_marche"] == 150_000
    assert "C'est noté" in " ".join(m.get("text") or "" for m in dispatcher.messages)


async def test_an_unclear_amount_is_asked_about_then_tied_by_the_button() -> None:
    dispatcher = CollectingDispatcher()
    text = "le marché représente 2 M€ de nos achats annuels"
    events = await ValidateAutodiagnosticForm().run(
        dispatcher, asking("taille_flotte", text), DOMAIN
    )
    (unclear,) = slot_values(events, "diag_pending_amount")
    assert unclear["valeur"] == 2_000_000
    assert unclear["faits"] == ["montant_achats_annuel", "montant_marche"]
    assert not slot_values(events, "diag_facts")  # nothing guessed
    said = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert "nombre" not in said  # not "je n'ai pas trouvé de nombre" for the fleet

    asked = CollectingDispatcher()
    await ActionAskDiagFactAnswer().run(
        asked, make_tracker(slots={**EPCI_VEHICLES, "diag_pending_amount": unclear}), DOMAIN
    )
    assert asked.messages[0]["text"].startswith("Les 2 000 000 € HT que vous indiquez")

    payload = '/inform{"diag_fact": "montant_marche"}'
    tracker = make_tracker(
        slots={
            **EPCI_VEHICLES,
            "diag_current_fact": "taille_flotte",
            "requested_slot": "diag_fact_answer",
            "diag_fact_answer": payload,
            "diag_pending_amount": unclear,
        },
        text=payload,
        entities=[{"entity": "diag_fact", "value": "montant_marche"}],
        events=[
            {"event": "user", "text": text},
            {"event": "user", "text": payload},
            {"event": "slot", "name": "diag_fact_answer", "value": payload},
        ],
        active_loop="autodiagnostic_form",
    )
    events = await ValidateAutodiagnosticForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert slot_values(events, "diag_facts")[-1]["montant_marche"] == 2_000_000
    assert slot_values(events, "diag_pending_amount")[-1] is None

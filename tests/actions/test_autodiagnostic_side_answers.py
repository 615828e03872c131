"""While the autodiagnostic asks one fact, the buyer may give another one or change the profile:
it is noted, and the pending question is asked again instead of being answered with nonsense."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

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

"""The autodiagnostic actions: what the user sees and which slots change (fresh tracker and
dispatcher per test)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.ask_autodiagnostic_category import ActionAskAutodiagnosticFormPurchaseCategory
from actions.ask_autodiagnostic_type import ActionAskAutodiagnosticFormEstablishmentType
from actions.ask_diag_fact_answer import ActionAskDiagFactAnswer
from actions.explain_why import ActionExplainWhy
from actions.list_obligations import ActionListObligations
from actions.show_levers import ActionShowLevers
from actions.show_obligation_details import ActionShowObligationDetails
from actions.show_recap import ActionShowRecap
from actions.validate_autodiagnostic_form import ValidateAutodiagnosticForm
from bot.engine import Engine
from bot.paths import ROOT
from tests.actions.tracker import make_tracker

DOMAIN: dict[str, Any] = {
    "forms": {
        "autodiagnostic_form": {
            "required_slots": ["establishment_type", "purchase_category", "diag_fact_answer"]
        }
    }
}
COMMUNE_VEHICLES = {"establishment_type": "commune", "purchase_category": "vehicules"}


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["text"] for m in dispatcher.messages if m.get("text") is not None]


def slot(events: list[Any], name: str) -> Any:
    values = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == name]
    assert values, f"slot {name} not set"
    return values[-1]


def form_continues(events: list[Any]) -> bool:
    """No `requested_slot: null`: Rasa's form asks the next slot (diag_fact_answer)."""
    return not any(e.get("name") == "requested_slot" and e.get("value") is None for e in events)


def payload_message(intent: str, obligation_id: str) -> dict[str, Any]:
    return {
        "text": f'/{intent}{{"obligation_id": "{obligation_id}"}}',
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [{"entity": "obligation_id", "value": obligation_id}],
    }


# --- the answer -----------------------------------------------------------------------------


async def test_list_groups_obligations_with_buttons_and_the_legal_reminder() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={**COMMUNE_VEHICLES, "diag_facts": {"taille_flotte": 25}})
    await ActionListObligations().run(dispatcher, tracker, {})
    all_text = "\n".join(texts(dispatcher))
    assert "— En vigueur —" in all_text and "— À confirmer —" in all_text
    assert "Des véhicules à faibles émissions" in all_text
    assert "votre flotte compte 25 véhicules légers" in texts(dispatcher)[0]
    vehicles = next(m for m in dispatcher.messages if "faibles émissions lors" in m["text"])
    assert "https://www.legifrance.gouv.fr/" in vehicles["text"]
    assert "depuis le 1er janvier 2022" in vehicles["text"]
    assert [b["payload"] for b in vehicles["buttons"]] == [
        '/ask_details{"obligation_id": "vehicules_faibles_emissions"}',
        '/ask_levers{"obligation_id": "vehicules_faibles_emissions"}',
        '/ask_why{"obligation_id": "vehicules_faibles_emissions"}',
    ]
    last = texts(dispatcher)[-1]
    assert "pas un conseil juridique" in last and "30 novembre 2026" in last


async def test_list_without_profile_asks_for_it() -> None:
    dispatcher = CollectingDispatcher()
    await ActionListObligations().run(dispatcher, make_tracker(), {})
    assert "qui vous êtes" in texts(dispatcher)[0]


async def test_a_broken_engine_gives_a_polite_message() -> None:
    def broken() -> Engine:
        raise RuntimeError("base indisponible")

    dispatcher = CollectingDispatcher()
    events = await ActionListObligations(engine_factory=broken).run(
        dispatcher, make_tracker(slots=COMMUNE_VEHICLES), {}
    )
    assert events == []
    assert "Désolé" in texts(dispatcher)[0]


# --- the form ---------------------------------------------------------------------------------


async def test_asks_only_deciding_facts_one_at_a_time_with_dont_know() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionAskDiagFactAnswer().run(
        dispatcher, make_tracker(slots=COMMUNE_VEHICLES), {}
    )
    [message] = dispatcher.messages
    assert "montant annuel de vos achats" in message["text"]
    assert message["buttons"][-1] == {"title": "Je ne sais pas", "payload": "/dont_know"}
    assert events == [SlotSet("diag_current_fact", "montant_achats_annuel")]


async def test_works_question_offers_the_three_choices() -> None:
    dispatcher = CollectingDispatcher()
    slots = {
        "establishment_type": "commune",
        "purchase_category": "travaux_batiment",
        "diag_facts": {
            "montant_achats_annuel": 1_000_000,
            "montant_marche": 100_000,
            "surface_m2": 2000,
            "surface_tertiaire": 2000,
            "puissance_cvc_kw": 100,
        },
    }
    await ActionAskDiagFactAnswer().run(dispatcher, make_tracker(slots=slots), {})
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles == ["Construction neuve", "Rénovation", "Démolition", "Je ne sais pas"]


def answer_tracker(text: str, intent: str = "inform", **slots: Any) -> Any:
    return make_tracker(
        slots={**COMMUNE_VEHICLES, "diag_current_fact": "taille_flotte", **slots},
        intent=intent,
        text=text,
        events=[
            {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
            {"event": "slot", "name": "diag_fact_answer", "value": text},
        ],
        active_loop="autodiagnostic_form",
    )


async def test_a_number_answers_the_question() -> None:
    dispatcher = CollectingDispatcher()
    events = await ValidateAutodiagnosticForm().run(dispatcher, answer_tracker("30"), DOMAIN)
    assert slot(events, "diag_facts") == {"taille_flotte": 30}
    assert slot(events, "diag_fact_answer") is None
    assert dispatcher.messages == []


async def test_a_vague_answer_is_re_asked_with_an_example() -> None:
    dispatcher = CollectingDispatcher()
    events = await ValidateAutodiagnosticForm().run(
        dispatcher, answer_tracker("une vingtaine"), DOMAIN
    )
    assert "par exemple" in texts(dispatcher)[0]
    assert not any(e.get("name") == "diag_facts" for e in events)
    assert form_continues(events)


async def test_dont_know_leaves_the_obligation_to_confirm_and_moves_on() -> None:
    dispatcher = CollectingDispatcher()
    tracker = answer_tracker(
        "/dont_know",
        intent="dont_know",
        diag_facts={"montant_achats_annuel": 1_000_000, "montant_marche": 10_000},
    )
    events = await ValidateAutodiagnosticForm().run(dispatcher, tracker, DOMAIN)
    assert slot(events, "diag_unknown") == ["taille_flotte"]
    assert "à confirmer" in texts(dispatcher)[0]
    assert form_continues(events)  # the bus fleet is next


async def test_form_ends_when_no_deciding_fact_is_missing() -> None:
    dispatcher = CollectingDispatcher()
    facts = {"montant_achats_annuel": 1_000_000, "montant_marche": 10_000, "nombre_bus": 0}
    events = await ValidateAutodiagnosticForm().run(
        dispatcher, answer_tracker("25", diag_facts=facts), DOMAIN
    )
    assert slot(events, "diag_facts")["taille_flotte"] == 25
    assert slot(events, "requested_slot") is None


async def test_facts_in_the_first_sentence_are_kept() -> None:
    text = "une commune avec 35 véhicules et 60 millions d'euros d'achats par an"
    tracker = make_tracker(
        slots=COMMUNE_VEHICLES,
        text=text,
        events=[
            {"event": "user", "text": text},
            {"event": "slot", "name": "establishment_type", "value": "commune"},
        ],
    )
    events = await ValidateAutodiagnosticForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert slot(events, "diag_facts") == {"taille_flotte": 35, "montant_achats_annuel": 60_000_000}


async def test_correction_replaces_a_fact_and_an_inferred_value() -> None:
    text = "en fait 60 000 habitants"
    slots = {
        "establishment_type": "commune",
        "purchase_category": "informatique",
        "diag_facts": {"population": 40_000},
        "diag_inferred": {"population": "INSEE"},
    }
    tracker = make_tracker(slots=slots, text=text, events=[{"event": "user", "text": text}])
    events = await ValidateAutodiagnosticForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert slot(events, "diag_facts") == {"population": 60_000}
    assert slot(events, "diag_inferred") == {}


async def test_required_slots_depend_on_the_profile() -> None:
    validator = ValidateAutodiagnosticForm()
    domain_slots = DOMAIN["forms"]["autodiagnostic_form"]["required_slots"]
    no_profile = await validator.required_slots(
        domain_slots, CollectingDispatcher(), make_tracker(), DOMAIN
    )
    assert no_profile == ["establishment_type", "purchase_category"]
    zero_phyto = make_tracker(
        slots={
            "establishment_type": "commune",
            "purchase_category": "espaces_verts",
            "diag_facts": {"montant_achats_annuel": 1, "montant_marche": 1},
        }
    )
    assert "diag_fact_answer" not in await validator.required_slots(
        domain_slots, CollectingDispatcher(), zero_phyto, DOMAIN
    )


async def test_profile_questions_have_one_button_per_value() -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskAutodiagnosticFormEstablishmentType().run(dispatcher, make_tracker(), {})
    await ActionAskAutodiagnosticFormPurchaseCategory().run(dispatcher, make_tracker(), {})
    types, categories = dispatcher.messages
    assert len(types["buttons"]) == 10 and len(categories["buttons"]) == 11
    assert {"title": "Commune", "payload": '/inform{"establishment_type": "commune"}'} in types[
        "buttons"
    ]
    assert json.loads(categories["buttons"][0]["payload"][len("/inform") :]) == {
        "purchase_category": "restauration_collective"
    }


# --- follow-ups --------------------------------------------------------------------------------


async def test_why_from_a_button() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={**COMMUNE_VEHICLES, "diag_facts": {"taille_flotte": 25}},
        latest_message=payload_message("ask_why", "vehicules_faibles_emissions"),
    )
    events = await ActionExplainWhy().run(dispatcher, tracker, {})
    assert "au-delà du seuil de 20" in texts(dispatcher)[0]
    assert events == [SlotSet("obligation_id", "vehicules_faibles_emissions")]


async def test_why_named_in_the_text_and_not_applicable() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={"establishment_type": "etablissement_sante", "purchase_category": "informatique"},
        intent="ask_why",
        text="pourquoi pas la loi AGEC ?",
    )
    await ActionExplainWhy().run(dispatcher, tracker, {})
    assert "ne vise pas votre type d'établissement" in texts(dispatcher)[0]


async def test_why_without_a_name_offers_the_obligations_shown() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=COMMUNE_VEHICLES, intent="ask_why", text="pourquoi ?")
    await ActionExplainWhy().run(dispatcher, tracker, {})
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert '/ask_why{"obligation_id": "vehicules_faibles_emissions"}' in payloads


async def test_levers_of_one_obligation_and_general_ones() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(latest_message=payload_message("ask_levers", "decret_tertiaire"))
    await ActionShowLevers().run(dispatcher, tracker, {})
    assert "OPERAT" in texts(dispatcher)[0]
    general = CollectingDispatcher()
    await ActionShowLevers().run(
        general, make_tracker(intent="ask_levers", text="comment faire ?"), {}
    )
    assert "leviers utiles" in texts(general)[0]


async def test_details_and_recap() -> None:
    slots = {**COMMUNE_VEHICLES, "diag_facts": {"taille_flotte": 25}}
    dispatcher = CollectingDispatcher()
    await ActionShowObligationDetails().run(
        dispatcher,
        make_tracker(
            slots=slots,
            latest_message=payload_message("ask_details", "vehicules_faibles_emissions"),
        ),
        {},
    )
    assert "40 %" in texts(dispatcher)[0] and "Point à vérifier" in texts(dispatcher)[0]
    recap = CollectingDispatcher()
    await ActionShowRecap().run(recap, make_tracker(slots=slots, intent="ask_recap"), {})
    [text] = texts(recap)
    assert text.startswith("Autodiagnostic") and "Leviers d'action" in text
    assert "pas un conseil juridique" in text
    # The same recap as a file to keep.
    [download] = [m["custom"]["fichier"] for m in recap.messages if m.get("custom")]
    assert re.fullmatch(
        r"autodiagnostic-\w+-vehicules-\d{4}-\d{2}-\d{2}\.txt", download["filename"]
    )
    assert download["content"] == text


@pytest.mark.parametrize(
    "action",
    [
        ActionListObligations,
        ActionAskDiagFactAnswer,
        ActionExplainWhy,
        ActionShowLevers,
        ActionShowObligationDetails,
        ActionShowRecap,
        ValidateAutodiagnosticForm,
        ActionAskAutodiagnosticFormEstablishmentType,
        ActionAskAutodiagnosticFormPurchaseCategory,
    ],
)
def test_every_action_is_declared_in_the_domain(action: Any) -> None:
    domain = yaml.safe_load(
        Path(ROOT / "domain" / "autodiagnostic.yml").read_text(encoding="utf-8")
    )
    assert action().name() in domain["actions"]

"""'Comment faire ?' and 'pourquoi ?' asked while a form waits are answered for that moment:
the levers found so far, why the pending question is asked (the form then asks it again)."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.explain_why import ActionExplainWhy
from actions.show_levers import ActionShowLevers
from tests.actions.tracker import make_tracker

COMMUNE_VEHICLES = {"establishment_type": "commune", "purchase_category": "vehicules"}


def said(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(str(m.get("text") or "") for m in dispatcher.messages)


def waiting_for_fact(intent: str, text: str) -> object:
    return make_tracker(
        slots={
            **COMMUNE_VEHICLES,
            "requested_slot": "diag_fact_answer",
            "diag_current_fact": "taille_flotte",
            "obligation_id": "spaser",  # discussed earlier: not what "comment faire ?" means now
        },
        intent=intent,
        text=text,
        active_loop="autodiagnostic_form",
    )


async def test_comment_faire_while_a_fact_is_pending_gives_the_levers_found_so_far() -> None:
    dispatcher = CollectingDispatcher()
    await ActionShowLevers().run(dispatcher, waiting_for_fact("ask_levers", "comment faire ?"), {})
    text = said(dispatcher)
    assert text.startswith("Comment faire, pour les obligations trouvées jusqu'ici")
    assert text.count("•") >= 3
    assert "De quelle obligation" not in text
    assert not any(m.get("buttons") for m in dispatcher.messages)


async def test_comment_faire_for_a_named_obligation_while_a_fact_is_pending() -> None:
    dispatcher = CollectingDispatcher()
    tracker = waiting_for_fact("ask_levers", "comment faire pour le SPASER ?")
    await ActionShowLevers().run(dispatcher, tracker, {})
    assert "Comment faire pour « " in said(dispatcher)


async def test_pourquoi_while_a_fact_is_pending_says_which_obligations_it_decides() -> None:
    dispatcher = CollectingDispatcher()
    await ActionExplainWhy().run(dispatcher, waiting_for_fact("ask_why", "pourquoi ?"), {})
    text = said(dispatcher)
    assert text.startswith("Je vous pose cette question parce que le nombre de véhicules légers")
    assert "dépasse 20" in text


async def test_pourquoi_while_the_booking_form_asks_the_email() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={"requested_slot": "booker_email"},
        intent="ask_why",
        text="pourquoi ?",
        active_loop="spaser_booking_form",
    )
    await ActionExplainWhy().run(dispatcher, tracker, {})
    assert said(dispatcher).startswith("Je vous pose cette question parce que votre adresse")
    assert "retrouver ou annuler votre inscription" in said(dispatcher)


async def test_comment_faire_while_the_place_is_asked_gives_general_levers() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={"requested_slot": "routing_place"},
        intent="ask_levers",
        text="comment faire ?",
        active_loop="place_form",
    )
    await ActionShowLevers().run(dispatcher, tracker, {})
    assert "•" in said(dispatcher)


async def test_pourquoi_while_an_amount_is_asked_about_by_name() -> None:
    dispatcher = CollectingDispatcher()
    unclear = {"valeur": 2_000_000, "faits": ["montant_achats_annuel", "montant_marche"], "tour": 0}
    tracker = make_tracker(
        slots={
            **COMMUNE_VEHICLES,
            "requested_slot": "diag_fact_answer",
            "diag_pending_amount": unclear,
        },
        intent="ask_why",
        text="pourquoi ?",
        active_loop="autodiagnostic_form",
    )
    await ActionExplainWhy().run(dispatcher, tracker, {})
    assert "plutôt que deviner" in said(dispatcher)

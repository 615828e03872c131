"""The SPASER booking actions (journey 4) on a fresh SQLite database per test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.ask_spaser_session_id import ActionAskSpaserSessionId
from actions.book_spaser_session import ActionBookSpaserSession
from actions.cancel_booking import ActionCancelBooking
from actions.check_booking import ActionCheckBooking
from actions.list_spaser_sessions import ActionListSpaserSessions
from actions.show_spaser_booking_summary import ActionShowSpaserBookingSummary
from actions.validate_booking_cancel_form import ValidateBookingCancelForm
from actions.validate_booking_check_form import ValidateBookingCheckForm
from actions.validate_spaser_booking_form import ValidateSpaserBookingForm
from bot.booking.db import clear_engines, ensure_schema
from bot.booking.service import BookingRequest, BookingService
from tests.actions.tracker import make_tracker

PARIS_10H = datetime(2027, 1, 14, 9, 0, tzinfo=timezone.utc)  # jeudi 14 janvier 2027, 10 h 00


@pytest.fixture
def service(tmp_path: Path) -> Iterator[BookingService]:
    """A booking service on a new SQLite file."""
    yield BookingService(ensure_schema(f"sqlite:///{tmp_path}/actions.db"))
    clear_engines()


def add(service: BookingService, capacity: int = 10, start: datetime = PARIS_10H) -> int:
    return service.add_session(
        title="Webinaire de présentation de la mission SPASER",
        starts_at=start,
        ends_at=start + timedelta(minutes=90),
        capacity=capacity,
    )


def slots_of(events: list[Any]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(str(m.get("text") or "") for m in dispatcher.messages)


def broken() -> BookingService:
    raise RuntimeError("database down")


BOOKER = {
    "spaser_session_id": "1",
    "booker_name": "Camille Martin",
    "booker_organisation": "Mairie de Test",
    "booker_email": "camille.martin@example.org",
    "establishment_type": "commune",
}


# -- listing ----------------------------------------------------------------------------------


async def test_the_list_shows_sessions_as_buttons_with_french_dates(
    service: BookingService,
) -> None:
    session_id = add(service, capacity=12)
    dispatcher = CollectingDispatcher()
    events = await ActionListSpaserSessions(lambda: service).run(dispatcher, make_tracker(), {})
    message, rich = dispatcher.messages  # the text with its buttons, then the same as a card
    (button,) = message["buttons"]
    assert "jeudi 14 janvier 2027, 10 h 00 – 11 h 30" in button["title"]
    (element,) = rich["custom"]["carte"]["elements"]
    assert element["boutons"][0]["payload"] == button["payload"]
    assert "en ligne" in button["title"] and "12 places restantes" in button["title"]
    assert button["payload"] == f'/choose_session{{"session_id": "{session_id}"}}'
    assert slots_of(events) == {
        "spaser_session_id": None,
        "spaser_session_full": None,
        "spaser_waitlist": None,
    }


async def test_no_open_session_is_said_plainly(service: BookingService) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskSpaserSessionId(lambda: service).run(dispatcher, make_tracker(), {})
    assert "Aucune session" in texts(dispatcher)


async def test_a_database_failure_gets_a_polite_message(service: BookingService) -> None:
    dispatcher = CollectingDispatcher()
    await ActionListSpaserSessions(broken).run(dispatcher, make_tracker(), {})
    assert "Désolé" in texts(dispatcher)


# -- the booking form ---------------------------------------------------------------------------


async def validate_session(service: BookingService, value: str) -> tuple[dict[str, Any], str]:
    dispatcher = CollectingDispatcher()
    result = await ValidateSpaserBookingForm(lambda: service).validate_spaser_session_id(
        value, dispatcher, make_tracker(), {}
    )
    return result, texts(dispatcher)


async def test_a_session_with_seats_is_accepted(service: BookingService) -> None:
    session_id = add(service)
    result, said = await validate_session(service, str(session_id))
    assert result == {
        "spaser_session_id": str(session_id),
        "spaser_session_full": False,
        "spaser_waitlist": None,
    }
    assert said == ""


async def test_a_session_typed_as_a_date_is_understood(service: BookingService) -> None:
    add(service, start=PARIS_10H + timedelta(days=14))
    session_id = add(service)
    result, _ = await validate_session(service, "celle du 14 janvier")
    assert result["spaser_session_id"] == str(session_id)


async def test_a_full_session_leads_to_the_waiting_list_question(service: BookingService) -> None:
    session_id = add(service, capacity=1)
    service.book(session_id, BookingRequest("A", "B", "a@example.org"))
    result, said = await validate_session(service, str(session_id))
    assert result["spaser_session_full"] is True
    assert "complète" in said


@pytest.mark.parametrize("case", ["past", "closed", "unknown"])
async def test_past_closed_or_unknown_sessions_are_refused_with_a_reason(
    service: BookingService, case: str
) -> None:
    if case == "past":
        session_id = add(service, start=datetime.now(timezone.utc) - timedelta(days=1))
        expected = "déjà eu lieu"
    elif case == "closed":
        session_id = add(service)
        service.close_session(session_id)
        expected = "n'accepte plus"
    else:
        session_id, expected = 404, "Je ne trouve pas cette session"
    result, said = await validate_session(service, str(session_id))
    assert result["spaser_session_id"] is None  # the form asks again: the list is shown again
    assert expected in said


async def test_declining_the_waiting_list_goes_back_to_the_list(service: BookingService) -> None:
    dispatcher = CollectingDispatcher()
    result = await ValidateSpaserBookingForm(lambda: service).validate_spaser_waitlist(
        False, dispatcher, make_tracker(), {}
    )
    assert result["spaser_session_id"] is None and result["spaser_waitlist"] is None


async def test_an_invalid_email_is_asked_again_politely(service: BookingService) -> None:
    dispatcher = CollectingDispatcher()
    result = await ValidateSpaserBookingForm(lambda: service).validate_booker_email(
        "camille.martin@", dispatcher, make_tracker(), {}
    )
    assert result == {"booker_email": None}
    assert "ne semble pas valide" in texts(dispatcher)
    ok = await ValidateSpaserBookingForm(lambda: service).validate_booker_email(
        "c'est Camille.Martin@Example.org", CollectingDispatcher(), make_tracker(), {}
    )
    assert ok == {"booker_email": "camille.martin@example.org"}


async def test_name_must_be_a_name(service: BookingService) -> None:
    validator = ValidateSpaserBookingForm(lambda: service)
    dispatcher = CollectingDispatcher()
    assert await validator.validate_booker_name("🙂", dispatcher, make_tracker(), {}) == {
        "booker_name": None
    }
    assert "nom" in texts(dispatcher)
    assert await validator.validate_booker_name(
        "  Camille   Martin ", CollectingDispatcher(), make_tracker(), {}
    ) == {"booker_name": "Camille Martin"}


async def test_establishment_type_from_a_button_also_fills_the_profile(
    service: BookingService,
) -> None:
    tracker = make_tracker(
        entities=[{"entity": "establishment_type", "value": "epci", "start": 0, "end": 4}]
    )
    result = await ValidateSpaserBookingForm(lambda: service).validate_booker_establishment_type(
        "epci", CollectingDispatcher(), tracker, {}
    )
    assert result == {"booker_establishment_type": "epci", "establishment_type": "epci"}


async def test_waiting_list_and_type_are_asked_only_when_needed(service: BookingService) -> None:
    validator = ValidateSpaserBookingForm(lambda: service)
    all_slots = [
        "spaser_session_id",
        "spaser_waitlist",
        "booker_name",
        "booker_organisation",
        "booker_establishment_type",
        "booker_email",
    ]
    known = make_tracker(slots={"establishment_type": "commune", "spaser_session_full": False})
    assert await validator.required_slots(all_slots, CollectingDispatcher(), known, {}) == [
        "spaser_session_id",
        "booker_name",
        "booker_organisation",
        "booker_email",
    ]
    full = make_tracker(slots={"spaser_session_full": True})
    assert await validator.required_slots(all_slots, CollectingDispatcher(), full, {}) == all_slots


async def test_the_summary_repeats_what_will_be_booked(service: BookingService) -> None:
    session_id = add(service)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={**BOOKER, "spaser_session_id": str(session_id)})
    await ActionShowSpaserBookingSummary(lambda: service).run(dispatcher, tracker, {})
    (message,) = dispatcher.messages
    assert "jeudi 14 janvier 2027" in message["text"]
    assert "Camille Martin" in message["text"] and "camille.martin@example.org" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]
    assert "places restantes" not in message["text"]


# -- booking --------------------------------------------------------------------------------------


async def book(service: BookingService, sender: str = "s1", **slots: Any) -> tuple[Any, Any]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={**BOOKER, **slots}, intent="affirm", sender_id=sender)
    events = await ActionBookSpaserSession(lambda: service).run(dispatcher, tracker, {})
    return dispatcher, slots_of(events)


async def test_confirmation_gives_the_reference_and_an_ics_invitation(
    service: BookingService,
) -> None:
    session_id = add(service)
    dispatcher, slots = await book(service, spaser_session_id=str(session_id))
    reference = slots["booking_reference"]
    assert f"Votre référence d'inscription : {reference}" in texts(dispatcher)
    ics = next(m["custom"]["ics"] for m in dispatcher.messages if m.get("custom"))
    assert ics["filename"] == f"spaser-{reference}.ics"
    assert "DTSTART:20270114T090000Z" in ics["content"]
    assert slots["spaser_session_id"] is None  # the next booking starts with a new choice
    # "Vérifier mon inscription" right after needs nothing typed again.
    assert slots["lookup_email"] == "camille.martin@example.org"
    assert service.get_session(session_id).seats_taken == 1


async def test_a_replayed_confirmation_gives_the_same_booking(service: BookingService) -> None:
    session_id = add(service)
    _, first = await book(service, spaser_session_id=str(session_id))
    dispatcher, again = await book(service, spaser_session_id=str(session_id))
    assert again["booking_reference"] == first["booking_reference"]
    assert "déjà enregistrée" in texts(dispatcher)
    assert service.get_session(session_id).seats_taken == 1


async def test_someone_else_typing_the_same_email_learns_no_reference(
    service: BookingService,
) -> None:
    session_id = add(service)
    _, first = await book(service, spaser_session_id=str(session_id))
    dispatcher, other = await book(service, sender="intruder", spaser_session_id=str(session_id))
    assert "booking_reference" not in other
    assert first["booking_reference"] not in texts(dispatcher)
    assert "existe déjà" in texts(dispatcher)


async def test_a_session_filled_meanwhile_is_explained_with_the_list(
    service: BookingService,
) -> None:
    session_id = add(service, capacity=1)
    other_id = add(service, start=PARIS_10H + timedelta(days=7))
    service.book(session_id, BookingRequest("A", "B", "a@example.org"))
    dispatcher, _ = await book(service, spaser_session_id=str(session_id))
    assert "complète" in texts(dispatcher)
    payloads = [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]
    assert f'/choose_session{{"session_id": "{other_id}"}}' in payloads


async def test_accepting_the_waiting_list_gives_a_position(service: BookingService) -> None:
    session_id = add(service, capacity=1)
    service.book(session_id, BookingRequest("A", "B", "a@example.org"))
    dispatcher, slots = await book(service, spaser_session_id=str(session_id), spaser_waitlist=True)
    assert "liste d'attente" in texts(dispatcher) and "position 1" in texts(dispatcher)
    assert not any(m.get("custom") for m in dispatcher.messages)  # no invitation yet
    assert slots["booking_reference"]


async def test_a_failure_while_booking_gets_a_polite_message() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=BOOKER, intent="affirm")
    await ActionBookSpaserSession(broken).run(dispatcher, tracker, {})
    assert "Désolé" in texts(dispatcher)


# -- check and cancel ---------------------------------------------------------------------------


async def test_the_reference_is_read_from_the_message(service: BookingService) -> None:
    dispatcher = CollectingDispatcher()
    result = await ValidateBookingCheckForm().validate_booking_reference(
        "ma référence : abcd-2345, mail Camille@example.org", dispatcher, make_tracker(), {}
    )
    assert result == {"booking_reference": "ABCD2345", "lookup_email": "camille@example.org"}
    bad = await ValidateBookingCancelForm().validate_booking_reference(
        "je ne sais plus", dispatcher, make_tracker(), {}
    )
    assert bad == {"booking_reference": None}
    assert "8 caractères" in texts(dispatcher)


async def test_check_shows_the_booking_and_the_invitation(service: BookingService) -> None:
    session_id = add(service)
    booking = service.book(session_id, BookingRequest("A", "B", "a@example.org")).booking
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={"booking_reference": booking.reference, "lookup_email": "A@example.org"}
    )
    events = await ActionCheckBooking(lambda: service).run(dispatcher, tracker, {})
    assert events == []
    assert f"Inscription {booking.reference} : confirmée" in texts(dispatcher)
    assert any(m.get("custom") for m in dispatcher.messages)


async def test_a_wrong_pair_discloses_nothing_and_asks_again_next_time(
    service: BookingService,
) -> None:
    session_id = add(service)
    booking = service.book(session_id, BookingRequest("A", "B", "a@example.org")).booking
    said = []
    for reference, email in [(booking.reference, "b@example.org"), ("ZZZZ2345", "a@example.org")]:
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(slots={"booking_reference": reference, "lookup_email": email})
        events = await ActionCheckBooking(lambda: service).run(dispatcher, tracker, {})
        assert slots_of(events) == {"booking_reference": None, "lookup_email": None}
        said.append(texts(dispatcher))
    assert said[0] == said[1]
    assert "Webinaire" not in said[0]


async def test_cancel_frees_the_seat_for_the_waiting_list(service: BookingService) -> None:
    session_id = add(service, capacity=1)
    first = service.book(session_id, BookingRequest("A", "B", "a@example.org")).booking
    second = service.book(
        session_id, BookingRequest("C", "D", "c@example.org"), join_waiting_list=True
    ).booking
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={"booking_reference": first.reference, "lookup_email": "a@example.org"}
    )
    await ActionCancelBooking(lambda: service).run(dispatcher, tracker, {})
    assert f"Votre inscription {first.reference} est annulée" in texts(dispatcher)
    assert service.find_booking(second.reference, "c@example.org").status == "confirmed"
    dispatcher = CollectingDispatcher()
    await ActionCancelBooking(lambda: service).run(dispatcher, tracker, {})
    assert "déjà annulée" in texts(dispatcher)


async def test_cancel_with_a_wrong_pair_changes_nothing(service: BookingService) -> None:
    session_id = add(service)
    booking = service.book(session_id, BookingRequest("A", "B", "a@example.org")).booking
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={"booking_reference": booking.reference, "lookup_email": "x@example.org"}
    )
    events = await ActionCancelBooking(lambda: service).run(dispatcher, tracker, {})
    assert "Je ne trouve aucune inscription" in texts(dispatcher)
    assert slots_of(events)["booking_reference"] is None
    assert service.find_booking(booking.reference, "a@example.org").status == "confirmed"

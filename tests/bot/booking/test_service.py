"""Rules of the booking service a buyer or the programme team would notice."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.booking.references import is_reference
from bot.booking.service import (
    AlreadyCancelled,
    BookingNotFound,
    BookingRequest,
    BookingService,
    InvalidBookingData,
    SessionClosed,
    SessionFull,
    SessionPast,
    UnknownSession,
    idempotency_key,
)
from tests.bot.booking.conftest import assert_consistent, make_session, person


def test_a_booking_gets_a_short_unambiguous_reference_and_a_normalised_email(
    service: BookingService,
) -> None:
    session_id = make_session(service)
    result = service.book(
        session_id,
        BookingRequest(
            name="  Camille   Martin ", organisation="CCAS", email="Camille@Example.ORG"
        ),
    )
    booking = result.booking
    assert result.created
    assert booking.status == "confirmed"
    assert is_reference(booking.reference)
    assert not set("01OIL") & set(booking.reference)
    assert booking.email == "camille@example.org"
    assert booking.name == "Camille Martin"
    assert booking.session.seats_left == 9


def test_the_same_email_booking_again_gets_the_same_booking(service: BookingService) -> None:
    session_id = make_session(service)
    key = idempotency_key("conversation-1", session_id, "personne1@example.org")
    first = service.book(session_id, person(1), key=key)
    replay = service.book(session_id, person(1), key=key)
    assert replay.booking.reference == first.booking.reference
    assert (replay.created, replay.same_requester) == (False, True)
    # Someone else typing the same address is not given the reference's owner status.
    other = service.book(session_id, BookingRequest("X", "Y", "PERSONNE1@example.org"))
    assert (other.created, other.same_requester) == (False, False)
    assert assert_consistent(service, session_id) == (1, 0)


def test_a_person_who_cancelled_can_book_again(service: BookingService) -> None:
    session_id = make_session(service)
    key = idempotency_key("c", session_id, "personne1@example.org")
    first = service.book(session_id, person(1), key=key)
    service.cancel(first.booking.reference, "personne1@example.org")
    again = service.book(session_id, person(1), key=key)
    assert again.created and again.booking.reference != first.booking.reference
    assert assert_consistent(service, session_id) == (1, 0)


def test_full_session_refuses_or_puts_on_the_waiting_list(service: BookingService) -> None:
    session_id = make_session(service, capacity=1)
    service.book(session_id, person(1))
    with pytest.raises(SessionFull, match="complète"):
        service.book(session_id, person(2))
    waiting = service.book(session_id, person(2), join_waiting_list=True).booking
    assert (waiting.status, waiting.waiting_position) == ("waiting", 1)
    third = service.book(session_id, person(3), join_waiting_list=True).booking
    assert third.waiting_position == 2


def test_cancelling_a_confirmed_booking_promotes_the_first_waiting_person(
    service: BookingService,
) -> None:
    session_id = make_session(service, capacity=1)
    first = service.book(session_id, person(1)).booking
    second = service.book(session_id, person(2), join_waiting_list=True).booking
    third = service.book(session_id, person(3), join_waiting_list=True).booking
    result = service.cancel(first.reference.lower(), "PERSONNE1@example.org")
    assert result.promoted and result.booking.status == "cancelled"
    assert service.find_booking(second.reference, "personne2@example.org").status == "confirmed"
    assert service.find_booking(third.reference, "personne3@example.org").waiting_position == 1
    assert assert_consistent(service, session_id) == (1, 1)
    with pytest.raises(AlreadyCancelled):
        service.cancel(first.reference, "personne1@example.org")


def test_cancelling_a_waiting_booking_frees_no_seat(service: BookingService) -> None:
    session_id = make_session(service, capacity=1)
    service.book(session_id, person(1))
    waiting = service.book(session_id, person(2), join_waiting_list=True).booking
    result = service.cancel(waiting.reference, "personne2@example.org")
    assert not result.promoted
    assert assert_consistent(service, session_id) == (1, 0)


def test_cancelling_without_waiting_list_gives_the_seat_back(service: BookingService) -> None:
    session_id = make_session(service, capacity=2)
    booking = service.book(session_id, person(1)).booking
    service.cancel(booking.reference, "personne1@example.org")
    assert service.get_session(session_id).seats_left == 2


def test_a_wrong_reference_email_pair_discloses_nothing(sqlite_service: BookingService) -> None:
    service = sqlite_service
    session_id = make_session(service)
    booking = service.book(session_id, person(1)).booking
    with pytest.raises(BookingNotFound) as wrong_email:
        service.find_booking(booking.reference, "quelquun@example.org")
    with pytest.raises(BookingNotFound) as unknown_ref:
        service.find_booking("ABCD2345", "personne1@example.org")
    with pytest.raises(BookingNotFound) as garbage:
        service.cancel("'; DROP TABLE bookings; --", "pas une adresse")
    assert str(wrong_email.value) == str(unknown_ref.value) == str(garbage.value)
    assert booking.reference not in str(wrong_email.value)
    assert service.find_booking(booking.reference, "personne1@example.org").status == "confirmed"


def test_past_closed_and_unknown_sessions_are_refused_clearly(
    sqlite_service: BookingService,
) -> None:
    service = sqlite_service
    past_id = make_session(service, starts_in_days=1)
    closed_id = make_session(service)
    service.close_session(closed_id)
    later = BookingService(
        service.engine, clock=lambda: datetime.now(timezone.utc) + timedelta(days=2)
    )
    with pytest.raises(SessionPast, match="déjà eu lieu"):
        later.book(past_id, person(1))
    with pytest.raises(SessionClosed, match="n'accepte plus"):
        service.book(closed_id, person(1), join_waiting_list=True)
    with pytest.raises(UnknownSession, match="Je ne trouve pas cette session"):
        service.book(9999, person(1))
    assert past_id not in [s.id for s in later.list_sessions()]
    assert [s.id for s in service.bookable_sessions()] == [past_id]


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (BookingRequest("A", "B", "pas-une-adresse"), "ne semble pas valide"),
        (BookingRequest("A", "B", "a@b"), "ne semble pas valide"),
        (BookingRequest("   ", "B", "a@example.org"), "Il manque votre nom"),
        (BookingRequest("A", "", "a@example.org"), "Il manque votre organisation"),
        (BookingRequest("A" * 500, "B", "a@example.org"), "trop long"),
    ],
)
def test_invalid_booking_data_is_refused_in_french(
    sqlite_service: BookingService, request_: BookingRequest, message: str
) -> None:
    session_id = make_session(sqlite_service)
    with pytest.raises(InvalidBookingData, match=message):
        sqlite_service.book(session_id, request_)
    assert assert_consistent(sqlite_service, session_id) == (0, 0)


def test_bookable_sessions_are_future_open_ones_with_free_seats_first(
    sqlite_service: BookingService,
) -> None:
    service = sqlite_service
    full_id = make_session(service, capacity=1, starts_in_days=5)
    open_id = make_session(service, capacity=5, starts_in_days=10)
    closed_id = make_session(service, starts_in_days=7)
    service.close_session(closed_id)
    service.book(full_id, person(1))
    assert [s.id for s in service.bookable_sessions()] == [open_id, full_id]


def test_deleting_a_person_frees_their_seats_and_erases_their_data(
    service: BookingService,
) -> None:
    session_id = make_session(service, capacity=1)
    mine = service.book(session_id, person(1)).booking
    other = service.book(session_id, person(2), join_waiting_list=True).booking
    assert service.delete_person("Personne1@example.org") == 1
    with pytest.raises(BookingNotFound):
        service.find_booking(mine.reference, "personne1@example.org")
    assert service.find_booking(other.reference, "personne2@example.org").status == "confirmed"
    assert assert_consistent(service, session_id) == (1, 0)


def test_purge_erases_personal_data_of_old_sessions_only(sqlite_service: BookingService) -> None:
    service = sqlite_service
    old_id = make_session(service, starts_in_days=1)
    new_id = make_session(service, starts_in_days=60)
    old = service.book(old_id, person(1)).booking
    new = service.book(new_id, person(2)).booking
    later = BookingService(
        service.engine, clock=lambda: datetime.now(timezone.utc) + timedelta(days=40)
    )
    assert later.purge(30) == 1
    _session, rows = later.attendees(old_id)
    assert [(b.name, b.email, b.status) for b in rows] == [(None, None, "confirmed")]
    assert later.find_booking(new.reference, "personne2@example.org").name == "Personne 2"
    with pytest.raises(BookingNotFound):
        later.find_booking(old.reference, "personne1@example.org")


def test_session_validation(sqlite_service: BookingService) -> None:
    start = datetime(2027, 1, 14, 9, tzinfo=timezone.utc)
    with pytest.raises(InvalidBookingData, match="après le début"):
        sqlite_service.add_session(title="T", starts_at=start, ends_at=start, capacity=3)
    with pytest.raises(InvalidBookingData, match="lieu"):
        sqlite_service.add_session(
            title="T", starts_at=start, ends_at=start + timedelta(hours=1), capacity=3,
            format="presentiel",
        )  # fmt: skip
    with pytest.raises(InvalidBookingData, match="titre"):
        sqlite_service.add_session(
            title=" ", starts_at=start, ends_at=start + timedelta(hours=1), capacity=3
        )

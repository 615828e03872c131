"""French dates of sessions, e-mail checks and the .ics invitation."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.booking.emails import InvalidEmail, find_email, normalize_email
from bot.booking.formatting import french_period, seats_left_label
from bot.booking.ics import booking_ics, ics_filename
from bot.booking.repository import BookingView, SessionView


def test_session_dates_are_written_the_french_way_in_paris_time() -> None:
    start = datetime(2027, 1, 14, 9, 0, tzinfo=timezone.utc)  # 10:00 in Paris (winter)
    end = datetime(2027, 1, 14, 10, 30, tzinfo=timezone.utc)
    assert french_period(start, end) == "jeudi 14 janvier 2027, 10 h 00 – 11 h 30"
    summer = datetime(2027, 7, 1, 7, 0, tzinfo=timezone.utc)  # 9:00 in Paris (summer)
    assert french_period(summer, summer.replace(hour=9)).startswith(
        "jeudi 1er juillet 2027, 9 h 00"
    )


def test_seats_left_label() -> None:
    assert [seats_left_label(n) for n in (0, 1, 12)] == [
        "complet",
        "1 place restante",
        "12 places restantes",
    ]


@pytest.mark.parametrize("text", ["jean.dupont@", "@example.org", "jean dupont", "a@b", ""])
def test_invalid_emails_are_refused_with_a_french_message(text: str) -> None:
    with pytest.raises(InvalidEmail, match="adresse"):
        normalize_email(text)


def test_emails_are_found_in_a_sentence_and_lower_cased() -> None:
    assert find_email("c'est Jean.Dupont@Example.org.") == "Jean.Dupont@Example.org"
    assert normalize_email("Jean.Dupont@Example.org") == "jean.dupont@example.org"
    assert find_email("pas d'adresse ici") is None


def _booking() -> BookingView:
    session = SessionView(
        id=3,
        title="Webinaire de présentation de la mission SPASER, avec questions; réponses",
        starts_at=datetime(2027, 1, 14, 9, 0, tzinfo=timezone.utc),
        ends_at=datetime(2027, 1, 14, 10, 30, tzinfo=timezone.utc),
        format="en_ligne",
        place=None,
        capacity=10,
        seats_taken=1,
        waiting=0,
        status="open",
    )
    return BookingView(
        id=1,
        reference="ABCD2345",
        session=session,
        name="Personne Test",
        organisation="Commune de Test",
        establishment_type="commune",
        email="personne@example.org",
        status="confirmed",
        waiting_position=None,
        created_at=datetime(2026, 11, 30, tzinfo=timezone.utc),
    )


def test_the_invitation_is_a_valid_calendar_event_at_the_session_time() -> None:
    text = booking_ics(_booking(), now=datetime(2026, 11, 30, tzinfo=timezone.utc))
    assert ics_filename(_booking()) == "spaser-ABCD2345.ics"
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    lines = text.split("\r\n")
    assert "DTSTART:20270114T090000Z" in lines
    assert "DTEND:20270114T103000Z" in lines
    assert "LOCATION:En ligne" in lines
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert (
        "SUMMARY:Webinaire de présentation de la mission SPASER\\, avec questions\\; réponses"
        in (unfolded)
    )
    assert "ABCD2345" in unfolded
    assert "personne@example.org" not in unfolded  # no personal data in the file

"""Retention and erasure (bot/privacy.py, `python -m bot privacy …`) on fresh databases.

The tracker store is Rasa's own `events` table (created from Rasa's SQLTrackerStore model), on a
fresh SQLite file; the tickets and bookings run on SQLite and PostgreSQL, like the booking tests.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bot import privacy
from bot.booking.db import clear_engines, ensure_schema
from bot.booking.models import Booking
from bot.booking.service import BookingRequest, BookingService
from bot.cli import main
from bot.hotline import tickets
from bot.hotline.models import Ticket, TicketMessage
from tests.bot.booking.conftest import person, postgres_url  # noqa: F401  (fixture)

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=timezone.utc)
DAY = 86_400.0
EMAIL = "marie_dupont@example.org"
SECRET_TEXT = "ma question confidentielle"


def _clock() -> datetime:
    return NOW


@pytest.fixture
def tracker_url(tmp_path: Path) -> str:
    """A fresh SQLite tracker store with Rasa's `events` table."""
    from rasa.core.tracker_store import SQLTrackerStore

    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = create_engine(url)
    SQLTrackerStore.SQLEvent.__table__.create(engine)
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """DATABASE_URL of the tickets and bookings: a fresh SQLite file or PostgreSQL database."""
    clear_engines()
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.db'}"
        clear_engines()
    else:
        yield str(request.getfixturevalue("postgres_url"))


def add_events(url: str, sender: str, ages_days: list[float], text: str = "bonjour") -> None:
    """User messages of one conversation, `ages_days` before NOW."""
    from rasa.core.tracker_store import SQLTrackerStore

    table = SQLTrackerStore.SQLEvent.__table__
    engine = create_engine(url)
    with engine.begin() as connection:
        for age in ages_days:
            connection.execute(
                table.insert().values(
                    sender_id=sender,
                    type_name="user",
                    timestamp=NOW.timestamp() - age * DAY,
                    intent_name="inform",
                    data=json.dumps({"event": "user", "text": text}),
                )
            )
    engine.dispose()


def event_ages(url: str) -> dict[str, list[int]]:
    from rasa.core.tracker_store import SQLTrackerStore

    table = SQLTrackerStore.SQLEvent.__table__
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(table.c.sender_id, table.c.timestamp)).all()
    engine.dispose()
    ages: dict[str, list[int]] = {}
    for sender, moment in rows:
        ages.setdefault(sender, []).append(round((NOW.timestamp() - moment) / DAY))
    return {k: sorted(v) for k, v in ages.items()}


def settings(tracker_url: str, database_url: str, **extra: Any) -> privacy.RetentionSettings:
    return privacy.RetentionSettings(tracker_url=tracker_url, database_url=database_url, **extra)


def ticket(database_url: str, sender: str, *, closed_days_ago: float | None) -> int:
    """A ticket with two transcript lines; closed that many days before NOW, or left open."""
    view, _ = tickets.open_ticket(
        sender, "résumé", question=SECRET_TEXT, transcript=[("user", SECRET_TEXT)], url=database_url
    )
    tickets.add_user_message(sender, "encore une question", url=database_url)
    if closed_days_ago is not None:
        tickets.close(view.id, "agent", url=database_url)
        with Session(ensure_schema(database_url)) as s, s.begin():
            row = s.get(Ticket, view.id)
            assert row is not None
            row.closed_at = NOW - timedelta(days=closed_days_ago)
    return view.id


def ticket_ids(database_url: str) -> set[int]:
    with Session(ensure_schema(database_url)) as s:
        return set(s.execute(select(Ticket.id)).scalars())


def message_count(database_url: str) -> int:
    with Session(ensure_schema(database_url)) as s:
        return int(s.execute(select(func.count()).select_from(TicketMessage)).scalar_one())


def booked_service(database_url: str, session_ended_days_ago: float) -> BookingService:
    """A session that ended that many days before NOW, with one booking."""
    past = BookingService(ensure_schema(database_url), clock=lambda: NOW - timedelta(days=60))
    start = NOW - timedelta(days=session_ended_days_ago, hours=2)
    session_id = past.add_session(
        title="Webinaire passé", starts_at=start, ends_at=start + timedelta(hours=1), capacity=5
    )
    past.book(session_id, person("x"))
    return past


# --- purge ---------------------------------------------------------------------------------------


def test_purge_removes_only_what_is_older_than_the_period(
    tracker_url: str, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    add_events(tracker_url, "old", [45, 31], text=f"{SECRET_TEXT} {EMAIL}")
    add_events(tracker_url, "mixed", [40, 29, 1])
    add_events(tracker_url, "young", [29.9, 0])
    old_closed = ticket(database_url, "old", closed_days_ago=31)
    young_closed = ticket(database_url, "young", closed_days_ago=10)
    still_open = ticket(database_url, "mixed", closed_days_ago=None)
    with Session(ensure_schema(database_url)) as s, s.begin():  # opened long ago, still open
        row = s.get(Ticket, still_open)
        assert row is not None
        row.created_at = NOW - timedelta(days=90)

    caplog.set_level(logging.DEBUG)
    removed = privacy.purge(settings(tracker_url, database_url), clock=_clock)

    assert removed.tracker_events == 3 and removed.conversations == 2
    assert removed.tickets == 1
    assert removed.ticket_messages == 3  # the question, the later message, the closing note
    assert event_ages(tracker_url) == {"mixed": [1, 29], "young": [0, 30]}
    assert ticket_ids(database_url) == {young_closed, still_open}
    assert old_closed not in ticket_ids(database_url)
    assert message_count(database_url) == 5
    # Counts only in the log: no sender id, text or e-mail.
    assert "tracker_events=3" in caplog.text and "tickets=1" in caplog.text
    for secret in ("old", "mixed", "young", SECRET_TEXT, EMAIL, "Personne"):
        assert secret not in caplog.text.replace("bookings", "")


def test_a_dry_run_counts_and_removes_nothing(tracker_url: str, database_url: str) -> None:
    add_events(tracker_url, "old", [45])
    ticket(database_url, "old", closed_days_ago=31)
    booked_service(database_url, session_ended_days_ago=1)

    counted = privacy.purge(settings(tracker_url, database_url), dry_run=True, clock=_clock)
    assert (counted.tracker_events, counted.tickets, counted.bookings) == (1, 1, 1)
    assert event_ages(tracker_url) == {"old": [45]}
    assert len(ticket_ids(database_url)) == 1

    done = privacy.purge(settings(tracker_url, database_url), clock=_clock)
    assert done == counted
    assert privacy.purge(settings(tracker_url, database_url), clock=_clock) == privacy.Removed()


def test_bookings_are_anonymised_after_their_session_plus_the_period(
    tracker_url: str, database_url: str
) -> None:
    booked_service(database_url, session_ended_days_ago=3)
    kept = privacy.purge(settings(tracker_url, database_url, booking_days=7), clock=_clock)
    assert kept.bookings == 0
    removed = privacy.purge(settings(tracker_url, database_url, booking_days=2), clock=_clock)
    assert removed.bookings == 1
    with Session(ensure_schema(database_url)) as s:
        booking = s.execute(select(Booking)).scalar_one()
    assert (booking.email, booking.name, booking.organisation) == (None, None, None)


def test_a_future_session_keeps_its_bookings(tracker_url: str, database_url: str) -> None:
    service = BookingService(ensure_schema(database_url), clock=_clock)
    start = NOW + timedelta(days=2)
    session_id = service.add_session(
        title="À venir", starts_at=start, ends_at=start + timedelta(hours=1), capacity=3
    )
    service.book(session_id, person(1))
    assert privacy.purge(settings(tracker_url, database_url), clock=_clock).bookings == 0


def test_no_tracker_file_yet_is_not_an_error_and_is_not_created(
    tmp_path: Path, database_url: str
) -> None:
    missing = tmp_path / "absent.db"
    removed = privacy.purge(settings(f"sqlite:///{missing}", database_url), clock=_clock)
    assert removed == privacy.Removed()
    assert not missing.exists()


# --- erasure on request --------------------------------------------------------------------------


def test_delete_by_email_erases_bookings_and_the_conversations_that_mention_it(
    tracker_url: str, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    add_events(tracker_url, "hers", [0], text=f"mon adresse : {EMAIL.upper()}")
    add_events(tracker_url, "hers", [0])
    # "_" must not act as a LIKE wildcard: this address differs by one character.
    add_events(tracker_url, "other", [0], text="marieXdupont@example.org")
    ticket(database_url, "hers", closed_days_ago=None)
    service = BookingService(ensure_schema(database_url), clock=_clock)
    start = NOW + timedelta(days=5)
    session_id = service.add_session(
        title="Webinaire", starts_at=start, ends_at=start + timedelta(hours=1), capacity=3
    )
    service.book(session_id, BookingRequest(name="Marie", organisation="X", email=EMAIL))

    caplog.set_level(logging.INFO)
    removed = privacy.delete_person(settings(tracker_url, database_url), email=EMAIL)

    assert (removed.bookings, removed.conversations, removed.tracker_events) == (1, 1, 2)
    assert removed.tickets == 1
    assert event_ages(tracker_url) == {"other": [0]}
    assert ticket_ids(database_url) == set()
    assert service.get_session(session_id).seats_left == 3  # her seat is freed
    assert EMAIL not in caplog.text and "hers" not in caplog.text


def test_delete_by_conversation_removes_its_events_and_tickets_only(
    tracker_url: str, database_url: str
) -> None:
    add_events(tracker_url, "abc", [0, 40])
    add_events(tracker_url, "xyz", [0])
    ticket(database_url, "abc", closed_days_ago=None)
    kept = ticket(database_url, "xyz", closed_days_ago=1)
    removed = privacy.delete_person(settings(tracker_url, database_url), conversations=("abc",))
    assert (removed.tracker_events, removed.tickets, removed.bookings) == (2, 1, 0)
    assert event_ages(tracker_url) == {"xyz": [0]}
    assert ticket_ids(database_url) == {kept}


def test_delete_needs_an_email_or_a_conversation(tracker_url: str, database_url: str) -> None:
    with pytest.raises(privacy.PrivacyError, match="--email ou --conversation"):
        privacy.delete_person(settings(tracker_url, database_url))


# --- settings and command line -------------------------------------------------------------------


def test_settings_from_the_environment() -> None:
    read = privacy.RetentionSettings.from_env(
        {"TRACKER_DB": "/tmp/t.db", "RETENTION_BOOKINGS_DAYS": "7"}
    )
    assert read.tracker_url == "sqlite:////tmp/t.db"
    assert (read.conversation_days, read.booking_days) == (30, 7)
    url = "postgresql+psycopg2://u:p@db/rasa"
    assert privacy.RetentionSettings.from_env({"TRACKER_DB_URL": url}).tracker_url == url
    for bad in ("-1", "trente"):
        with pytest.raises(privacy.PrivacyError, match="RETENTION_CONVERSATIONS_DAYS"):
            privacy.RetentionSettings.from_env({"RETENTION_CONVERSATIONS_DAYS": bad})


def test_the_command_prints_counts_only(
    tracker_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database = f"sqlite:///{tmp_path / 'cli.db'}"
    clear_engines()
    add_events(tracker_url, "old-sender", [400], text=EMAIL)
    monkeypatch.setenv("TRACKER_DB_URL", tracker_url)
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("RETENTION_CONVERSATIONS_DAYS", "30")

    assert main(["privacy", "purge", "--dry-run"]) == 0
    out = capsys.readouterr()
    assert "Simulation" in out.out and "1 événement(s) à effacer" in out.out
    assert main(["privacy", "purge"]) == 0
    out = capsys.readouterr()
    assert "1 événement(s) effacé(s) dans 1 conversation(s)" in out.out
    assert "tracker_events=1" in out.err  # the timestamped log line
    for text in (out.out, out.err):
        assert EMAIL not in text and "old-sender" not in text

    assert main(["privacy", "delete"]) == 2
    assert "--email ou --conversation" in capsys.readouterr().err
    monkeypatch.setenv("RETENTION_BOOKINGS_DAYS", "-3")
    assert main(["privacy", "purge"]) == 2
    clear_engines()


@pytest.mark.postgres
def test_the_tracker_store_on_postgresql(postgres_url: str) -> None:  # noqa: F811
    """Production keeps Rasa's events in PostgreSQL (TRACKER_DB_URL): same purge, same erasure."""
    from rasa.core.tracker_store import SQLTrackerStore

    engine = create_engine(postgres_url)
    SQLTrackerStore.SQLEvent.__table__.create(engine)
    engine.dispose()
    add_events(postgres_url, "old", [31])
    add_events(postgres_url, "young", [29])
    add_events(postgres_url, "hers", [2], text=f"contact : {EMAIL}")
    removed = privacy.purge(settings(postgres_url, postgres_url), clock=_clock)
    assert (removed.tracker_events, removed.conversations) == (1, 1)
    assert (
        privacy.delete_person(settings(postgres_url, postgres_url), email=EMAIL).tracker_events == 1
    )
    assert event_ages(postgres_url) == {"young": [29]}

"""Retention and erasure of personal data (issue 12, docs/privacy.md).

Three stores hold personal data:
- Rasa's SQL tracker store (`events` table: every message, slot and action of a conversation),
  at `TRACKER_DB_URL`, or the SQLite file `TRACKER_DB` (default `var/tracker.db`);
- the hand-over tickets and their transcripts (`tickets`, `ticket_messages`) at `DATABASE_URL`;
- the SPASER bookings (name, organisation, e-mail) at `DATABASE_URL`.

`purge()` applies the retention periods in one run; `delete_conversation()` and `delete_email()`
erase one person's data on request. Both return counts only, and log counts only: never a
sender id, a name, an e-mail or a message text.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session

from bot.paths import ROOT

logger = logging.getLogger(__name__)

DEFAULT_CONVERSATION_DAYS = 30
DEFAULT_BOOKING_DAYS = 0
SQLITE_TIMEOUT_S = 30
"""How long a purge waits for Rasa's write lock on the SQLite tracker file."""

# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py, `SQLEvent`): only the columns the
# purge reads. Never created here: Rasa owns it.
_tracker_metadata = MetaData()
EVENTS = Table(
    "events",
    _tracker_metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("timestamp", Float),
    Column("data", Text),
)


class PrivacyError(ValueError):
    """A bad retention setting or erasure request; the message is French."""


@dataclass(frozen=True)
class RetentionSettings:
    """Where the personal data lives and how long it is kept."""

    tracker_url: str
    conversation_days: int = DEFAULT_CONVERSATION_DAYS
    booking_days: int = DEFAULT_BOOKING_DAYS
    database_url: str | None = None
    """None: the settings' DATABASE_URL (bookings and tickets)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RetentionSettings:
        """Read TRACKER_DB_URL / TRACKER_DB, RETENTION_CONVERSATIONS_DAYS and
        RETENTION_BOOKINGS_DAYS; PrivacyError (French) on a bad number."""
        env = os.environ if env is None else env
        return cls(
            tracker_url=tracker_db_url(env),
            conversation_days=_days(env, "RETENTION_CONVERSATIONS_DAYS", DEFAULT_CONVERSATION_DAYS),
            booking_days=_days(env, "RETENTION_BOOKINGS_DAYS", DEFAULT_BOOKING_DAYS),
            database_url=env.get("DATABASE_URL") or None,
        )


def tracker_db_url(env: Mapping[str, str] | None = None) -> str:
    """The tracker store's URL: TRACKER_DB_URL, else the SQLite file TRACKER_DB (relative to the
    repository, as `make run` gives it to Rasa)."""
    env = os.environ if env is None else env
    url = env.get("TRACKER_DB_URL")
    if url:
        return url
    return f"sqlite:///{ROOT / env.get('TRACKER_DB', 'var/tracker.db')}"


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise PrivacyError(
            f"{name} doit être un nombre entier de jours (reçu : {raw!r})."
        ) from None
    if value < 0:
        raise PrivacyError(f"{name} doit être positif ou nul (reçu : {value}).")
    return value


@dataclass(frozen=True)
class Removed:
    """What a purge or an erasure removed (or would remove, in a dry run): counts only."""

    tracker_events: int = 0
    conversations: int = 0
    tickets: int = 0
    ticket_messages: int = 0
    bookings: int = 0

    def as_log(self) -> str:
        """`key=value` pairs for the log line."""
        return " ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))


# --- tracker store -------------------------------------------------------------------------------


def _tracker_engine(url: str) -> Engine | None:
    """An engine on the tracker store, or None when the SQLite file does not exist (Rasa never
    ran): the purge must not create it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or database == ":memory:" or not Path(database).exists():
            return None
        return create_engine(url, future=True, connect_args={"timeout": SQLITE_TIMEOUT_S})
    return create_engine(url, future=True, pool_pre_ping=True)


def _with_events(url: str, work: Callable[[Connection], tuple[int, int]]) -> tuple[int, int]:
    """Run `work` in one transaction on the tracker store; (0, 0) when it has no events table."""
    engine = _tracker_engine(url)
    if engine is None:
        return 0, 0
    try:
        if not inspect(engine).has_table("events"):
            return 0, 0
        with engine.begin() as connection:
            return work(connection)
    finally:
        engine.dispose()


def _count_and_delete(connection: Connection, where: object, dry_run: bool) -> tuple[int, int]:
    """(events, distinct conversations) matching `where`; deleted unless `dry_run`."""
    events, conversations = connection.execute(
        select(func.count(), func.count(EVENTS.c.sender_id.distinct())).where(where)
    ).one()
    if events and not dry_run:
        connection.execute(delete(EVENTS).where(where))
    return int(events), int(conversations)


def purge_tracker(url: str, before: datetime, *, dry_run: bool = False) -> tuple[int, int]:
    """Delete the tracker events older than `before`; returns (events, conversations touched).

    Event by event rather than whole conversations: a session expires after two hours of silence
    (domain/core.yml), so an event older than the period belongs to a finished session, and the
    slots Rasa carries over are copied into each new session's own events.
    """
    cutoff = before.timestamp()
    return _with_events(url, lambda c: _count_and_delete(c, EVENTS.c.timestamp < cutoff, dry_run))


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conversations_mentioning(url: str, text: str) -> list[str]:
    """The sender ids whose events contain `text` (case-insensitive): the conversations where a
    person typed their e-mail address, for an erasure request."""
    needle = f"%{_like_escape(text.lower())}%"
    found: list[str] = []

    def work(connection: Connection) -> tuple[int, int]:
        rows = connection.execute(
            select(EVENTS.c.sender_id)
            .where(func.lower(EVENTS.c.data).like(needle, escape="\\"))
            .distinct()
        )
        found.extend(str(row[0]) for row in rows)
        return 0, 0

    _with_events(url, work)
    return sorted(found)


def delete_tracker_conversation(url: str, sender_id: str) -> int:
    """Delete every tracker event of one conversation; returns the number of events."""
    events, _ = _with_events(
        url, lambda c: _count_and_delete(c, EVENTS.c.sender_id == sender_id, False)
    )
    return events


# --- hand-over tickets ---------------------------------------------------------------------------


def _delete_tickets(database_url: str | None, where: object, dry_run: bool) -> tuple[int, int]:
    """(tickets, messages) matching `where`; deleted unless `dry_run`."""
    from bot.booking.db import ensure_schema
    from bot.hotline.models import Ticket, TicketMessage

    engine = ensure_schema(database_url)
    with Session(engine) as session, session.begin():
        ids = list(session.execute(select(Ticket.id).where(where)).scalars())
        if not ids:
            return 0, 0
        messages = session.execute(
            select(func.count()).where(TicketMessage.ticket_id.in_(ids))
        ).scalar_one()
        if not dry_run:
            # Explicit, not only ON DELETE CASCADE: SQLite enforces it only with foreign_keys=ON.
            session.execute(delete(TicketMessage).where(TicketMessage.ticket_id.in_(ids)))
            session.execute(delete(Ticket).where(Ticket.id.in_(ids)))
        return len(ids), int(messages)


def purge_tickets(
    before: datetime, database_url: str | None = None, *, dry_run: bool = False
) -> tuple[int, int]:
    """Delete the closed tickets (and their transcripts) closed before `before`; open and taken
    tickets are kept whatever their age. Returns (tickets, messages)."""
    from bot.hotline.models import Ticket

    closed_on = func.coalesce(Ticket.closed_at, Ticket.created_at)
    return _delete_tickets(
        database_url, (Ticket.status == "closed") & (closed_on < before), dry_run
    )


def delete_conversation_tickets(sender_id: str, database_url: str | None = None) -> tuple[int, int]:
    """Delete every ticket of one conversation, active ones included (erasure on request)."""
    from bot.hotline.models import Ticket

    return _delete_tickets(database_url, Ticket.conversation_id == sender_id, False)


# --- the commands ---------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(timezone.utc)


def purge(
    settings: RetentionSettings,
    *,
    dry_run: bool = False,
    clock: Callable[[], datetime] = _now,
) -> Removed:
    """Apply the retention periods: tracker events and closed tickets older than
    `conversation_days`, bookings' personal data `booking_days` after their session ended."""
    from bot.booking.db import ensure_schema
    from bot.booking.service import BookingService

    now = clock()
    before = now - timedelta(days=settings.conversation_days)
    events, conversations = purge_tracker(settings.tracker_url, before, dry_run=dry_run)
    tickets, messages = purge_tickets(before, settings.database_url, dry_run=dry_run)
    service = BookingService(ensure_schema(settings.database_url), clock=lambda: now)
    bookings = service.purge(settings.booking_days, dry_run=dry_run)
    removed = Removed(events, conversations, tickets, messages, bookings)
    logger.info(
        "privacy purge%s: %s (conversations_days=%d bookings_days=%d)",
        " (dry run)" if dry_run else "",
        removed.as_log(),
        settings.conversation_days,
        settings.booking_days,
    )
    return removed


def delete_person(
    settings: RetentionSettings,
    *,
    email: str | None = None,
    conversations: tuple[str, ...] = (),
) -> Removed:
    """Erase one person's data on request: with `email`, their bookings (cancelled, then
    blanked) and every conversation where that address was typed; with `conversations`, those
    conversations (tracker events and tickets, active ones included)."""
    from bot.booking.db import ensure_schema
    from bot.booking.service import BookingError, BookingService

    if email is None and not conversations:
        raise PrivacyError("Indiquez --email ou --conversation.")
    bookings = 0
    targets = {c for c in conversations if c.strip()}
    if email is not None:
        service = BookingService(ensure_schema(settings.database_url))
        try:
            bookings = service.delete_person(email)
        except BookingError as error:
            raise PrivacyError(str(error)) from error
        targets.update(conversations_mentioning(settings.tracker_url, email.strip()))
    events = tickets = messages = 0
    for sender_id in sorted(targets):
        events += delete_tracker_conversation(settings.tracker_url, sender_id)
        found_tickets, found_messages = delete_conversation_tickets(
            sender_id, settings.database_url
        )
        tickets += found_tickets
        messages += found_messages
    removed = Removed(events, len(targets), tickets, messages, bookings)
    logger.info("privacy delete: %s", removed.as_log())
    return removed

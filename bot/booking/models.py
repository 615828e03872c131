"""Tables of the mission SPASER booking: sessions and bookings (the waiting list is a status).

Times are stored as naive UTC (`UTCDateTime`) so that SQLite and PostgreSQL compare them the same
way; they come back timezone-aware. Invariants the database itself enforces, whatever the code
does: `0 <= seats_taken <= capacity`, one reference per booking, one active booking (confirmed or
waiting) per session and e-mail, one booking per idempotency key.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    text,
)
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator

# Stable constraint names: Alembic migrations (and SQLite batch mode) need them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

mapper_registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))

SESSION_FORMATS = ("en_ligne", "presentiel")
SESSION_STATUSES = ("open", "closed", "cancelled")
BOOKING_STATUSES = ("confirmed", "waiting", "cancelled")
ACTIVE_BOOKING_STATUSES = ("confirmed", "waiting")


class UTCDateTime(TypeDecorator):  # type: ignore[misc]  # SQLAlchemy 1.4 ships no types
    """A timezone-aware datetime stored as naive UTC.

    SQLite has no timezone type and compares datetimes as text: storing every value in UTC with
    one format keeps `starts_at > :now` correct on both databases.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Convert an aware datetime to naive UTC; refuse naive ones (their zone is a guess)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a timezone-aware value")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Return the stored naive UTC value as an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def utc_now() -> datetime:
    """Current time, aware, in UTC."""
    return datetime.now(timezone.utc)


@mapper_registry.as_declarative_base()
class Base:
    """Declarative base of the booking tables."""

    if TYPE_CHECKING:
        # The declarative constructor accepts the mapped columns as keywords.
        def __init__(self, **kwargs: Any) -> None: ...


class SpaserSession(Base):
    """A mission SPASER session (webinar or workshop) that buyers can book."""

    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_positive"),
        CheckConstraint("seats_taken >= 0", name="seats_taken_positive"),
        # The last line of defence against overbooking, whatever a future code path does.
        CheckConstraint("seats_taken <= capacity", name="not_overbooked"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("format IN ('en_ligne', 'presentiel')", name="format_known"),
        CheckConstraint("status IN ('open', 'closed', 'cancelled')", name="status_known"),
        Index("ix_sessions_starts_at", "starts_at"),
    )

    id = Column(Integer, primary_key=True)
    title = Column(String(200), nullable=False)
    starts_at = Column(UTCDateTime(), nullable=False)
    ends_at = Column(UTCDateTime(), nullable=False)
    format = Column(String(20), nullable=False, server_default="en_ligne")
    place = Column(String(300), nullable=True)
    capacity = Column(Integer, nullable=False)
    # Seats held by confirmed bookings; only ever changed by conditional UPDATEs.
    seats_taken = Column(Integer, nullable=False, server_default=text("0"))
    status = Column(String(20), nullable=False, server_default="open")
    created_at = Column(UTCDateTime(), nullable=False, default=utc_now)


class Booking(Base):
    """A booking: confirmed (holds a seat), waiting (on the waiting list) or cancelled.

    Personal data (name, organisation, e-mail) is nullable because the purge and deletion
    commands erase it while keeping the row, so seat counts and statistics stay true.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("status IN ('confirmed', 'waiting', 'cancelled')", name="status_known"),
        # One active booking per person and session: the double click and the replayed message
        # end here (IntegrityError), and the service then returns the existing booking.
        Index(
            "uq_bookings_active_email",
            "session_id",
            "email",
            unique=True,
            sqlite_where=text("status IN ('confirmed', 'waiting')"),
            postgresql_where=text("status IN ('confirmed', 'waiting')"),
        ),
        Index("ix_bookings_session_status", "session_id", "status", "id"),
        Index("ix_bookings_email", "email"),
    )

    id = Column(Integer, primary_key=True)
    session_id = Column(Integer, ForeignKey("sessions.id"), nullable=False)
    reference = Column(String(16), nullable=False, unique=True)
    name = Column(String(200), nullable=True)
    organisation = Column(String(300), nullable=True)
    establishment_type = Column(String(100), nullable=True)
    email = Column(String(320), nullable=True)
    status = Column(String(20), nullable=False)
    # Hash of (conversation, session, e-mail); cleared on cancellation so the same person can
    # book again later, unique otherwise.
    idempotency_key = Column(String(64), nullable=True, unique=True)
    created_at = Column(UTCDateTime(), nullable=False, default=utc_now)
    updated_at = Column(UTCDateTime(), nullable=False, default=utc_now)
    cancelled_at = Column(UTCDateTime(), nullable=True)
    purged_at = Column(UTCDateTime(), nullable=True)

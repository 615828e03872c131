"""SQL of the booking service: small functions on an open `Session`, typed values out.

The transaction boundaries and the rules live in `bot.booking.service`; this module only knows
how to read and change rows. Every function that changes seats or the waiting list expects the
session row to be locked first (`take_seat` or `lock_session`), which serialises all changes
of one session on PostgreSQL (row lock) as on SQLite (BEGIN IMMEDIATE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from bot.booking.models import ACTIVE_BOOKING_STATUSES, Booking, SpaserSession


@dataclass(frozen=True)
class SessionView:
    """A session as the bot and the CLI see it (times aware, UTC)."""

    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    format: str
    place: str | None
    capacity: int
    seats_taken: int
    waiting: int
    status: str

    @property
    def seats_left(self) -> int:
        """Free seats (never negative)."""
        return max(self.capacity - self.seats_taken, 0)


@dataclass(frozen=True)
class BookingView:
    """A booking with its session; `waiting_position` is 1 for the first on the waiting list."""

    id: int
    reference: str
    session: SessionView
    name: str | None
    organisation: str | None
    establishment_type: str | None
    email: str | None
    status: str
    waiting_position: int | None
    created_at: datetime


def _waiting_counts(s: Session, session_ids: list[int]) -> dict[int, int]:
    if not session_ids:
        return {}
    rows = s.execute(
        select(Booking.session_id, func.count(Booking.id))
        .where(Booking.session_id.in_(session_ids), Booking.status == "waiting")
        .group_by(Booking.session_id)
    ).all()
    return {int(session_id): int(count) for session_id, count in rows}


def _session_view(row: SpaserSession, waiting: int) -> SessionView:
    return SessionView(
        id=row.id,
        title=row.title,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        format=row.format,
        place=row.place,
        capacity=row.capacity,
        seats_taken=row.seats_taken,
        waiting=waiting,
        status=row.status,
    )


def session_view(s: Session, session_id: int) -> SessionView | None:
    """Read one session (fresh from the database, not from the identity map)."""
    row = s.execute(
        select(SpaserSession)
        .where(SpaserSession.id == session_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        return None
    return _session_view(row, _waiting_counts(s, [row.id]).get(row.id, 0))


def list_sessions(s: Session, *, after: datetime | None) -> list[SessionView]:
    """Sessions by start time; only those starting after `after` unless it is None."""
    query = select(SpaserSession).order_by(SpaserSession.starts_at, SpaserSession.id)
    if after is not None:
        query = query.where(SpaserSession.starts_at > after)
    rows = list(s.execute(query).scalars())
    waiting = _waiting_counts(s, [row.id for row in rows])
    return [_session_view(row, waiting.get(row.id, 0)) for row in rows]


def add_session(
    s: Session,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    format: str,
    place: str | None,
    capacity: int,
) -> int:
    """Insert an open session and return its id."""
    row = SpaserSession(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        format=format,
        place=place,
        capacity=capacity,
        seats_taken=0,
        status="open",
    )
    s.add(row)
    s.flush()
    return int(row.id)


def find_session_by_title_and_start(s: Session, title: str, starts_at: datetime) -> int | None:
    """Id of the session with this exact title and start (the seed loader's identity)."""
    found = s.execute(
        select(SpaserSession.id).where(
            SpaserSession.title == title, SpaserSession.starts_at == starts_at
        )
    ).scalar_one_or_none()
    return None if found is None else int(found)


def set_session_status(s: Session, session_id: int, status: str) -> bool:
    """Change a session's status; False when the session does not exist."""
    result = s.execute(
        update(SpaserSession).where(SpaserSession.id == session_id).values(status=status)
    )
    return bool(result.rowcount == 1)


def take_seat(s: Session, session_id: int, now: datetime) -> bool:
    """Take one seat with a single conditional UPDATE; True when a seat was taken.

    The condition is checked by the database on the row it updates, so concurrent callers can
    never push `seats_taken` past `capacity` (SQLite ignores SELECT … FOR UPDATE; this needs no
    lock of its own). A successful update also locks the row until the transaction ends.
    """
    result = s.execute(
        update(SpaserSession)
        .where(
            SpaserSession.id == session_id,
            SpaserSession.seats_taken < SpaserSession.capacity,
            SpaserSession.status == "open",
            SpaserSession.starts_at > now,
        )
        .values(seats_taken=SpaserSession.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)


def release_seat(s: Session, session_id: int) -> None:
    """Give one seat back (the caller holds the session lock and freed a confirmed booking)."""
    s.execute(
        update(SpaserSession)
        .where(SpaserSession.id == session_id, SpaserSession.seats_taken > 0)
        .values(seats_taken=SpaserSession.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


def lock_session(s: Session, session_id: int) -> bool:
    """Lock the session row until the end of the transaction; False when it does not exist.

    A no-op UPDATE rather than SELECT … FOR UPDATE, because SQLite silently drops FOR UPDATE
    and an UPDATE locks on every database.
    """
    result = s.execute(
        update(SpaserSession)
        .where(SpaserSession.id == session_id)
        .values(seats_taken=SpaserSession.seats_taken)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)


def _active_booking_query(session_id: int, email: str):  # type: ignore[no-untyped-def]
    return select(Booking).where(
        Booking.session_id == session_id,
        Booking.email == email,
        Booking.status.in_(ACTIVE_BOOKING_STATUSES),
    )


def find_active_booking(s: Session, session_id: int, email: str) -> Booking | None:
    """The confirmed or waiting booking of this e-mail for this session, if any."""
    query = _active_booking_query(session_id, email).execution_options(populate_existing=True)
    return s.execute(query).scalar_one_or_none()  # type: ignore[no-any-return]


def find_by_idempotency_key(s: Session, key: str) -> Booking | None:
    """The booking made with this idempotency key, if any."""
    return s.execute(  # type: ignore[no-any-return]
        select(Booking).where(Booking.idempotency_key == key)
    ).scalar_one_or_none()


def find_by_reference(s: Session, reference: str, *, fresh: bool = False) -> Booking | None:
    """The booking with this reference, if any (`fresh`: reread even if already loaded)."""
    query = select(Booking).where(Booking.reference == reference)
    if fresh:
        query = query.execution_options(populate_existing=True)
    return s.execute(query).scalar_one_or_none()  # type: ignore[no-any-return]


def first_waiting(s: Session, session_id: int) -> Booking | None:
    """The oldest waiting booking of a session (the waiting list is first come, first served)."""
    return s.execute(  # type: ignore[no-any-return]
        select(Booking)
        .where(Booking.session_id == session_id, Booking.status == "waiting")
        .order_by(Booking.id)
        .limit(1)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def waiting_position(s: Session, booking: Booking) -> int | None:
    """1-based rank of a waiting booking on its session's list; None when not waiting."""
    if booking.status != "waiting":
        return None
    rank = s.execute(
        select(func.count(Booking.id)).where(
            and_(
                Booking.session_id == booking.session_id,
                Booking.status == "waiting",
                Booking.id <= booking.id,
            )
        )
    ).scalar_one()
    return int(rank)


def booking_view(s: Session, booking: Booking) -> BookingView:
    """The typed view of a booking row and its session."""
    session = session_view(s, booking.session_id)
    if session is None:  # pragma: no cover - the foreign key forbids it
        raise LookupError(f"session {booking.session_id} missing")
    return BookingView(
        id=booking.id,
        reference=booking.reference,
        session=session,
        name=booking.name,
        organisation=booking.organisation,
        establishment_type=booking.establishment_type,
        email=booking.email,
        status=booking.status,
        waiting_position=waiting_position(s, booking),
        created_at=booking.created_at,
    )


def session_bookings(s: Session, session_id: int) -> list[Booking]:
    """Active bookings of a session: confirmed first, then the waiting list in order."""
    rows = s.execute(
        select(Booking)
        .where(Booking.session_id == session_id, Booking.status.in_(ACTIVE_BOOKING_STATUSES))
        .order_by(Booking.status, Booking.id)
    ).scalars()
    return list(rows)


def count_confirmed(s: Session, session_id: int) -> int:
    """Number of confirmed bookings of a session (must equal its `seats_taken`)."""
    return int(
        s.execute(
            select(func.count(Booking.id)).where(
                Booking.session_id == session_id, Booking.status == "confirmed"
            )
        ).scalar_one()
    )

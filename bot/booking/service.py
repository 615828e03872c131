"""The booking service: the rules of the mission SPASER booking, one transaction per operation.

Guarantees (proved by tests/bot/booking/ on SQLite and PostgreSQL):
- no overbooking: a seat is taken by one conditional UPDATE, in the same transaction as the
  booking insert, and the database checks `seats_taken <= capacity`;
- idempotent: booking the same session with the same e-mail (double click, retry, replayed
  message) returns the existing booking; a unique index settles races;
- nothing half-done: a process killed mid-booking rolls back both the seat and the booking;
- cancelling a confirmed booking frees its seat or hands it to exactly one waiting person.

Errors a user can cause are `BookingError` subclasses whose message is French and shown as is.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.booking import repository as repo
from bot.booking.emails import InvalidEmail, normalize_email
from bot.booking.formatting import french_period
from bot.booking.models import ACTIVE_BOOKING_STATUSES, SESSION_FORMATS, Booking
from bot.booking.references import is_reference, new_reference, normalize_reference
from bot.booking.repository import BookingView, SessionView

logger = logging.getLogger(__name__)

TEST_PAUSE_ENV = "BOOKING_TEST_PAUSE"
"""Test hook: "<point>:<marker file>:<seconds>" makes `book()` write the marker file and sleep at
that point of its transaction (points: after_seat, before_commit), so a test can kill the
process there. Unset in production: a no-op."""

MAX_ATTEMPTS = 5
BOOKING_PAUSE_DEFAULT = 60.0
"""Seconds the test hook sleeps by default (the test kills the process well before)."""
MAX_NAME_CHARS = 200
MAX_ORGANISATION_CHARS = 300
MAX_TITLE_CHARS = 200
MAX_PLACE_CHARS = 300


class BookingError(Exception):
    """A booking request the rules refuse; `str(error)` is a French message for the user."""


class UnknownSession(BookingError):
    """No session has this id."""

    def __init__(self) -> None:
        super().__init__("Je ne trouve pas cette session. Choisissez-en une dans la liste.")


class SessionClosed(BookingError):
    """The session no longer takes bookings (closed or cancelled)."""

    def __init__(self, session: SessionView) -> None:
        self.session = session
        what = "a été annulée" if session.status == "cancelled" else "n'accepte plus d'inscription"
        super().__init__(f"La session « {session.title} » {what}. Choisissez une autre session.")


class SessionPast(BookingError):
    """The session has already started or is over."""

    def __init__(self, session: SessionView) -> None:
        self.session = session
        super().__init__(
            f"La session « {session.title} » a déjà eu lieu ou a commencé. "
            "Choisissez une session à venir."
        )


class SessionFull(BookingError):
    """No seat left, and the caller did not ask for the waiting list."""

    def __init__(self, session: SessionView) -> None:
        self.session = session
        super().__init__(
            f"La session « {session.title} » est complète. "
            "Vous pouvez vous inscrire sur la liste d'attente : si une place se libère, "
            "elle vous est attribuée automatiquement."
        )


class InvalidBookingData(BookingError):
    """A field of the booking request is missing or unusable."""


class BookingNotFound(BookingError):
    """No booking matches this reference and e-mail.

    The same message whether the reference is unknown or the e-mail does not match: a wrong
    pair must not tell that the reference exists.
    """

    def __init__(self) -> None:
        super().__init__(
            "Je ne trouve aucune inscription avec cette référence et cette adresse e-mail. "
            "Vérifiez-les : la référence figure dans votre message de confirmation."
        )


class AlreadyCancelled(BookingError):
    """The booking was already cancelled."""

    def __init__(self, booking: BookingView) -> None:
        self.booking = booking
        super().__init__(f"L'inscription {booking.reference} est déjà annulée.")


@dataclass(frozen=True)
class BookingRequest:
    """What a person gives to book: checked and normalised by `BookingService.book`."""

    name: str
    organisation: str
    email: str
    establishment_type: str | None = None


@dataclass(frozen=True)
class BookingResult:
    """Outcome of `book`.

    `created` is False when an active booking already existed (double click, replay).
    `same_requester` tells whether that existing booking was made with the same idempotency
    key (the same conversation): only then may its reference be shown, since anyone can type
    someone else's e-mail address.
    """

    booking: BookingView
    created: bool
    same_requester: bool


@dataclass(frozen=True)
class CancelResult:
    """Outcome of `cancel`: the cancelled booking, and whether a waiting person got the seat."""

    booking: BookingView
    promoted: bool


def idempotency_key(conversation_id: str, session_id: int, email: str) -> str:
    """Key of one booking intent: the same conversation booking the same session with the same
    e-mail. Hashed, so the database holds no conversation id."""
    raw = f"{conversation_id}\x1f{session_id}\x1f{email.strip().lower()}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _test_pause(point: str) -> None:
    """Honour the `BOOKING_TEST_PAUSE` hook (tests only; see its docstring)."""
    spec = os.environ.get(TEST_PAUSE_ENV)
    if not spec:
        return
    wanted, marker, seconds = spec.split(":", 2)
    if wanted == point:
        with open(marker, "w", encoding="utf-8") as handle:
            handle.write(point)
        time.sleep(float(seconds))


def _clean_text(value: str | None, field: str, limit: int, *, required: bool) -> str | None:
    text = " ".join((value or "").split())
    if not text:
        if required:
            raise InvalidBookingData(f"Il manque {field}.")
        return None
    if len(text) > limit:
        raise InvalidBookingData(
            f"{field.capitalize()} est trop long (au plus {limit} caractères)."
        )
    return text


class BookingService:
    """Sessions and bookings on one database. Stateless apart from its engine and clock."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] | None = None) -> None:
        """`clock` returns the current aware time (tests freeze it)."""
        self.engine = engine
        self.clock = clock or (lambda: datetime.now(timezone.utc))

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any exception."""
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            yield s

    # Sessions -------------------------------------------------------------------------------

    def add_session(
        self,
        *,
        title: str,
        starts_at: datetime,
        ends_at: datetime,
        capacity: int,
        format: str = "en_ligne",
        place: str | None = None,
    ) -> int:
        """Create an open session and return its id; `BookingError` on unusable values."""
        clean_title = _clean_text(title, "le titre", MAX_TITLE_CHARS, required=True)
        clean_place = _clean_text(place, "le lieu", MAX_PLACE_CHARS, required=False)
        if format not in SESSION_FORMATS:
            raise InvalidBookingData("Le format doit être « en_ligne » ou « presentiel ».")
        if format == "presentiel" and not clean_place:
            raise InvalidBookingData("Une session en présentiel a besoin d'un lieu.")
        if starts_at.tzinfo is None or ends_at.tzinfo is None:
            raise InvalidBookingData("Les dates doivent porter un fuseau horaire.")
        if ends_at <= starts_at:
            raise InvalidBookingData("La fin doit être après le début.")
        if capacity < 1:
            raise InvalidBookingData("Le nombre de places doit être au moins 1.")
        with self._transaction() as s:
            return repo.add_session(
                s,
                title=clean_title or "",
                starts_at=starts_at,
                ends_at=ends_at,
                format=format,
                place=clean_place,
                capacity=capacity,
            )

    def get_session(self, session_id: int) -> SessionView:
        """The session with this id, or `UnknownSession`."""
        with self._transaction() as s:
            session = repo.session_view(s, session_id)
        if session is None:
            raise UnknownSession()
        return session

    def list_sessions(self, *, include_past: bool = False) -> list[SessionView]:
        """All sessions (with `include_past`) or those that have not started yet, by date."""
        with self._transaction() as s:
            return repo.list_sessions(s, after=None if include_past else self.clock())

    def bookable_sessions(self) -> list[SessionView]:
        """Future open sessions, those with free seats first kept in date order."""
        sessions = [x for x in self.list_sessions() if x.status == "open"]
        return sorted(sessions, key=lambda x: (x.seats_left == 0, x.starts_at, x.id))

    def check_bookable(self, session_id: int) -> SessionView:
        """The session if it can still be booked (maybe full), else the matching error."""
        session = self.get_session(session_id)
        if session.status != "open":
            raise SessionClosed(session)
        if session.starts_at <= self.clock():
            raise SessionPast(session)
        return session

    def close_session(self, session_id: int) -> SessionView:
        """Stop bookings for a session (existing bookings are kept)."""
        with self._transaction() as s:
            if not repo.set_session_status(s, session_id, "closed"):
                raise UnknownSession()
            view = repo.session_view(s, session_id)
        assert view is not None
        return view

    def attendees(self, session_id: int) -> tuple[SessionView, list[BookingView]]:
        """A session and its active bookings (confirmed, then the waiting list in order)."""
        with self._transaction() as s:
            session = repo.session_view(s, session_id)
            if session is None:
                raise UnknownSession()
            return session, [repo.booking_view(s, b) for b in repo.session_bookings(s, session_id)]

    # Bookings -------------------------------------------------------------------------------

    def book(
        self,
        session_id: int,
        request: BookingRequest,
        *,
        key: str | None = None,
        join_waiting_list: bool = False,
    ) -> BookingResult:
        """Book a seat, or a place on the waiting list when full and `join_waiting_list`.

        Idempotent: an active booking of the same e-mail (or idempotency `key`) for the session
        is returned as is. Raises `UnknownSession`, `SessionClosed`, `SessionPast`,
        `SessionFull`, `InvalidBookingData` or `InvalidEmail`-based `InvalidBookingData`.
        """
        try:
            email = normalize_email(request.email)
        except InvalidEmail as error:
            raise InvalidBookingData(str(error)) from error
        name = _clean_text(request.name, "votre nom", MAX_NAME_CHARS, required=True)
        organisation = _clean_text(
            request.organisation, "votre organisation", MAX_ORGANISATION_CHARS, required=True
        )
        establishment = _clean_text(request.establishment_type, "le type", 100, required=False)
        for _attempt in range(MAX_ATTEMPTS):
            try:
                return self._book_once(
                    session_id, email, name, organisation, establishment, key, join_waiting_list
                )
            except IntegrityError:
                # A concurrent identical request won the unique index (or, once in 10^12, the
                # reference collided): everything of this attempt is rolled back; the next
                # attempt finds the winner's booking or draws a new reference.
                logger.info("booking conflict on session %s, retrying", session_id)
        raise BookingError("L'inscription n'a pas pu être enregistrée. Réessayez dans un instant.")

    def _book_once(
        self,
        session_id: int,
        email: str,
        name: str | None,
        organisation: str | None,
        establishment: str | None,
        key: str | None,
        join_waiting_list: bool,
    ) -> BookingResult:
        now = self.clock()
        with self._transaction() as s:
            existing = repo.find_by_idempotency_key(s, key) if key else None
            if existing is None or existing.status not in ACTIVE_BOOKING_STATUSES:
                existing = repo.find_active_booking(s, session_id, email)
            if existing is not None:
                same = key is not None and existing.idempotency_key == key
                return BookingResult(
                    repo.booking_view(s, existing), created=False, same_requester=same
                )

            status = "confirmed" if repo.take_seat(s, session_id, now) else None
            if status is None:
                # No seat: find out why while holding the session lock, so that the answer
                # (and a waiting-list entry) cannot race with a cancellation.
                if not repo.lock_session(s, session_id):
                    raise UnknownSession()
                session = repo.session_view(s, session_id)
                assert session is not None
                if session.status != "open":
                    raise SessionClosed(session)
                if session.starts_at <= now:
                    raise SessionPast(session)
                if repo.take_seat(s, session_id, now):  # freed since the first try
                    status = "confirmed"
                elif join_waiting_list:
                    status = "waiting"
                else:
                    raise SessionFull(session)
            _test_pause("after_seat")
            booking = Booking(
                session_id=session_id,
                reference=new_reference(),
                name=name,
                organisation=organisation,
                establishment_type=establishment,
                email=email,
                status=status,
                idempotency_key=key,
                created_at=now,
                updated_at=now,
            )
            s.add(booking)
            s.flush()  # IntegrityError here rolls the seat back with the booking
            view = repo.booking_view(s, booking)
            _test_pause("before_commit")
        return BookingResult(view, created=True, same_requester=True)

    def find_booking(self, reference: str, email: str) -> BookingView:
        """The booking with this reference and e-mail, or `BookingNotFound` (no detail given)."""
        with self._transaction() as s:
            return repo.booking_view(s, self._authorised(s, reference, email))

    def _authorised(self, s: Session, reference: str, email: str) -> Booking:
        reference = normalize_reference(reference)
        try:
            email = normalize_email(email)
        except InvalidEmail as error:
            raise BookingNotFound() from error
        if not is_reference(reference):
            raise BookingNotFound()
        booking = repo.find_by_reference(s, reference)
        # Same error for an unknown reference and a wrong e-mail: nothing is disclosed.
        if booking is None or booking.email != email:
            raise BookingNotFound()
        return booking

    def cancel(self, reference: str, email: str) -> CancelResult:
        """Cancel a booking; a freed seat goes to the first waiting person, atomically."""
        with self._transaction() as s:
            booking = self._authorised(s, reference, email)
            return self._cancel_locked(s, booking)

    def _cancel_locked(self, s: Session, booking: Booking) -> CancelResult:
        """Cancel `booking` inside the caller's transaction (takes the session lock first)."""
        repo.lock_session(s, booking.session_id)
        # Reread under the lock: a concurrent cancellation may have changed it.
        fresh = repo.find_by_reference(s, booking.reference, fresh=True)
        assert fresh is not None
        if fresh.status == "cancelled":
            raise AlreadyCancelled(repo.booking_view(s, fresh))
        now = self.clock()
        was_confirmed = fresh.status == "confirmed"
        fresh.status = "cancelled"
        fresh.cancelled_at = now
        fresh.updated_at = now
        fresh.idempotency_key = None  # the same person may book again later
        s.flush()
        promoted = False
        if was_confirmed:
            session = repo.session_view(s, fresh.session_id)
            assert session is not None
            waiting = repo.first_waiting(s, fresh.session_id)
            if waiting is not None and session.status == "open" and session.starts_at > now:
                # The seat changes hands: seats_taken stays as it is.
                waiting.status = "confirmed"
                waiting.updated_at = now
                promoted = True
            else:
                repo.release_seat(s, fresh.session_id)
            s.flush()
        return CancelResult(repo.booking_view(s, fresh), promoted=promoted)

    # Personal data ----------------------------------------------------------------------------

    def delete_person(self, email: str) -> int:
        """Erase a person's data (right to erasure): cancel their active bookings (freeing seats
        or promoting the waiting list) and blank their personal fields. Returns the number of
        bookings erased."""
        try:
            email = normalize_email(email)
        except InvalidEmail as error:
            raise InvalidBookingData(str(error)) from error
        with self._transaction() as s:
            rows = list(s.execute(select(Booking).where(Booking.email == email)).scalars())
            for booking in rows:
                if booking.status in ACTIVE_BOOKING_STATUSES:
                    # Cancelled concurrently: nothing left to free.
                    with suppress(AlreadyCancelled):
                        self._cancel_locked(s, booking)
                _erase(booking, self.clock())
            return len(rows)

    def purge(self, older_than_days: int, *, dry_run: bool = False) -> int:
        """Blank the personal data of bookings of sessions that ended more than N days ago.

        The rows stay (statistics and seat counts remain true); returns how many were erased
        (with `dry_run`, how many would be, and nothing changes).
        """
        if older_than_days < 0:
            raise InvalidBookingData("Le nombre de jours doit être positif ou nul.")
        limit = self.clock() - timedelta(days=older_than_days)
        from bot.booking.models import SpaserSession

        with self._transaction() as s:
            rows = list(
                s.execute(
                    select(Booking)
                    .join(SpaserSession, SpaserSession.id == Booking.session_id)
                    .where(SpaserSession.ends_at < limit, Booking.purged_at.is_(None))
                ).scalars()
            )
            if not dry_run:
                for booking in rows:
                    _erase(booking, self.clock())
            return len(rows)


def _erase(booking: Booking, now: datetime) -> None:
    booking.name = None
    booking.organisation = None
    booking.email = None
    booking.establishment_type = None
    booking.idempotency_key = None
    booking.purged_at = now
    booking.updated_at = now


def describe_session(session: SessionView) -> str:
    """One line for a session: title, date in French, format, seats left."""
    from bot.booking.formatting import FORMAT_LABELS, seats_left_label

    where = FORMAT_LABELS.get(session.format, session.format)
    if session.format == "presentiel" and session.place:
        where = f"{where} ({session.place})"
    period = french_period(session.starts_at, session.ends_at)
    return f"{session.title} – {period}, {where}, {seats_left_label(session.seats_left)}"


@lru_cache(maxsize=1)
def get_booking_service() -> BookingService:
    """The process-wide service on the settings' database, migrated on first use."""
    from bot.booking.db import ensure_schema

    return BookingService(ensure_schema())

"""The promises of journey 4 under load: no overbooking, a double click books once, a killed
process leaves no half booking, concurrent cancellations promote exactly one person per seat.

Each test runs on SQLite (a shared file) and on PostgreSQL (marked `postgres`).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest

from bot.booking.service import (
    AlreadyCancelled,
    BookingResult,
    BookingService,
    CancelResult,
)
from tests.bot.booking._child import book_and_hang
from tests.bot.booking.conftest import assert_consistent, make_session, person

T = TypeVar("T")


def run_together(calls: list[Callable[[], T]]) -> list[T | BaseException]:
    """Run the calls in as many threads, released at the same instant by a barrier."""
    barrier = threading.Barrier(len(calls))

    def wrapped(call: Callable[[], T]) -> T | BaseException:
        barrier.wait()
        try:
            return call()
        except BaseException as error:  # collected and checked by the test
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(wrapped, calls))


def test_fifty_people_for_ten_seats_give_ten_confirmed_and_forty_waiting(
    service: BookingService,
) -> None:
    session_id = make_session(service, capacity=10)
    results = run_together(
        [
            (lambda n=n: service.book(session_id, person(n), join_waiting_list=True))
            for n in range(50)
        ]
    )
    assert all(isinstance(r, BookingResult) for r in results), results
    statuses = [r.booking.status for r in results if isinstance(r, BookingResult)]
    assert statuses.count("confirmed") == 10
    assert statuses.count("waiting") == 40
    positions = sorted(
        r.booking.waiting_position or 0
        for r in results
        if isinstance(r, BookingResult) and r.booking.status == "waiting"
    )
    assert positions == list(range(1, 41))  # every waiting position is distinct
    assert assert_consistent(service, session_id) == (10, 40)


def test_without_waiting_list_the_eleventh_person_is_told_the_session_is_full(
    service: BookingService,
) -> None:
    session_id = make_session(service, capacity=10)
    results = run_together([(lambda n=n: service.book(session_id, person(n))) for n in range(30)])
    booked = [r for r in results if isinstance(r, BookingResult)]
    refused = [r for r in results if not isinstance(r, BookingResult)]
    assert len(booked) == 10
    assert len(refused) == 20
    assert all(type(r).__name__ == "SessionFull" for r in refused)
    assert assert_consistent(service, session_id) == (10, 0)


def test_twenty_identical_requests_give_one_booking(service: BookingService) -> None:
    session_id = make_session(service, capacity=10)
    results = run_together(
        [(lambda: service.book(session_id, person("double"), key="same-key")) for _ in range(20)]
    )
    assert all(isinstance(r, BookingResult) for r in results), results
    references = {r.booking.reference for r in results if isinstance(r, BookingResult)}
    assert len(references) == 1
    created = [r for r in results if isinstance(r, BookingResult) and r.created]
    assert len(created) == 1
    assert assert_consistent(service, session_id) == (1, 0)


def test_identical_requests_without_key_still_give_one_booking(service: BookingService) -> None:
    session_id = make_session(service, capacity=10)
    results = run_together([(lambda: service.book(session_id, person("x"))) for _ in range(20)])
    references = {r.booking.reference for r in results if isinstance(r, BookingResult)}
    assert len(references) == 1
    assert assert_consistent(service, session_id) == (1, 0)


def test_concurrent_cancellations_promote_exactly_one_person_per_freed_seat(
    service: BookingService,
) -> None:
    session_id = make_session(service, capacity=10)
    booked = [service.book(session_id, person(n), join_waiting_list=True) for n in range(20)]
    confirmed = [r.booking for r in booked if r.booking.status == "confirmed"]
    waiting = [r.booking for r in booked if r.booking.status == "waiting"]
    assert len(confirmed) == 10 and len(waiting) == 10

    to_cancel = confirmed[:6]
    results = run_together(
        [
            (lambda b=b: service.cancel(b.reference, b.email or ""))
            for b in to_cancel
            for _ in range(3)  # each cancellation sent three times at once
        ]
    )
    done = [r for r in results if isinstance(r, CancelResult)]
    again = [r for r in results if isinstance(r, AlreadyCancelled)]
    assert len(done) == 6 and len(again) == 12, results
    assert all(r.promoted for r in done)
    assert assert_consistent(service, session_id) == (10, 4)
    # The first six on the waiting list got the seats, in order.
    for b in waiting[:6]:
        assert service.find_booking(b.reference, b.email or "").status == "confirmed"
    for position, b in enumerate(waiting[6:], start=1):
        view = service.find_booking(b.reference, b.email or "")
        assert (view.status, view.waiting_position) == ("waiting", position)


def test_bookings_and_cancellations_interleaved_keep_the_counts_exact(
    service: BookingService,
) -> None:
    session_id = make_session(service, capacity=5)
    first = [service.book(session_id, person(n), join_waiting_list=True) for n in range(5)]
    calls: list[Callable[[], object]] = [
        (lambda b=r.booking: service.cancel(b.reference, b.email or "")) for r in first
    ]
    calls += [
        (lambda n=n: service.book(session_id, person(100 + n), join_waiting_list=True))
        for n in range(15)
    ]
    results = run_together(calls)
    assert not [r for r in results if isinstance(r, BaseException)], results
    confirmed, waiting = assert_consistent(service, session_id)
    assert confirmed == 5
    assert waiting == 10  # 15 newcomers, 5 seats freed: nobody lost, nobody left behind


@pytest.mark.parametrize("point", ["after_seat", "before_commit"])
def test_process_killed_mid_booking_leaves_no_half_booking(
    service: BookingService, db_url: str, tmp_path: Path, point: str
) -> None:
    session_id = make_session(service, capacity=3)
    service.book(session_id, person("avant"))
    marker = tmp_path / "marker"
    context = multiprocessing.get_context("spawn")
    child = context.Process(
        target=book_and_hang, args=(db_url, session_id, point, str(marker)), daemon=True
    )
    child.start()
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert child.is_alive(), "the child died before reaching the pause"
        assert time.monotonic() < deadline, "the child never reached the pause"
        time.sleep(0.05)
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    assert child.exitcode == -signal.SIGKILL

    # No half state: the seat taken by the killed transaction is back, no booking was left.
    assert assert_consistent(service, session_id) == (1, 0)
    _session, attendees = service.attendees(session_id)
    assert [b.email for b in attendees] == ["personneavant@example.org"]
    # The database is usable at once (locks released): the next person books normally.
    after = service.book(session_id, person("apres"))
    assert after.booking.status == "confirmed"
    assert assert_consistent(service, session_id) == (2, 0)


def test_process_killed_after_commit_keeps_the_whole_booking(
    service: BookingService, db_url: str, tmp_path: Path
) -> None:
    """Kill right after the booking: the confirmed booking is there, with its seat."""
    session_id = make_session(service, capacity=3)
    context = multiprocessing.get_context("spawn")
    marker = tmp_path / "marker"
    # "done" is no pause point of the service: the child books and returns normally.
    child = context.Process(
        target=book_and_hang, args=(db_url, session_id, "done", str(marker)), daemon=True
    )
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert assert_consistent(service, session_id) == (1, 0)
    _session, attendees = service.attendees(session_id)
    assert [(b.email, b.status) for b in attendees] == [("tuee@example.org", "confirmed")]

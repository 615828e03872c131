"""Code run in a child process by the SIGKILL test (importable for multiprocessing's spawn)."""

from __future__ import annotations

import os

from bot.booking.db import get_engine
from bot.booking.service import (
    BOOKING_PAUSE_DEFAULT,
    TEST_PAUSE_ENV,
    BookingRequest,
    BookingService,
)


def book_and_hang(url: str, session_id: int, point: str, marker: str) -> None:
    """Book one seat, pausing at `point` of the transaction (the parent kills us there)."""
    os.environ[TEST_PAUSE_ENV] = f"{point}:{marker}:{BOOKING_PAUSE_DEFAULT}"
    service = BookingService(get_engine(url))
    service.book(
        session_id,
        BookingRequest(name="Personne tuée", organisation="Test", email="tuee@example.org"),
    )

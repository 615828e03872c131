"""Fixtures of the booking tests: a fresh database per test, on SQLite and on PostgreSQL.

SQLite: a temporary file (not :memory:), so that threads and processes share it.
PostgreSQL: a throwaway database created on the server named by TEST_POSTGRES_URL, dropped
afterwards; without that variable the tests are skipped, unless CI=true (then they fail).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.booking import repository as repo
from bot.booking.db import clear_engines, ensure_schema
from bot.booking.service import BookingRequest, BookingService

FUTURE = datetime(2027, 1, 14, 9, 0, tzinfo=timezone.utc)


def postgres_admin_url() -> str:
    """TEST_POSTGRES_URL, or skip (fail under CI=true) when it is not set."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("TEST_POSTGRES_URL is not set but CI=true: PostgreSQL tests must run")
        pytest.skip("TEST_POSTGRES_URL not set")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """URL of a new, empty PostgreSQL database, dropped after the test."""
    admin_url = postgres_admin_url()
    name = f"achats_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield str(make_url(admin_url).set(database=name).render_as_string(hide_password=False))
    finally:
        clear_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    """URL of a new SQLite file in the test's temporary directory."""
    yield f"sqlite:///{tmp_path}/booking.db"
    clear_engines()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using it runs once on SQLite and once on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def service(db_url: str) -> BookingService:
    """A booking service on a fresh, migrated database."""
    return BookingService(ensure_schema(db_url))


@pytest.fixture
def sqlite_service(sqlite_url: str) -> BookingService:
    """A booking service on a fresh SQLite file only (rules that do not depend on the DB)."""
    return BookingService(ensure_schema(sqlite_url))


def make_session(service: BookingService, capacity: int = 10, starts_in_days: int = 30) -> int:
    """Add an open online session starting in `starts_in_days` days, 1 h 30 long."""
    start = service.clock() + timedelta(days=starts_in_days)
    return service.add_session(
        title="Webinaire de test",
        starts_at=start,
        ends_at=start + timedelta(minutes=90),
        capacity=capacity,
    )


def person(n: int | str) -> BookingRequest:
    """An invented person (test data): personne<n>@example.org."""
    return BookingRequest(
        name=f"Personne {n}", organisation="Commune de Test", email=f"personne{n}@example.org"
    )


def assert_consistent(service: BookingService, session_id: int) -> tuple[int, int]:
    """seats_taken equals the confirmed bookings and never exceeds capacity; returns
    (confirmed, waiting)."""
    with service._transaction() as s:
        session = repo.session_view(s, session_id)
        assert session is not None
        confirmed = repo.count_confirmed(s, session_id)
    assert session.seats_taken == confirmed
    assert 0 <= session.seats_taken <= session.capacity
    return confirmed, session.waiting

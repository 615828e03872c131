"""Bookings per second on SQLite and, when TEST_POSTGRES_URL is set, on PostgreSQL.

Each run uses a throwaway database (a temporary SQLite file; a new PostgreSQL database dropped
at the end): `python scripts/bench_booking.py [--bookings N] [--threads T] [--json]`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.booking.db import clear_engines, ensure_schema
from bot.booking.service import BookingRequest, BookingService


@contextmanager
def sqlite_database() -> Iterator[str]:
    """A SQLite file in a temporary directory."""
    with tempfile.TemporaryDirectory() as directory:
        yield f"sqlite:///{directory}/bench.db"
        clear_engines()


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A new PostgreSQL database on the server of `admin_url`, dropped afterwards."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        clear_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure(url: str, bookings: int, threads: int) -> float:
    """Book `bookings` seats (distinct people) with `threads` threads; return bookings/s."""
    service = BookingService(ensure_schema(url))
    start = datetime.now(timezone.utc) + timedelta(days=30)
    session_id = service.add_session(
        title="Bench", starts_at=start, ends_at=start + timedelta(hours=1), capacity=bookings
    )

    def one(n: int) -> None:
        service.book(
            session_id,
            BookingRequest(f"Personne {n}", "Bench", f"bench{n}@example.org"),
            key=f"bench-{threads}-{n}",
        )

    began = time.perf_counter()
    if threads == 1:
        for n in range(bookings):
            one(n)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(one, range(bookings)))
    elapsed = time.perf_counter() - began
    assert service.get_session(session_id).seats_taken == bookings
    return bookings / elapsed


def main() -> int:
    """Run the measures and print them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    targets: list[tuple[str, object]] = [("sqlite", sqlite_database())]
    if os.environ.get("TEST_POSTGRES_URL"):
        targets.append(("postgresql", postgres_database(os.environ["TEST_POSTGRES_URL"])))
    results: dict[str, dict[str, float]] = {}
    for name, database in targets:
        with database as url:  # type: ignore[attr-defined]
            results[name] = {
                "sequentiel": round(measure(url, args.bookings, 1), 1),
                f"{args.threads}_threads": round(measure(url, args.bookings, args.threads), 1),
            }
    if args.json:
        print(json.dumps({"reservations_par_seconde": results}))
    else:
        for name, figures in results.items():
            line = ", ".join(f"{mode} {rate} réservations/s" for mode, rate in figures.items())
            print(f"Réservations SPASER, {name} : {line}")
        if "postgresql" not in results:
            print("PostgreSQL : non mesuré (TEST_POSTGRES_URL non défini)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

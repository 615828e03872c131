"""The Alembic migrations build exactly the schema of the models, and run once."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.booking.db import (
    current_revision,
    ensure_schema,
    get_engine,
    head_revision,
    upgrade_database,
)
from bot.booking.models import Base


def test_migrations_match_the_models(db_url: str) -> None:
    engine = ensure_schema(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    assert current_revision(engine) == head_revision(db_url)


def test_upgrade_is_idempotent_and_creates_the_tables(db_url: str) -> None:
    assert upgrade_database(db_url) == upgrade_database(db_url) == head_revision(db_url)
    tables = set(inspect(get_engine(db_url)).get_table_names())
    assert {"sessions", "bookings", "alembic_version"} <= tables


def test_sqlite_database_uses_wal_and_a_busy_timeout(sqlite_url: str) -> None:
    engine = ensure_schema(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_processes_migrating_together_do_not_collide(db_url: str) -> None:
    """The action server and a CLI command starting at once on an empty database."""
    import subprocess
    import sys

    from bot.paths import ROOT

    code = "import sys; from bot.booking.db import upgrade_database; upgrade_database(sys.argv[1])"
    children = [
        subprocess.Popen([sys.executable, "-c", code, db_url], cwd=ROOT, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    for child in children:
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err.decode()
    assert current_revision(get_engine(db_url)) == head_revision(db_url)

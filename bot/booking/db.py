"""Database engine and schema upgrades for the booking service.

`get_engine()` builds one engine per URL (cached). SQLite gets what several processes writing
the same file need: WAL (readers do not block the writer), a busy timeout (a writer waits for the
lock instead of failing), foreign keys, and `BEGIN IMMEDIATE` transactions so that a transaction
that reads then writes cannot fail half-way on a lock upgrade. `upgrade_database()` runs the
Alembic migrations up to the latest revision; every entry point calls `ensure_schema()`.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

from bot.paths import ROOT
from bot.settings import get_settings

MIGRATIONS_DIR = ROOT / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for the lock: far above any booking transaction (a few ms),
below the action server's patience."""

_MIGRATION_LOCK_ID = 724_501_001
"""Arbitrary key of the PostgreSQL advisory lock held while migrating."""

_upgraded: set[str] = set()
_upgrade_lock = threading.Lock()


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _prepare_sqlite_directory(url: str) -> None:
    """Create the directory of a SQLite file (var/ on a fresh checkout)."""
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if database and database != ":memory:":
        from pathlib import Path

        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: Engine) -> None:
    """Install the connection and transaction hooks SQLite needs (see the module docstring)."""

    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself: pysqlite's own implicit BEGIN is
        # deferred and skipped before SELECTs, which breaks read-then-write transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # FULL (the default) also in WAL mode: a confirmed booking survives a power cut.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock at once: writers queue on busy_timeout instead of
        # failing with SQLITE_BUSY when a read transaction later tries to write.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)


def build_engine(url: str) -> Engine:
    """Build a new engine for `url` (not cached: use `get_engine()` in application code)."""
    if _is_sqlite(url):
        _prepare_sqlite_directory(url)
        engine = create_engine(
            url,
            future=True,
            # Reuse connections (SQLAlchemy 1.4 opens a new one per checkout for SQLite files):
            # the per-connection PRAGMAs then run once, not on every booking.
            poolclass=QueuePool,
            pool_size=5,
            max_overflow=20,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


_built_engines: list[Engine] = []


@cache
def _cached_engine(url: str) -> Engine:
    engine = build_engine(url)
    _built_engines.append(engine)
    return engine


def get_engine(url: str | None = None) -> Engine:
    """Return the process-wide engine for `url` (default: `DATABASE_URL` from the settings).

    Cached per URL; tests pass their own URL, or call `clear_engines()`.
    """
    return _cached_engine(url or get_settings().database_url)


def clear_engines() -> None:
    """Forget (and dispose) the cached engines and the record of upgraded databases."""
    for engine in _built_engines:
        engine.dispose()
    _built_engines.clear()
    _cached_engine.cache_clear()
    with _upgrade_lock:
        _upgraded.clear()


def alembic_config(url: str) -> Any:
    """Alembic configuration pointing at `migrations/` and at the database `url`."""
    from alembic.config import Config

    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation: a password with "%" must be escaped.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        revision: str | None = MigrationContext.configure(connection).get_current_revision()
        return revision


def head_revision(url: str) -> str | None:
    """The latest revision of `migrations/`."""
    from alembic.script import ScriptDirectory

    head: str | None = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    return head


def upgrade_database(url: str | None = None) -> str | None:
    """Run the migrations on `url` (default: the settings' database) up to the head revision.

    Returns the revision reached. Safe to call when the database is already up to date.
    """
    from alembic import command

    url = url or get_settings().database_url
    engine = get_engine(url)
    if current_revision(engine) != head_revision(url):
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                # Two processes starting together (action server, CLI) must not both create
                # the tables: the second waits here, then finds the schema at head. (SQLite
                # gets the same from BEGIN IMMEDIATE.)
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})")
            config = alembic_config(url)
            # env.py uses this connection: one engine, the same SQLite hooks.
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    return current_revision(engine)


def ensure_schema(url: str | None = None) -> Engine:
    """Return the engine for `url` after upgrading its schema once per process."""
    url = url or get_settings().database_url
    with _upgrade_lock:
        if url not in _upgraded:
            upgrade_database(url)
            _upgraded.add(url)
    return get_engine(url)

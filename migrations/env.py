"""Alembic environment of the booking database.

The URL comes, in order, from a connection handed over by `bot.booking.db.upgrade_database`,
from `-x url=...` on the alembic command line, from `sqlalchemy.url` set by the caller, and
finally from `bot.settings.get_settings().database_url` (DATABASE_URL).
"""

from __future__ import annotations

from alembic import context

from bot.booking.models import Base
from bot.hotline import models as _hotline_models  # noqa: F401  (registers the hotline tables)
from bot.settings import get_settings

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    x_url = context.get_x_argument(as_dictionary=True).get("url")
    return x_url or config.get_main_option("sqlalchemy.url") or get_settings().database_url


def _configure(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
    )


def run_migrations_offline() -> None:
    """Emit the SQL without a database (`alembic upgrade head --sql`)."""
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a live database."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from bot.booking.db import build_engine

    engine = build_engine(_url())
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

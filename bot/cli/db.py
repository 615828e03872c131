"""`python -m bot db upgrade`: create or upgrade the database named by DATABASE_URL."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `db` command."""
    parser = subparsers.add_parser("db", help="Base de données : création et mises à jour")
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION")
    actions.required = True
    upgrade = actions.add_parser("upgrade", help="Crée ou met à jour le schéma (migrations)")
    upgrade.set_defaults(handler=_upgrade)
    current = actions.add_parser("current", help="Affiche la révision du schéma")
    current.set_defaults(handler=_current)


def _upgrade(args: argparse.Namespace) -> int:
    from bot.booking.db import upgrade_database
    from bot.settings import get_settings

    revision = upgrade_database()
    print(f"Base à jour (révision {revision}) : {_safe_url(get_settings().database_url)}")
    return 0


def _current(args: argparse.Namespace) -> int:
    from bot.booking.db import current_revision, get_engine

    print(current_revision(get_engine()) or "vide")
    return 0


def _safe_url(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return str(make_url(url).set(password="***") if make_url(url).password else make_url(url))

"""`python -m bot privacy …`: retention periods and erasure on request (docs/privacy.md).

python -m bot privacy purge [--dry-run]          # what cron / the systemd timer runs daily
python -m bot privacy delete --email X           # bookings + conversations where X was typed
python -m bot privacy delete --conversation ID   # tracker events + hand-over tickets of ID

Prints and logs counts only, never a name, an e-mail, a sender id or a message.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bot.cli import CliError


def register(subparsers: Any) -> None:
    """Add the `privacy` command."""
    parser = subparsers.add_parser(
        "privacy", help="Données personnelles : durées de conservation, effacement sur demande"
    )
    actions = parser.add_subparsers(dest="privacy_action", metavar="ACTION")
    actions.required = True

    purge = actions.add_parser(
        "purge",
        help="Efface ce qui a dépassé sa durée de conservation (conversations, tickets clos, "
        "inscriptions des sessions terminées)",
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="Compte seulement : rien n'est effacé"
    )
    purge.set_defaults(handler=_purge)

    delete = actions.add_parser("delete", help="Efface les données d'une personne")
    delete.add_argument(
        "--email", help="Adresse e-mail : ses inscriptions et les conversations où elle figure"
    )
    delete.add_argument(
        "--conversation",
        action="append",
        default=[],
        metavar="ID",
        help="Identifiant de conversation (sender id, affiché par `hotline tickets --json`) ; "
        "répétable",
    )
    delete.set_defaults(handler=_delete)


@contextmanager
def _log_to_stderr() -> Iterator[None]:
    """While the command runs, its INFO line also goes to stderr, timestamped (journald or the
    cron mail keep it)."""
    log = logging.getLogger("bot.privacy")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    previous = log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(previous)


def _settings() -> Any:
    from bot.privacy import PrivacyError, RetentionSettings

    try:
        return RetentionSettings.from_env()
    except PrivacyError as error:
        raise CliError(str(error)) from None


def _purge(args: argparse.Namespace) -> int:
    from bot.privacy import purge

    settings = _settings()
    with _log_to_stderr():
        removed = purge(settings, dry_run=args.dry_run)
    verb = "à effacer" if args.dry_run else "effacé(s)"
    since = f" depuis plus de {settings.booking_days} jour(s)" if settings.booking_days else ""
    print(
        ("Simulation, rien n'est effacé.\n" if args.dry_run else "")
        + f"Conversations (plus de {settings.conversation_days} jours) : "
        f"{removed.tracker_events} événement(s) {verb} dans {removed.conversations} "
        "conversation(s).\n"
        f"Tickets de la hotline clos depuis plus de {settings.conversation_days} jours : "
        f"{removed.tickets} ticket(s), {removed.ticket_messages} message(s) {verb}.\n"
        f"Inscriptions des sessions terminées{since} : "
        f"{removed.bookings} {'à anonymiser' if args.dry_run else 'anonymisée(s)'}."
    )
    return 0


def _delete(args: argparse.Namespace) -> int:
    from bot.privacy import PrivacyError, delete_person

    settings = _settings()
    try:
        with _log_to_stderr():
            removed = delete_person(
                settings, email=args.email, conversations=tuple(args.conversation)
            )
    except PrivacyError as error:
        raise CliError(str(error)) from None
    print(
        f"{removed.bookings} inscription(s) effacée(s) ; {removed.conversations} conversation(s) : "
        f"{removed.tracker_events} événement(s), {removed.tickets} ticket(s) et "
        f"{removed.ticket_messages} message(s) de ticket effacés."
    )
    return 0

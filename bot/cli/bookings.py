"""`python -m bot bookings …`: personal data of the bookings (purge, deletion on request)."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli import CliError
from bot.cli._booking_common import booking_service, positive_int


def register(subparsers: Any) -> None:
    """Add the `bookings` command and its actions."""
    parser = subparsers.add_parser("bookings", help="Inscriptions : données personnelles")
    actions = parser.add_subparsers(dest="bookings_action", metavar="ACTION")
    actions.required = True

    purge = actions.add_parser(
        "purge", help="Efface les données personnelles des sessions terminées depuis N jours"
    )
    purge.add_argument("--older-than-days", required=True, help="Nombre de jours (N)")
    purge.set_defaults(handler=_purge)

    delete = actions.add_parser(
        "delete", help="Efface les données d'une personne (ses inscriptions actives sont annulées)"
    )
    delete.add_argument("--email", required=True, help="Adresse e-mail de la personne")
    delete.set_defaults(handler=_delete)


def _purge(args: argparse.Namespace) -> int:
    days = positive_int(args.older_than_days, "--older-than-days", minimum=0)
    count = booking_service().purge(days)
    print(f"{count} inscription(s) anonymisée(s).")
    return 0


def _delete(args: argparse.Namespace) -> int:
    from bot.booking.service import BookingError

    try:
        count = booking_service().delete_person(args.email)
    except BookingError as error:
        raise CliError(str(error)) from error
    print(f"{count} inscription(s) effacée(s) pour cette adresse.")
    return 0

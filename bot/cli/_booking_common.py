"""Helpers shared by the `sessions` and `bookings` commands (no `register`: not a command)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cli import CliError

if TYPE_CHECKING:
    from bot.booking.service import BookingService


def booking_service() -> BookingService:
    """The booking service on DATABASE_URL, with the schema migrated first.

    A database that cannot be reached or migrated is reported in French (exit 2) rather than
    with a traceback.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from bot.booking.db import ensure_schema
    from bot.booking.service import BookingService

    try:
        return BookingService(ensure_schema())
    except SQLAlchemyError as error:
        raise CliError(
            "impossible d'ouvrir ou de mettre à jour la base de données "
            f"({type(error).__name__}). Vérifiez DATABASE_URL, puis lancez `make migrate`."
        ) from error


def positive_int(text: str, what: str, *, minimum: int = 1) -> int:
    """Parse an integer ≥ `minimum`, or raise `CliError` naming `what`."""
    try:
        value = int(text)
    except ValueError as error:
        raise CliError(f"{what} doit être un nombre entier (reçu : {text!r}).") from error
    if value < minimum:
        raise CliError(f"{what} doit être au moins {minimum} (reçu : {value}).")
    return value

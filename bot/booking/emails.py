"""E-mail addresses of bookings: validation and the normal form used to match them."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

_EMAIL_IN_TEXT = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")


class InvalidEmail(ValueError):
    """The text is not a usable e-mail address; the message is French, for the user."""


def normalize_email(address: str) -> str:
    """Validate `address` and return its normal form (lower case), or raise `InvalidEmail`.

    Syntax only: no DNS lookup (no network, and a typo in the domain is caught when the person
    reads the summary). The whole address is lower-cased because buyers type their address with
    varying case and every public mail system treats it case-insensitively.
    """
    address = address.strip().strip(".")
    if not address:
        raise InvalidEmail("Je n'ai pas reçu d'adresse e-mail.")
    try:
        result = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(
            "Cette adresse e-mail ne semble pas valide. "
            "Pouvez-vous la vérifier ? Elle a la forme prenom.nom@domaine.fr"
        ) from error
    return str(result.normalized).lower()


def find_email(text: str) -> str | None:
    """Return the first thing that looks like an e-mail address in a message, or None."""
    match = _EMAIL_IN_TEXT.search(text)
    return match.group(0).rstrip(".") if match else None

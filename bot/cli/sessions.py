"""`python -m bot sessions …`: manage the mission SPASER sessions (CONTRACT §6).

add, list, export, close, seed. Dates are given and shown in Europe/Paris time.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.cli import CliError
from bot.cli._booking_common import booking_service, positive_int


def register(subparsers: Any) -> None:
    """Add the `sessions` command and its actions."""
    parser = subparsers.add_parser("sessions", help="Sessions de la mission SPASER")
    actions = parser.add_subparsers(dest="sessions_action", metavar="ACTION")
    actions.required = True

    add = actions.add_parser("add", help="Crée une session et affiche son identifiant")
    add.add_argument("--titre", required=True, help="Titre de la session")
    add.add_argument("--debut", required=True, help="Début, heure de Paris : 2027-01-14T10:00")
    add.add_argument("--fin", required=True, help="Fin, heure de Paris : 2027-01-14T11:30")
    add.add_argument("--places", required=True, help="Nombre de places")
    add.add_argument("--format", default="en_ligne", help="en_ligne (défaut) ou presentiel")
    add.add_argument("--lieu", default=None, help="Lieu (obligatoire en présentiel)")
    add.set_defaults(handler=_add)

    listing = actions.add_parser("list", help="Liste les sessions à venir")
    listing.add_argument("--toutes", action="store_true", help="Aussi les sessions passées")
    listing.add_argument("--json", action="store_true", help="Sortie JSON")
    listing.set_defaults(handler=_list)

    export = actions.add_parser("export", help="Exporte les inscrits d'une session (CSV)")
    export.add_argument("id", help="Identifiant de la session")
    export.add_argument("--csv", action="store_true", help="Format CSV (le seul proposé)")
    export.set_defaults(handler=_export)

    close = actions.add_parser("close", help="Ferme une session aux inscriptions")
    close.add_argument("id", help="Identifiant de la session")
    close.set_defaults(handler=_close)

    seed = actions.add_parser("seed", help="Charge les sessions de démonstration")
    seed.add_argument(
        "--fichier", default=None, help="Fichier YAML (défaut : knowledge/sessions_seed.yml)"
    )
    seed.set_defaults(handler=_seed)


def parse_local_datetime(text: str, what: str) -> datetime:
    """Parse "2027-01-14T10:00" as Paris time (an explicit offset is also accepted)."""
    from bot.booking.formatting import local_zone

    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise CliError(
            f"{what} : date invalide {text!r}. Format attendu : 2027-01-14T10:00 (heure de Paris)."
        ) from error
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    return value


def _booking_error(error: Exception, session_id: int | None = None) -> CliError:
    from bot.booking.service import UnknownSession

    if isinstance(error, UnknownSession) and session_id is not None:
        return CliError(f"aucune session n'a l'identifiant {session_id} (voir `sessions list`).")
    return CliError(str(error))


def _add(args: argparse.Namespace) -> int:
    from bot.booking.service import BookingError

    starts_at = parse_local_datetime(args.debut, "--debut")
    ends_at = parse_local_datetime(args.fin, "--fin")
    places = positive_int(args.places, "--places")
    if args.format not in ("en_ligne", "presentiel"):
        raise CliError(f"--format : « en_ligne » ou « presentiel » (reçu : {args.format!r}).")
    service = booking_service()
    if starts_at <= service.clock():
        raise CliError("--debut : cette date est passée.")
    try:
        session_id = service.add_session(
            title=args.titre,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=places,
            format=args.format,
            place=args.lieu,
        )
    except BookingError as error:
        raise _booking_error(error) from error
    print(session_id)
    return 0


def _iso_local(moment: datetime) -> str:
    from bot.booking.formatting import local_zone

    return moment.astimezone(local_zone()).isoformat(timespec="minutes")


def _list(args: argparse.Namespace) -> int:
    from bot.booking.service import describe_session

    sessions = booking_service().list_sessions(include_past=args.toutes)
    if args.json:
        payload = [
            {
                "id": x.id,
                "titre": x.title,
                "debut": _iso_local(x.starts_at),
                "fin": _iso_local(x.ends_at),
                "format": x.format,
                "places": x.capacity,
                "restantes": x.seats_left,
                "attente": x.waiting,
            }
            for x in sessions
        ]
        print(json.dumps(payload, ensure_ascii=False))
        return 0
    if not sessions:
        print("Aucune session à venir." if not args.toutes else "Aucune session.")
    for x in sessions:
        status = "" if x.status == "open" else f" [{x.status}]"
        print(f"{x.id}\t{describe_session(x)}, {x.waiting} en attente{status}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from bot.booking.service import BookingError

    session_id = positive_int(args.id, "L'identifiant de session")
    try:
        _session, bookings = booking_service().attendees(session_id)
    except BookingError as error:
        raise _booking_error(error, session_id) from error
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(
        [
            "reference",
            "statut",
            "position_attente",
            "nom",
            "organisation",
            "type_etablissement",
            "email",
            "inscrit_le",
        ]
    )
    for b in bookings:
        writer.writerow(
            [
                b.reference,
                "confirmee" if b.status == "confirmed" else "liste_attente",
                b.waiting_position or "",
                b.name or "",
                b.organisation or "",
                b.establishment_type or "",
                b.email or "",
                _iso_local(b.created_at),
            ]
        )
    return 0


def _close(args: argparse.Namespace) -> int:
    from bot.booking.service import BookingError

    session_id = positive_int(args.id, "L'identifiant de session")
    try:
        session = booking_service().close_session(session_id)
    except BookingError as error:
        raise _booking_error(error, session_id) from error
    print(f"Session {session.id} fermée aux inscriptions ({session.seats_taken} inscrits).")
    return 0


def _seed(args: argparse.Namespace) -> int:
    from bot.booking.seed import SeedError, load_seed

    path = Path(args.fichier) if args.fichier else None
    try:
        created, existing = load_seed(booking_service(), path)
    except SeedError as error:
        raise CliError(str(error)) from error
    print(f"{created} session(s) créée(s), {existing} déjà présente(s).")
    return 0

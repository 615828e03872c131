"""`python -m bot contacts …`: manage the facilitator directory.

    python -m bot contacts import annuaire.csv   # validate, then replace the imported directory
    python -m bot contacts list [--json]         # every contact the bot can route to

The CSV columns are documented in `bot.contacts.CSV_COLUMNS` (and in `--help`). A file with any
bad row is rejected as a whole, with the line numbers; the previous import stays in place.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli import CliError

_COLUMNS_HELP = (
    "Colonnes (ligne d'en-tête, séparateur ; ou , , UTF-8) : territoire_type (departement, epci "
    "ou communes), territoire_codes (code du département, SIREN de l'EPCI, ou codes INSEE des "
    "communes séparés par des espaces), structure, nom, email, telephone, site (au moins un des "
    "trois), source, verifie_le (AAAA-MM-JJ). Un seul facilitateur par territoire."
)


def register(subparsers: Any) -> None:
    """Add the `contacts` command and its actions."""
    parser = subparsers.add_parser("contacts", help="Annuaire des facilitateurs et guichets verts")
    actions = parser.add_subparsers(dest="contacts_action", metavar="ACTION")
    actions.required = True

    imp = actions.add_parser(
        "import", help="Importe l'annuaire des facilitateurs (CSV)", description=_COLUMNS_HELP
    )
    imp.add_argument("fichier", help="Fichier CSV")
    imp.set_defaults(handler=_import)

    listing = actions.add_parser("list", help="Liste les contacts connus")
    listing.add_argument("--json", action="store_true", help="Sortie JSON")
    listing.set_defaults(handler=_list)


def _import(args: argparse.Namespace) -> int:
    from bot.contacts import CsvImportError, clear_cache, import_facilitators_csv

    path = Path(args.fichier)
    if not path.is_file():
        raise CliError(f"fichier introuvable : {path}")
    try:
        report = import_facilitators_csv(path)
    except CsvImportError as error:
        raise CliError(
            "import refusé, rien n'a été modifié.\n" + "\n".join(f"  - {p}" for p in error.problems)
        ) from None
    clear_cache()
    sys.stdout.write(
        f"{report.count} facilitateur(s) importé(s) dans {report.path} "
        f"(remplace l'import précédent : {report.replaced} contact(s)).\n"
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    from bot.contacts import load_directory
    from bot.territory import load_territories

    territories = load_territories()
    directory = load_directory()
    rows = []
    for contact in directory.contacts:
        row: dict[str, Any] = dict(contact.to_json(territories))
        row.update(
            {
                "id": contact.id,
                "type": contact.type,
                "sert": list(contact.sert),
                "verifie_le": contact.verifie_le.isoformat(),
                "incertain": contact.incertain,
            }
        )
        rows.append(row)
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    for row in rows:
        flag = " (à confirmer)" if row["incertain"] else ""
        sys.stdout.write(f"{row['type']:<16} {row['territoire']:<32} {row['structure']}{flag}\n")
    if directory.imported_at:
        sys.stdout.write(f"\nAnnuaire des facilitateurs importé le {directory.imported_at}.\n")
    else:
        sys.stdout.write("\nAucun annuaire de facilitateurs importé.\n")
    return 0

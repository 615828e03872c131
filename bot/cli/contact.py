"""`python -m bot contact`: whom to contact for a facilitator or a guichet vert (CONTRACT §3).

    python -m bot contact --type guichet_vert --code-postal 33000 --json
    python -m bot contact --type facilitateur --commune "Saint-Denis 93"

Exactly one place option. An unknown, invalid or ambiguous place is a user error (exit 2); for
an ambiguous one the message lists the candidates.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.cli import CliError

_PLACE_OPTIONS = ("code_postal", "departement", "region", "commune")


def register(subparsers: Any) -> None:
    """Add the `contact` command."""
    parser = subparsers.add_parser(
        "contact", help="Trouver le facilitateur ou le guichet vert d'un territoire"
    )
    parser.add_argument("--type", dest="kind", help="facilitateur ou guichet_vert")
    parser.add_argument("--code-postal", dest="code_postal", help="Code postal (5 chiffres)")
    parser.add_argument("--departement", help="Département : code (33, 2A, 974) ou nom")
    parser.add_argument("--region", help="Région : identifiant (nouvelle_aquitaine) ou nom")
    parser.add_argument("--commune", help='Commune, éventuellement précisée : "Saint-Denis 93"')
    parser.add_argument("--json", action="store_true", help="Sortie JSON (CONTRACT §3)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Resolve the place, route, print the answer."""
    from bot.contacts import KINDS, route
    from bot.territory import AmbiguousPlace, PlaceError, load_territories

    if args.kind not in KINDS:
        raise CliError("indiquez --type facilitateur ou --type guichet_vert.")
    given = [name for name in _PLACE_OPTIONS if getattr(args, name)]
    if len(given) != 1:
        raise CliError(
            "indiquez un lieu et un seul : --code-postal, --departement, --region ou --commune."
        )
    option = given[0]
    value: str = getattr(args, option)
    territories = load_territories()
    try:
        if option == "code_postal":
            place = territories.resolve_postal_code(value)
        elif option == "departement":
            place = territories.departement_place(territories.resolve_departement(value))
        elif option == "region":
            place = territories.region_place(territories.resolve_region(value))
        else:
            place = territories.resolve_commune(value)
    except AmbiguousPlace as error:
        choices = "\n".join(f"  - {p.libelle}" for p in error.candidates)
        raise CliError(f"lieu ambigu. {error}\nCandidats :\n{choices}") from None
    except PlaceError as error:
        raise CliError(str(error)) from None

    result = route(args.kind, place)
    if args.json:
        json.dump(result.to_json(territories), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    sys.stdout.write(result.pourquoi + "\n")
    for contact in result.to_json(territories)["contacts"]:
        sys.stdout.write(f"\n{contact['structure']} ({contact['territoire']})\n")
        for key in ("nom", "site", "email", "telephone"):
            if contact[key]:
                sys.stdout.write(f"  {key} : {contact[key]}\n")
    return 0

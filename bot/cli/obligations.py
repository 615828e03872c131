"""`python -m bot obligations --etablissement T --projet C [--fait K=V …] [--date D] --json`.

Prints the CONTRACT §3 JSON document. Bad input: a French message on stderr, exit code 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `obligations` command."""
    parser = subparsers.add_parser(
        "obligations",
        help="obligations d'achat durable d'un profil (JSON)",
        description="Liste les obligations d'un type d'établissement pour une catégorie d'achat.",
    )
    parser.add_argument(
        "--etablissement", required=True, metavar="TYPE", help="type d'établissement (ex. commune)"
    )
    parser.add_argument(
        "--projet", required=True, metavar="CATEGORIE", help="catégorie d'achat (ex. vehicules)"
    )
    parser.add_argument(
        "--fait",
        action="append",
        default=[],
        metavar="CLE=VALEUR",
        help='un fait connu, répétable (ex. taille_flotte=25, montant_achats_annuel="60 M€")',
    )
    parser.add_argument(
        "--date",
        metavar="AAAA-MM-JJ",
        help="date de référence (défaut : aujourd'hui, heure de Paris)",
    )
    parser.add_argument("--json", action="store_true", help="sortie JSON (seul format disponible)")
    parser.set_defaults(handler=run)


def _parse_date(text: str | None) -> dt.date | None:
    from bot.cli import parse_date

    return None if text is None else parse_date(text)


def run(args: argparse.Namespace) -> int:
    """Evaluate the profile and print the JSON document."""
    from bot.cli import CliError
    from bot.engine import EngineError, get_engine
    from bot.knowledge import FactValue, get_knowledge

    engine = get_engine()
    date = _parse_date(args.date)
    facts: dict[str, FactValue] = {}
    try:
        engine.check_profile(args.etablissement, args.projet)
        for item in args.fait:
            key, sep, raw = item.partition("=")
            key = key.strip()
            if not sep or not key or not raw.strip():
                raise CliError(
                    f"Fait mal écrit : « {item} ». "
                    "Format attendu : CLE=VALEUR, par exemple taille_flotte=25."
                )
            if key in facts:
                raise CliError(f"Le fait « {key} » est donné deux fois.")
            facts[key] = engine.parse_fact(key, raw)
        result = engine.evaluate(args.etablissement, args.projet, facts, date)
    except EngineError as error:
        raise CliError(error.message) from None
    sys.stdout.write(
        json.dumps(result.to_json(get_knowledge()), ensure_ascii=False, indent=2) + "\n"
    )
    return 0

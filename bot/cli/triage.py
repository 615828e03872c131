"""`python -m bot triage "texte" --json`: triage of a caller's description (CONTRACT §4).

    python -m bot triage "Commune de Talence, on renouvelle 30 véhicules, quelles règles ?" --json

The NLU of the latest model in `--modele` (default: models/) reads the text; bot/triage.py does
the rest. An empty text is a user error (exit 2).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli import CliError
from bot.paths import ROOT

MAX_LENGTH = 5000


def register(subparsers: Any) -> None:
    """Add the `triage` command."""
    parser = subparsers.add_parser(
        "triage", help="Trier la demande d'un appelant (intention, règles, orientation)"
    )
    parser.add_argument("texte", help="La description du problème, entre guillemets")
    parser.add_argument("--json", action="store_true", help="Sortie JSON (CONTRACT §4)")
    parser.add_argument(
        "--modele", type=Path, default=ROOT / "models", help="Dossier des modèles entraînés"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Parse the text with the model, triage it, print the result."""
    text = " ".join(str(args.texte).split())
    if not text:
        raise CliError("le texte à trier est vide.")
    if len(text) > MAX_LENGTH:
        raise CliError(f"le texte dépasse {MAX_LENGTH} caractères : résumez la demande.")
    # Rasa is imported only here, at the edge: the rest of bot/ knows nothing of it.
    from bot.triage import Triager
    from rasa_components.model_parser import ModelParser

    parser = ModelParser(args.modele)
    try:
        parse = parser.parse(text)
    except FileNotFoundError as error:
        raise CliError(str(error)) from None
    finally:
        parser.close()
    result = Triager().triage(text, parse)
    if args.json:
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    data = result.to_json()
    sys.stdout.write(f"Intention : {data['intent']} (confiance {data['confiance']})\n")
    sys.stdout.write(f"Entités : {json.dumps(data['entites'], ensure_ascii=False)}\n")
    sys.stdout.write(f"Obligations : {', '.join(data['obligations']) or 'aucune'}\n\n")
    sys.stdout.write(data["resume"] + "\n")
    return 0

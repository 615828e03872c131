"""`python -m bot kb check`: validate the knowledge base and list items to re-check.

Exit code 0 when the files are valid (stale items are reported as warnings), 1 when there are
problems (each with its file and line).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `kb` command."""
    parser = subparsers.add_parser("kb", help="base de connaissances : vérification")
    parser.add_argument(
        "action", metavar="ACTION", help="check : vérifie les fichiers de knowledge/"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Check the knowledge files and print a French report."""
    from bot.cli import CliError
    from bot.engine import today_paris
    from bot.knowledge import STALE_AFTER_DAYS, KnowledgeError, load_knowledge
    from bot.paths import KNOWLEDGE_DIR

    if args.action != "check":
        raise CliError(f"Action inconnue : « {args.action} ». Action possible : check.")
    try:
        knowledge = load_knowledge(KNOWLEDGE_DIR)
    except KnowledgeError as error:
        sys.stdout.write(f"{len(error.problems)} problème(s) dans la base de connaissances :\n")
        for problem in error.problems:
            sys.stdout.write(f"  knowledge/{problem}\n")
        return 1
    today = today_paris()
    out = [
        f"Base valide : {len(knowledge.obligations)} obligations, {len(knowledge.levers)} leviers, "
        f"vérifiée au plus tôt le {knowledge.checked_on().isoformat()}."
    ]
    stale = knowledge.stale_items(today)
    if stale:
        out.append(f"À revérifier (vérification de plus de {STALE_AFTER_DAYS} jours) :")
        out += [f"  {item} (ligne {knowledge.lines.get(item, 1)})" for item in stale]
    uncertain = [o.id for o in knowledge.obligations if o.incertain]
    if uncertain:
        out.append(f"Marquées incertaines ({len(uncertain)}) : {', '.join(uncertain)}")
    sys.stdout.write("\n".join(out) + "\n")
    return 0

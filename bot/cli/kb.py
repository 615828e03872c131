"""`python -m bot kb check` and `python -m bot kb changes`.

- `check`: validate the knowledge base and list items to re-check. Exit code 0 when the files are
  valid (stale items are reported as warnings), 1 when there are problems (each with its file and
  line).
- `changes --from AAAA-MM-JJ --to AAAA-MM-JJ [--etablissement T] [--projet C] [--json]`: what
  starts or ends in the window, from the dates of the knowledge base (bot/changes.py). Bad input:
  a French message on stderr, exit code 2, as for `obligations`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

ACTIONS = ("check", "changes")


def register(subparsers: Any) -> None:
    """Add the `kb` command."""
    parser = subparsers.add_parser(
        "kb", help="base de connaissances : vérification, changements datés"
    )
    parser.add_argument(
        "action",
        metavar="ACTION",
        help="check : vérifie les fichiers de knowledge/ ; changes : ce qui commence ou finit "
        "entre deux dates",
    )
    parser.add_argument("--from", dest="date_from", metavar="AAAA-MM-JJ", help="début (changes)")
    parser.add_argument("--to", dest="date_to", metavar="AAAA-MM-JJ", help="fin incluse (changes)")
    parser.add_argument("--etablissement", metavar="TYPE", help="type d'établissement (changes)")
    parser.add_argument("--projet", metavar="CATEGORIE", help="catégorie d'achat (changes)")
    parser.add_argument("--json", action="store_true", help="sortie JSON (changes)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run `check` or `changes`."""
    from bot.cli import CliError

    if args.action == "check":
        return _check()
    if args.action == "changes":
        return _changes(args)
    raise CliError(
        f"Action inconnue : « {args.action} ». Actions possibles : {', '.join(ACTIONS)}."
    )


def _check() -> int:
    from bot.engine import today_paris
    from bot.knowledge import STALE_AFTER_DAYS, KnowledgeError, load_knowledge
    from bot.paths import KNOWLEDGE_DIR

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


def _date(text: str | None, option: str) -> dt.date:
    from bot.cli import CliError, parse_date

    if not text:
        raise CliError(f"L'option {option} est obligatoire pour « kb changes » (AAAA-MM-JJ).")
    return parse_date(text)


def _changes(args: argparse.Namespace) -> int:
    from bot.changes import KIND_LABELS, list_changes
    from bot.cli import CliError
    from bot.engine import format_date
    from bot.knowledge import get_knowledge

    start, end = _date(args.date_from, "--from"), _date(args.date_to, "--to")
    if end < start:
        raise CliError(
            f"La date de fin ({end.isoformat()}) est avant la date de début ({start.isoformat()})."
        )
    knowledge = get_knowledge()
    if args.etablissement is not None and args.etablissement not in knowledge.etablissements:
        raise CliError(
            f"Type d'établissement inconnu : « {args.etablissement} ». "
            f"Valeurs possibles : {', '.join(knowledge.etablissements.labels)}."
        )
    if args.projet is not None and args.projet not in knowledge.categories:
        raise CliError(
            f"Catégorie d'achat inconnue : « {args.projet} ». "
            f"Valeurs possibles : {', '.join(knowledge.categories.labels)}."
        )
    found = list_changes(knowledge, start, end, args.etablissement, args.projet)
    if args.json:
        document = {
            "du": start.isoformat(),
            "au": end.isoformat(),
            "etablissement": args.etablissement,
            "projet": args.projet,
            "changements": [change.to_json() for change in found],
        }
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return 0
    out = [
        f"Changements du {format_date(start)} au {format_date(end)} : {len(found)}.",
        *(
            f"  {c.date.isoformat()}  {KIND_LABELS[c.type]:<5}  {c.obligation} : {c.texte}"
            for c in found
        ),
    ]
    sys.stdout.write("\n".join(out) + "\n")
    return 0

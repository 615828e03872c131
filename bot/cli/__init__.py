"""Command line of the assistant: `python -m bot <command> …`.

Each module of this package that defines `register(subparsers)` adds one command; the module's
handler returns an exit code. Errors a user can make raise `CliError` with a French message:
printed on stderr, exit code 2, nothing on stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import pkgutil
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A user error on the command line; its message is French and shown as is."""


def parse_date(text: str) -> dt.date:
    """A YYYY-MM-DD date given on the command line; CliError (French) otherwise."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CliError(
            f"Date invalide : « {text} ». Format attendu : AAAA-MM-JJ, par exemple 2026-11-30."
        ) from None


class FrenchArgumentParser(argparse.ArgumentParser):
    """argparse with French error reporting and exit code 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"Erreur : {message}\nAide : {self.prog} --help\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with one sub-command per module of this package."""
    parser = FrenchArgumentParser(prog="python -m bot", description="Assistant Achats Durables")
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMANDE", parser_class=FrenchArgumentParser
    )
    subparsers.required = True
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module: Any = importlib.import_module(f"{__name__}.{module_info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except CliError as error:
        sys.stderr.write(f"Erreur : {error}\n")
        return 2

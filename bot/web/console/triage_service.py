"""The triage behind `POST /api/triage` and the console's triage box.

The NLU of the trained model loads once per process, lazily, in a worker thread (tens of
seconds the first time); a lock keeps two first requests from loading it twice and serialises
the parses (the Rasa agent is not meant for concurrent use from threads).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from starlette.concurrency import run_in_threadpool

from bot.paths import ROOT
from bot.triage import Triager

MAX_TRIAGE_CHARS = 5000


class Parser(Protocol):
    """Anything that turns a text into Rasa's parse dict."""

    def parse(self, text: str) -> dict[str, Any]:
        """Rasa's parse dict of `text`."""


def default_parser_factory() -> Parser:
    """The trained model of `MODEL_DIR` (default: the repository's models/)."""
    # Rasa is imported only here, at the edge (bot/ knows nothing of it).
    from rasa_components.model_parser import ModelParser

    parser: Parser = ModelParser(Path(os.environ.get("MODEL_DIR") or ROOT / "models"))
    return parser


class TriageService:
    """Parses a description with the NLU and triages it (CONTRACT §4)."""

    def __init__(
        self,
        parser: Parser | None = None,
        parser_factory: Callable[[], Parser] = default_parser_factory,
        triager_factory: Callable[[], Triager] = Triager,
    ) -> None:
        self._parser = parser
        self._parser_factory = parser_factory
        self._triager_factory = triager_factory
        self._triager: Triager | None = None
        self._lock = threading.Lock()

    def _triage_sync(self, text: str) -> dict[str, Any]:
        with self._lock:
            if self._parser is None:
                self._parser = self._parser_factory()
            if self._triager is None:
                self._triager = self._triager_factory()
            parse = self._parser.parse(text)
            triager = self._triager
        return triager.triage(text, parse).to_json()

    async def triage(self, text: str) -> dict[str, Any]:
        """The CONTRACT §4 JSON for `text` (already checked: not empty, not too long)."""
        return await run_in_threadpool(self._triage_sync, text)


def clean_text(value: object) -> tuple[str | None, str | None]:
    """(text, None) for a usable description, (None, French error) otherwise."""
    if not isinstance(value, str):
        return None, 'Requête invalide : envoyez {"texte": "…"} avec la description.'
    text = " ".join(value.split())
    if not text:
        return None, "Le texte à trier est vide : collez la description de l'appelant."
    if len(text) > MAX_TRIAGE_CHARS:
        return None, (
            f"Le texte dépasse {MAX_TRIAGE_CHARS:_} caractères : résumez la demande.".replace(
                "_", "\u202f"
            )
        )
    return text, None

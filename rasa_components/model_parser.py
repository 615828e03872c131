"""The trained model's NLU, for callers outside the Rasa server (the triage CLI, the web app).

The only place outside the pipeline components that imports Rasa: `bot/` stays Rasa-free and
receives parse dicts. Loading takes tens of seconds (TensorFlow graphs), so callers keep one
parser per process.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Any


class ModelParser:
    """Parses messages with the latest trained model of a folder (loaded on first use)."""

    def __init__(self, model_dir: Path) -> None:
        self.model_dir = model_dir
        self._agent: Any = None
        self._loop = asyncio.new_event_loop()

    def _load(self) -> Any:
        os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
        from rasa.core.agent import Agent
        from rasa.model import get_latest_model
        from rasa.utils.log_utils import configure_structlog

        # A CLI prints its answer on stdout: keep Rasa's per-message debug log quiet.
        configure_structlog(logging.WARNING)
        logging.getLogger("rasa").setLevel(logging.WARNING)

        model = get_latest_model(str(self.model_dir))
        if model is None:
            raise FileNotFoundError(
                f"Aucun modèle entraîné dans {self.model_dir} : lancez `make train`."
            )
        return Agent.load(model)

    def parse(self, text: str) -> dict[str, Any]:
        """Rasa's parse dict of `text` (intent, ranking, canonical entities)."""
        if self._agent is None:
            self._agent = self._load()
        result: dict[str, Any] = self._loop.run_until_complete(self._agent.parse_message(text))
        return result

    def close(self) -> None:
        """Release the event loop."""
        self._loop.close()

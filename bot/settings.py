"""Runtime settings, read from the environment once (see README, "Variables d'environnement")."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from bot.paths import VAR_DIR


@dataclass(frozen=True)
class Settings:
    """Settings of one process. Build with `get_settings()`; tests may build their own."""

    database_url: str
    rasa_port: int
    action_port: int
    web_port: int
    timezone: str


def _default_database_url() -> str:
    return f"sqlite:///{VAR_DIR / 'achats_durables.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process settings (cached; call `get_settings.cache_clear()` in tests)."""
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or _default_database_url(),
        rasa_port=int(os.environ.get("RASA_PORT", "5005")),
        action_port=int(os.environ.get("ACTION_PORT", "5055")),
        web_port=int(os.environ.get("WEB_PORT", "8000")),
        timezone=os.environ.get("APP_TIMEZONE", "Europe/Paris"),
    )

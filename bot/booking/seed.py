"""Load the demo sessions of `knowledge/sessions_seed.yml` (idempotent)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bot.booking import repository as repo
from bot.booking.formatting import local_zone
from bot.booking.service import BookingError, BookingService
from bot.paths import KNOWLEDGE_DIR

SEED_FILE = KNOWLEDGE_DIR / "sessions_seed.yml"


class SeedError(Exception):
    """The seed file is missing or malformed; the message is French."""


def _local(text: Any, where: str) -> datetime:
    try:
        value = datetime.fromisoformat(str(text))
    except ValueError as error:
        raise SeedError(f"{where} : date invalide {text!r}") from error
    return value if value.tzinfo else value.replace(tzinfo=local_zone())


def load_seed(service: BookingService, path: Path | None = None) -> tuple[int, int]:
    """Add the sessions of the seed file that are not there yet (same title and start).

    Past sessions of the file are skipped. Returns (created, already present or past).
    """
    path = path or SEED_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SeedError(f"impossible de lire {path} : {error}") from error
    items = data.get("sessions") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise SeedError(f"{path} : une liste « sessions » est attendue")
    created = skipped = 0
    for index, item in enumerate(items, start=1):
        where = f"{path.name}, session {index}"
        if not isinstance(item, dict):
            raise SeedError(f"{where} : entrée invalide")
        starts_at = _local(item.get("debut"), where)
        ends_at = _local(item.get("fin"), where)
        title = str(item.get("titre") or "")
        with service._transaction() as s:
            exists = repo.find_session_by_title_and_start(s, title, starts_at) is not None
        if exists or starts_at <= service.clock():
            skipped += 1
            continue
        try:
            service.add_session(
                title=title,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=int(item.get("places", 0)),
                format=str(item.get("format", "en_ligne")),
                place=item.get("lieu"),
            )
        except (BookingError, ValueError) as error:
            raise SeedError(f"{where} : {error}") from error
        created += 1
    return created, skipped

"""Readers of the latest user message, shared by every action (its intent, text, entities)."""

from __future__ import annotations

from rasa_sdk import Tracker


def latest_intent(tracker: Tracker) -> str:
    """Name of the latest user intent ("" when unknown)."""
    return str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")


def latest_text(tracker: Tracker) -> str:
    """Text of the latest user message."""
    return str((tracker.latest_message or {}).get("text") or "")


def latest_entities(tracker: Tracker) -> dict[str, str]:
    """Entities of the latest message with a value: the first value of each kind, by kind."""
    found: dict[str, str] = {}
    for entity in (tracker.latest_message or {}).get("entities", []) or []:
        name, value = entity.get("entity"), entity.get("value")
        if name and str(name) not in found and value not in (None, ""):
            found[str(name)] = str(value)
    return found


def latest_entity(tracker: Tracker, name: str) -> str | None:
    """First value of entity `name` in the latest message."""
    return latest_entities(tracker).get(name)

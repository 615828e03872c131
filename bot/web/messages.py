"""Bot messages cleaned to the shapes the widget draws, before they leave the web app.

Everything stays plain text (the widget renders with textContent and its own small Markdown
subset); links keep only http(s) and mailto URLs; unknown custom payloads are dropped.
"""

from __future__ import annotations

import re
from typing import Any

MAX_TEXT = 20_000
MAX_FILE = 200_000
MAX_ITEMS = 30
_SAFE_URL = re.compile(r"^(https?://|mailto:)[^\s<>\"']+$", re.IGNORECASE)
_FILENAME = re.compile(r"[^\w.\- ]+")


def _text(value: Any, limit: int = MAX_TEXT) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def safe_url(value: Any) -> str | None:
    """`value` when it is an http(s) or mailto URL, else None."""
    return value if isinstance(value, str) and _SAFE_URL.match(value) else None


def _buttons(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        return []
    buttons = []
    for button in value[:MAX_ITEMS]:
        if isinstance(button, dict):
            title, payload = _text(button.get("title"), 300), _text(button.get("payload"), 2000)
            if title and payload:
                buttons.append({"title": title, "payload": payload})
    return buttons


def _link(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    url, title = safe_url(value.get("url")), _text(value.get("titre"), 300)
    return {"titre": title or url, "url": url} if url else None


def _card(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict) or value.get("type") not in {
        "obligations",
        "contacts",
        "sessions",
    }:
        return None
    elements = []
    for item in value.get("elements") or []:
        if isinstance(item, dict) and _text(item.get("titre")):
            elements.append(
                {
                    "titre": _text(item.get("titre"), 500),
                    "sous_titre": _text(item.get("sous_titre"), 500),
                    "texte": _text(item.get("texte"), 4000),
                    "lien": _link(item.get("lien")),
                    "boutons": _buttons(item.get("boutons")),
                }
            )
    remplace = [t for t in value.get("remplace") or [] if isinstance(t, str)]
    return {
        "type": value["type"],
        "titre": _text(value.get("titre"), 500) or "",
        "elements": elements[:MAX_ITEMS],
        "boutons": _buttons(value.get("boutons")),
        "remplace": remplace[:MAX_ITEMS],
    }


def _file(value: Any, default_mime: str) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    content = _text(value.get("content"), MAX_FILE)
    name = _FILENAME.sub("_", _text(value.get("filename"), 120) or "").strip(" .")
    if not content or not name:
        return None
    raw_mime = value.get("mime")
    mime = raw_mime if isinstance(raw_mime, str) else default_mime
    if not re.fullmatch(r"(text/plain|text/calendar)(; ?charset=utf-8)?", mime):
        mime = default_mime
    return {"filename": name, "mime": mime, "content": content}


def clean_message(message: dict[str, Any]) -> dict[str, Any] | None:
    """One Rasa message as `{text?, buttons?, carte?, fichier?}`; None when nothing is left."""
    out: dict[str, Any] = {}
    text = _text(message.get("text"))
    if text:
        out["text"] = text
    buttons = _buttons(message.get("buttons"))
    if buttons:
        out["buttons"] = buttons
    custom = message.get("custom")
    if isinstance(custom, dict):
        card = _card(custom.get("carte"))
        if card:
            out["carte"] = card
        download = _file(custom.get("fichier"), "text/plain; charset=utf-8") or _file(
            custom.get("ics"), "text/calendar; charset=utf-8"
        )
        if download:
            out["fichier"] = download
    return out or None


def clean_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages the widget can draw, in order."""
    return [m for m in (clean_message(raw) for raw in messages) if m]

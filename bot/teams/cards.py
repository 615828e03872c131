"""Rendering of the bot's messages as Teams activities (text and Adaptive Cards).

Input: the messages of one turn, as Rasa produces them (`text` with simple Markdown, optional
`buttons` [{title, payload}], optional `custom`). Known custom payloads: `carte` (a rich list:
obligations, contacts, sessions), `fichier` and `ics` (a file to keep).

Buttons become `Action.Submit` with a Teams `messageBack`: the user sees the title in the chat,
the bot receives the payload (`/intent{...}` strings unchanged) as the message text. The payload
is also in the submitted `value`, for clients that ignore `msteams`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from typing import Any

logger = logging.getLogger(__name__)

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.2"
"""1.2 is what every Teams client (desktop, web, mobile) renders; nothing newer is used."""

MAX_ACTIONS_PER_SET = 5
"""Teams shows at most 6 actions side by side; longer lists are cut into several rows."""

MAX_ACTIVITY_BYTES = 24 * 1024
"""Teams refuses messages above about 28 KB (attachments included)."""

_URL_SCHEMES = ("https://", "http://", "mailto:", "tel:")


def teams_markdown(text: str) -> str:
    """Rasa text → Teams Markdown. Teams ignores single line breaks: each line becomes one."""
    lines = text.replace("\r\n", "\n").strip().split("\n")
    return "\n\n".join(line.rstrip() for line in lines if line.strip())


def text_block(text: str, **style: Any) -> dict[str, Any]:
    """A wrapping TextBlock (Markdown subset: bold, links, lists)."""
    return {"type": "TextBlock", "text": teams_markdown(text), "wrap": True, **style}


def submit_action(button: dict[str, Any]) -> dict[str, Any] | None:
    """A Rasa button as an Action.Submit/messageBack (None if it has no title or payload)."""
    title = str(button.get("title") or "").strip()
    payload = str(button.get("payload") or "").strip()
    if not title or not payload:
        return None
    if button.get("type") == "web_url" or payload.startswith(_URL_SCHEMES):
        return open_url_action(title, payload)
    return {
        "type": "Action.Submit",
        "title": title,
        "data": {
            "msteams": {"type": "messageBack", "displayText": title, "text": payload},
            "payload": payload,
        },
    }


def open_url_action(title: str, url: str) -> dict[str, Any] | None:
    """An Action.OpenUrl, only for web, mail and phone links."""
    if not title or not url.startswith(_URL_SCHEMES):
        return None
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def _actions(buttons: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    actions = []
    for button in buttons:
        if isinstance(button, dict) and (action := submit_action(button)) is not None:
            actions.append(action)
    return actions


def action_sets(actions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Actions as ActionSets in the card body, at most `MAX_ACTIONS_PER_SET` per row."""
    return [
        {"type": "ActionSet", "actions": list(actions[i : i + MAX_ACTIONS_PER_SET])}
        for i in range(0, len(actions), MAX_ACTIONS_PER_SET)
    ]


def adaptive_card(body: list[dict[str, Any]], summary: str = "") -> dict[str, Any]:
    """Wrap a card body as a Bot Framework attachment."""
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if summary:
        content["fallbackText"] = summary
    return {"contentType": ADAPTIVE_CARD, "content": content}


def buttons_card(text: str, buttons: list[dict[str, Any]]) -> dict[str, Any]:
    """A message with buttons: its text, then clickable buttons."""
    body: list[dict[str, Any]] = [text_block(text)] if text.strip() else []
    body.extend(action_sets(_actions(buttons)))
    return adaptive_card(body, summary=text)


def carte_card(carte: dict[str, Any]) -> dict[str, Any]:
    """The `carte` payload (obligations, contacts, sessions) as one Adaptive Card."""
    titre = str(carte.get("titre") or "").strip()
    body: list[dict[str, Any]] = []
    if titre:
        body.append(text_block(titre, weight="Bolder", size="Medium"))
    elements = carte.get("elements") or []
    for element in elements:
        if isinstance(element, dict):
            body.append(_element_container(element, kind=str(carte.get("type") or "")))
    body.extend(action_sets(_actions(carte.get("boutons") or [])))
    return adaptive_card(body, summary=titre)


def _element_container(element: dict[str, Any], kind: str) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    if titre := str(element.get("titre") or "").strip():
        items.append(text_block(titre, weight="Bolder"))
    if sous_titre := str(element.get("sous_titre") or "").strip():
        items.append(text_block(sous_titre, isSubtle=True, spacing="None"))
    if texte := str(element.get("texte") or "").strip():
        items.append(text_block(texte))
    actions: list[dict[str, Any]] = []
    lien = element.get("lien")
    if isinstance(lien, dict):
        link = open_url_action(str(lien.get("titre") or ""), str(lien.get("url") or ""))
        if link is not None:
            actions.append(link)
    actions.extend(_actions(element.get("boutons") or []))
    items.extend(action_sets(actions))
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": items}


def file_card(name: str, content: str) -> dict[str, Any]:
    """A file the web widget offers as a download. A bot cannot attach a file to a Teams chat
    without a consent round-trip, so the card shows the content, folded, to copy."""
    return adaptive_card(
        [
            text_block(
                f"Fichier **{name}** : copiez son contenu ci-dessous dans un fichier portant "
                "ce nom pour le garder (par exemple pour l'ajouter à votre agenda).",
                isSubtle=True,
            ),
            {
                "type": "ActionSet",
                "actions": [
                    {
                        "type": "Action.ShowCard",
                        "title": "Afficher le contenu",
                        "card": {
                            "type": "AdaptiveCard",
                            "body": [
                                {
                                    "type": "TextBlock",
                                    "text": content,
                                    "wrap": True,
                                    "fontType": "Monospace",
                                    "size": "Small",
                                }
                            ],
                        },
                    }
                ],
            },
        ],
        summary=f"Fichier {name}",
    )


def _custom_card(custom: dict[str, Any]) -> dict[str, Any] | None:
    if isinstance(custom.get("carte"), dict):
        return carte_card(custom["carte"])
    for key in ("fichier", "ics"):
        file = custom.get(key)
        if isinstance(file, dict) and isinstance(file.get("content"), str):
            return file_card(str(file.get("filename") or "fichier.txt"), file["content"])
    logger.warning("Teams : charge utile personnalisée ignorée (%s)", sorted(custom))
    return None


def _message_activity(texts: list[str], cards: list[dict[str, Any]]) -> dict[str, Any]:
    activity: dict[str, Any] = {"type": "message", "textFormat": "markdown"}
    if texts:
        activity["text"] = "\n\n".join(teams_markdown(t) for t in texts)
    if cards:
        activity["attachments"] = cards
        activity["attachmentLayout"] = "list"
        summary = str(cards[0].get("content", {}).get("fallbackText") or "")
        if not texts and summary:
            # What Teams shows in notifications and the chat list for a card-only message.
            activity["summary"] = summary[:200]
    return activity


def render_turn(messages: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages of one turn as few Teams activities as sensible.

    Consecutive texts are joined; the texts before a card lead the activity that carries it;
    consecutive cards share one activity. A text after a card starts a new activity, so the
    reading order is kept. Activities too large for Teams are split, one card each.
    """
    messages = list(messages)
    # A `carte` names the texts of the turn it shows in full (`remplace`): they are not repeated.
    replaced = {
        str(text).strip()
        for m in messages
        if isinstance(m.get("custom"), dict) and isinstance(m["custom"].get("carte"), dict)
        for text in m["custom"]["carte"].get("remplace") or []
    }
    groups: list[tuple[list[str], list[dict[str, Any]]]] = []
    texts: list[str] = []
    cards: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal texts, cards
        if texts or cards:
            groups.append((texts, cards))
        texts, cards = [], []

    for message in messages:
        text = str(message.get("text") or "").strip()
        buttons = message.get("buttons") or []
        custom = message.get("custom")
        if text and text in replaced and not custom:
            continue
        rendered: list[dict[str, Any]] = []
        if buttons:
            rendered.append(buttons_card(text, list(buttons)))
        elif text:
            if cards:
                flush()
            texts.append(text)
        if isinstance(custom, dict) and (card := _custom_card(custom)) is not None:
            rendered.append(card)
        image = message.get("image")
        if isinstance(image, str) and image.startswith("https://"):
            rendered.append(adaptive_card([{"type": "Image", "url": image}]))
        cards.extend(rendered)
    flush()

    activities: list[dict[str, Any]] = []
    for group_texts, group_cards in groups:
        activity = _message_activity(group_texts, group_cards)
        if len(group_cards) > 1 and _size(activity) > MAX_ACTIVITY_BYTES:
            activities.append(_message_activity(group_texts, group_cards[:1]))
            activities.extend(_message_activity([], [card]) for card in group_cards[1:])
        else:
            activities.append(activity)
    return activities


def _size(activity: dict[str, Any]) -> int:
    return len(json.dumps(activity, ensure_ascii=False).encode())

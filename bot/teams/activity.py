"""Reading the activities Teams posts to the bot: envelope checks, mentions, card submissions."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

MAX_BODY_BYTES = 256 * 1024
"""Teams messages are limited to about 28 KB; anything much larger is not a real activity."""

MAX_TEXT_CHARS = 5000


class MalformedActivity(ValueError):
    """The body is not a Bot Framework activity: answer 400, process nothing."""


@dataclass(frozen=True)
class Activity:
    """The fields of an activity the bot uses (the rest stays in `raw`)."""

    type: str
    service_url: str
    channel_id: str
    conversation_id: str
    from_id: str
    recipient_id: str
    id: str | None = None
    from_name: str | None = None
    aad_object_id: str | None = None
    recipient_name: str | None = None
    conversation_type: str | None = None
    tenant_id: str | None = None
    locale: str | None = None
    text: str = ""
    value: Any = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    members_added: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def _required_str(data: dict[str, Any], key: str, where: str = "") -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise MalformedActivity(f"champ {where}{key} absent ou invalide")
    return value


def _optional_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _object(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise MalformedActivity(f"champ {key} absent ou invalide")
    return value


def parse_activity(body: bytes) -> Activity:
    """Check and read one activity; raise `MalformedActivity` if it is not one."""
    if len(body) > MAX_BODY_BYTES:
        raise MalformedActivity("activité trop volumineuse")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedActivity("corps JSON illisible") from error
    if not isinstance(data, dict):
        raise MalformedActivity("l'activité doit être un objet JSON")
    service_url = _required_str(data, "serviceUrl")
    if not service_url.startswith(("https://", "http://")):
        raise MalformedActivity("serviceUrl doit être une URL http(s)")
    conversation = _object(data, "conversation")
    sender = _object(data, "from")
    recipient = _object(data, "recipient")
    text = data.get("text", "")
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise MalformedActivity("champ text invalide")
    entities = data.get("entities") or []
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise MalformedActivity("champ entities invalide")
    members = data.get("membersAdded") or []
    if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
        raise MalformedActivity("champ membersAdded invalide")
    channel_data = data.get("channelData")
    tenant = channel_data.get("tenant") if isinstance(channel_data, dict) else None
    if not isinstance(tenant, dict):
        tenant = {}
    return Activity(
        type=_required_str(data, "type"),
        service_url=service_url,
        channel_id=_required_str(data, "channelId"),
        conversation_id=_required_str(conversation, "id", "conversation."),
        from_id=_required_str(sender, "id", "from."),
        recipient_id=_required_str(recipient, "id", "recipient."),
        id=_optional_str(data, "id"),
        from_name=_optional_str(sender, "name"),
        aad_object_id=_optional_str(sender, "aadObjectId"),
        recipient_name=_optional_str(recipient, "name"),
        conversation_type=_optional_str(conversation, "conversationType"),
        tenant_id=_optional_str(tenant, "id") or _optional_str(conversation, "tenantId"),
        locale=_optional_str(data, "locale"),
        text=text,
        value=data.get("value"),
        entities=entities,
        members_added=[str(m["id"]) for m in members if isinstance(m.get("id"), str)],
        raw=data,
    )


_AT_TAG = re.compile(r"<at[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\u00a0\u202f]+")


def strip_mentions(activity: Activity, bot_name: str | None = None) -> str:
    """The user's text without the mention of the bot (and the bot's name in front).

    Teams writes a mention as `<at>Name</at>` in the text, with an entity of type `mention`
    naming who is mentioned. The bot's own mentions are removed; other people's keep their
    name as plain text.
    """
    bot_mentions = set()
    for entity in activity.entities:
        mentioned = entity.get("mentioned")
        if (
            entity.get("type") == "mention"
            and isinstance(mentioned, dict)
            and mentioned.get("id") == activity.recipient_id
            and isinstance(entity.get("text"), str)
        ):
            bot_mentions.add(entity["text"])
    text = activity.text
    for mention in bot_mentions:
        text = text.replace(mention, " ")
    names = {n for n in (activity.recipient_name, bot_name) if n}

    def _keep_or_drop(match: re.Match[str]) -> str:
        inner = match.group(1).strip()
        return " " if inner in names else f" {inner} "

    text = _AT_TAG.sub(_keep_or_drop, text)
    # A pasted or formatted message may arrive with HTML tags and entities.
    text = html.unescape(_TAG.sub(" ", text))
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())
    text = text.strip()
    for name in sorted(names, key=len, reverse=True):
        if text.lower().startswith(name.lower()):
            text = text[len(name) :].lstrip(" ,:;-–").strip()
    return text[:MAX_TEXT_CHARS]


def user_text(activity: Activity, bot_name: str | None = None) -> str | None:
    """What the user said: the cleaned text, or the payload of a submitted card button.

    An `Action.Submit` (or a `messageBack` without text) posts its `data` as the activity's
    `value`; our cards put the Rasa payload under `payload`. None when there is nothing to read.
    """
    text = strip_mentions(activity, bot_name)
    if text:
        return text
    value = activity.value
    if isinstance(value, dict):
        for key in ("payload", "text", "message"):
            candidate = value.get(key)
            if isinstance(candidate, str) and candidate.strip():
                return candidate.strip()[:MAX_TEXT_CHARS]
    if isinstance(value, str) and value.strip():
        return value.strip()[:MAX_TEXT_CHARS]
    return None

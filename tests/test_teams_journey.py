"""Teams end to end: the trained model and the action server behind the Teams webhook, the
Bot Framework faked on 127.0.0.1. A buyer asks for help and books by clicking card buttons."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage

from bot.teams.auth import SigningKeys, TokenValidator
from bot.teams.connector import ConnectorClient
from bot.teams.webhook import IncomingMessage, TeamsWebhook
from channels.teams import TeamsCollector
from tests.bot.teams.fake_bot_framework import (
    FakeBotFramework,
    activity,
    claims,
    jwk,
    new_key,
    sign,
)
from tests.conversation import Bot, running_bot

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    yield from running_bot(tmp_path_factory.mktemp("teams"))


def submit_actions(activity_: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Action.Submit of the activity's cards."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(activity_.get("attachments", []))
    return found


def test_a_buyer_clicks_through_the_help_card_in_teams(bot: Bot) -> None:
    async def scenario() -> list[dict[str, Any]]:
        key = new_key()
        fake = FakeBotFramework(keys=[jwk(key, "k")])
        await fake.start()
        settings = fake.settings()
        webhook = TeamsWebhook(
            settings,
            validator=TokenValidator(settings.app_id, SigningKeys(settings.openid_metadata_url)),
            client=ConnectorClient(settings),
        )

        async def to_rasa(message: IncomingMessage) -> list[dict[str, Any]]:
            collector = TeamsCollector()
            await bot.agent.handle_message(
                UserMessage(message.text, collector, "teams-e2e", input_channel="teams")
            )
            return list(collector.messages)

        async def say(**fields: Any) -> dict[str, Any]:
            before = len(fake.messages())
            token = "Bearer " + sign(key, "k", claims(fake.service_url))
            data = json.dumps(activity(fake.service_url, **fields)).encode()
            assert (await webhook.handle(token, data, to_rasa)).status == 202
            await webhook.drain()
            replies = fake.messages()[before:]
            assert replies, "aucune réponse"
            # The turn as the buyer reads it: all texts, all cards (a turn may take two activities).
            return {
                "text": "\n".join(r.get("text", "") for r in replies),
                "attachments": [a for r in replies for a in r.get("attachments", [])],
            }

        try:
            help_reply = await say(text="<at>Assistant Achats Durables</at> aide")
            actions = submit_actions(help_reply)
            spaser = next(a for a in actions if "SPASER" in a["title"])
            # The click: Teams posts the messageBack text (the Rasa payload, unchanged).
            sessions_reply = await say(text=spaser["data"]["msteams"]["text"], value=spaser["data"])
            first = submit_actions(sessions_reply)[0]["data"]
            # A client that ignores `msteams` posts only the value: it is read as the message.
            name_reply = await say(text="", value={"payload": first["payload"]})
            return [help_reply, sessions_reply, name_reply]
        finally:
            await webhook.client.close()
            await fake.close()

    help_reply, sessions_reply, name_reply = bot.loop.run_until_complete(scenario())
    titles = [a["title"] for a in submit_actions(help_reply)]
    assert "Trouver un guichet vert" in titles
    # The SPASER sessions come back as clickable buttons whose payloads Rasa understands.
    session_buttons = submit_actions(sessions_reply)
    assert session_buttons, sessions_reply
    assert all(b["data"]["msteams"]["text"].startswith("/choose_session") for b in session_buttons)
    # The session chosen by a click, the booking goes on (the bot asks who is booking).
    assert "prénom et nom" in name_reply["text"], name_reply

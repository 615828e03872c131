"""The Rasa adapter of the Teams channel, served by Sanic on 127.0.0.1 with a fake Rasa."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from rasa.core.channels.channel import UserMessage

from bot.teams.auth import SigningKeys, TokenValidator
from bot.teams.connector import ConnectorClient
from bot.teams.webhook import TeamsWebhook
from channels.teams import TeamsInput
from tests.bot.teams.conftest import KID
from tests.bot.teams.fake_bot_framework import FakeBotFramework, activity, claims, sign

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(autouse=True)
def sanic_test_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sanic 21.12 rewrites its request methods when a server starts; in test mode it keeps
    the originals, so that several servers can start in one process."""
    from sanic import Sanic

    monkeypatch.setattr(Sanic, "test_mode", True)


@pytest.fixture
def no_teams_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TEAMS_APP_ID", "TEAMS_APP_PASSWORD", "TEAMS_TENANT_ID"):
        monkeypatch.delenv(name, raising=False)


def test_credentials_yml_builds_rest_socketio_and_teams_without_teams_settings(
    no_teams_env: None,
) -> None:
    from rasa.core.run import create_http_input_channels

    channels = create_http_input_channels(None, "credentials.yml")
    assert sorted(c.name() for c in channels) == ["rest", "socketio", "teams"]
    teams = next(c for c in channels if c.name() == "teams")
    assert not teams.settings.configured


async def serve(channel: TeamsInput, on_new_message: OnNewMessage) -> AsyncIterator[str]:
    from rasa.core.channels.channel import register
    from sanic import Sanic

    app = Sanic(f"teams_test_{free_port()}", configure_logging=False)
    app.ctx.agent = FakeAgent(on_new_message)  # what rasa.core.channels.register calls
    register([channel], app, route="/webhooks/")
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.start_serving()
    try:
        yield f"http://127.0.0.1:{port}/webhooks/teams"
    finally:
        await channel.webhook.drain()
        await channel.webhook.client.close()
        server.close()
        await server.wait_closed()


class FakeAgent:
    """Stands for Rasa's Agent: `handle_message` is what the channel's handler calls."""

    def __init__(self, on_new_message: OnNewMessage) -> None:
        self.handle_message = on_new_message


async def fake_rasa(message: UserMessage) -> None:
    """Answers like Rasa: through the output channel it is given."""
    assert message.input_channel == "teams"
    await message.output_channel.send_response(
        message.sender_id,
        {
            "text": f"Vous avez dit : {message.text}",
            "buttons": [{"title": "Aide", "payload": "/help"}],
        },
    )


async def test_a_message_through_sanic_is_answered_with_a_card(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    settings = fake.settings()
    channel = TeamsInput(
        settings,
        TeamsWebhook(
            settings,
            validator=TokenValidator(settings.app_id, SigningKeys(settings.openid_metadata_url)),
            client=ConnectorClient(settings),
        ),
    )
    seen: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        seen.append(message)
        await fake_rasa(message)

    token = sign(key, KID, claims(fake.service_url))
    data = activity(
        fake.service_url,
        text="<at>Assistant Achats Durables</at> bonjour",
        entities=[
            {
                "type": "mention",
                "text": "<at>Assistant Achats Durables</at>",
                "mentioned": {"id": activity(fake.service_url)["recipient"]["id"]},
            }
        ],
    )
    async for url in serve(channel, on_new_message):
        async with aiohttp.ClientSession() as http:
            async with http.get(url + "/") as health:
                assert (await health.json())["configured"] is True
            async with http.post(url + "/webhook", data=json.dumps(data)) as refused:
                assert refused.status == 401
            async with http.post(
                url + "/webhook",
                data=b"{cass",
                headers={"Authorization": f"Bearer {token}"},
            ) as malformed:
                assert malformed.status == 400
            async with http.post(
                url + "/webhook",
                data=json.dumps(data),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            ) as accepted:
                assert accepted.status == 202
        await channel.webhook.drain()

    assert [m.text for m in seen] == ["bonjour"]
    assert seen[0].sender_id == "29:utilisatrice"
    (reply,) = fake.messages()
    card = reply["attachments"][0]["content"]
    assert card["body"][0]["text"] == "Vous avez dit : bonjour"
    assert card["body"][1]["actions"][0]["data"]["msteams"]["text"] == "/help"


async def test_without_settings_the_channel_refuses_and_calls_nothing(
    no_teams_env: None, fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    channel = TeamsInput.from_credentials(None)
    seen: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        seen.append(message)

    token = sign(key, KID, claims(fake.service_url, aud=""))
    async for url in serve(channel, on_new_message):
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                url + "/webhook",
                data=json.dumps(activity(fake.service_url)),
                headers={"Authorization": f"Bearer {token}"},
            ) as answer,
        ):
            assert answer.status == 401
    assert seen == [] and fake.key_fetches == 0

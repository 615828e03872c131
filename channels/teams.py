"""`channels.teams.TeamsInput`: Microsoft Teams for Rasa, in place of Rasa's `botframework`.

A thin adapter: `bot.teams.webhook.TeamsWebhook` checks the token and the activity, answers
Teams at once and posts the replies; this module only plugs it into Sanic and Rasa. Settings
come from the `TEAMS_*` environment variables (docs/teams.md); without them the channel
refuses every request and the other channels run as usual.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.teams.settings import TeamsSettings
from bot.teams.webhook import IncomingMessage, TeamsWebhook

logger = logging.getLogger(__name__)


class TeamsCollector(CollectingOutputChannel):
    """Collects one turn's messages; the webhook renders and sends them together."""

    @classmethod
    def name(cls) -> str:
        """Rasa's name for the channel (same as the input channel)."""
        return "teams"


class TeamsInput(InputChannel):
    """Teams webhook at `/webhooks/teams/webhook`."""

    @classmethod
    def name(cls) -> str:
        """Rasa's name for the channel: the URL is `/webhooks/teams/webhook`."""
        return "teams"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TeamsInput:
        """Settings come from the environment, not credentials.yml (no secret in the repo)."""
        if credentials:
            logger.warning(
                "Canal Teams : réglages de credentials.yml ignorés (%s) ; utilisez les "
                "variables TEAMS_* (docs/teams.md).",
                ", ".join(sorted(credentials)),
            )
        return cls(TeamsSettings.from_env())

    def __init__(self, settings: TeamsSettings, webhook: TeamsWebhook | None = None) -> None:
        self.settings = settings
        self.webhook = webhook or TeamsWebhook(settings)
        if not settings.configured:
            logger.warning(
                "Canal Teams : TEAMS_APP_ID ou TEAMS_APP_PASSWORD absent, toutes les requêtes "
                "seront refusées (voir docs/teams.md)."
            )

    async def handle_request(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """Answer one POST from the Bot Framework."""

        async def to_rasa(message: IncomingMessage) -> list[dict[str, Any]]:
            collector = TeamsCollector()
            await on_new_message(
                UserMessage(
                    text=message.text,
                    output_channel=collector,
                    sender_id=message.sender_id,
                    input_channel=self.name(),
                    metadata=message.metadata,
                )
            )
            return list(collector.messages)

        result = await self.webhook.handle(
            request.headers.get("Authorization"), request.body or b"", to_rasa
        )
        return response.text(result.text, status=result.status)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The Sanic routes: `GET /` (health) and `POST /webhook`."""
        teams_webhook = Blueprint("teams_webhook", __name__)

        @teams_webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.settings.configured})

        @teams_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.handle_request(request, on_new_message)

        @teams_webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.webhook.drain()
            await self.webhook.client.close()

        return teams_webhook

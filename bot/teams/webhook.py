"""The Teams webhook, independent of Rasa: check, answer fast, reply in the background.

`TeamsWebhook.handle()` takes the `Authorization` header and the raw body of a request from the
Bot Framework and returns the HTTP status to answer at once. Messages are handed to a
`MessageHandler` (Rasa, in `channels/teams.py`; a fake in the tests) in a background task, and
its answers are posted to the conversation's Bot Connector, so Teams gets its 202 well within
its 15 seconds whatever the model takes.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.teams.activity import Activity, MalformedActivity, parse_activity, user_text
from bot.teams.auth import KeysUnavailable, SigningKeys, TokenValidator, Unauthorized
from bot.teams.cards import buttons_card, render_turn
from bot.teams.connector import ConnectorClient, ConnectorError
from bot.teams.settings import TeamsSettings

logger = logging.getLogger(__name__)

WELCOME_TEXT = (
    "Bonjour ! Je suis l'Assistant Achats Durables. Je vous aide à connaître vos obligations "
    "d'achat durable, à trouver un facilitateur ou un guichet vert près de chez vous et à vous "
    "inscrire à la mission SPASER. Mes réponses sont des informations, pas un conseil "
    "juridique. Que souhaitez-vous faire ?"
)
WELCOME_BUTTONS = [
    {"title": "Mes obligations d'achat durable", "payload": "/ask_obligations"},
    {"title": "Trouver un facilitateur", "payload": "/find_facilitator"},
    {"title": "Trouver un guichet vert", "payload": "/find_green_desk"},
    {"title": "Sessions SPASER", "payload": "/book_spaser"},
]
"""The same intents as `utter_help` in domain/core.yml."""

SORRY_TEXT = (
    "Désolé, je n'ai pas pu traiter votre message à cause d'un problème technique. "
    "Pouvez-vous réessayer dans un instant ?"
)


@dataclass(frozen=True)
class IncomingMessage:
    """A user's message, cleaned, for the conversation engine."""

    text: str
    sender_id: str
    activity: Activity
    metadata: dict[str, Any] = field(default_factory=dict)


MessageHandler = Callable[[IncomingMessage], Awaitable[list[dict[str, Any]]]]
"""Takes a message, returns the bot's messages for that turn (Rasa's dicts)."""


@dataclass(frozen=True)
class WebhookResponse:
    """What to answer the Bot Framework."""

    status: int
    text: str = ""


class TeamsWebhook:
    """Checks each request, answers at once, and replies in a background task."""

    def __init__(
        self,
        settings: TeamsSettings,
        *,
        validator: TokenValidator | None = None,
        client: ConnectorClient | None = None,
        welcome_memory: int = 10_000,
    ) -> None:
        self.settings = settings
        self.validator = validator or TokenValidator(
            settings.app_id if settings.configured else "",
            SigningKeys(settings.openid_metadata_url),
        )
        self.client = client or ConnectorClient(settings)
        self._tasks: set[asyncio.Task[None]] = set()
        self._welcomed: OrderedDict[str, None] = OrderedDict()
        self._welcome_memory = welcome_memory

    async def handle(
        self, authorization: str | None, body: bytes, handler: MessageHandler
    ) -> WebhookResponse:
        """Check and dispatch one request; return the status to answer now."""
        if not self.settings.configured:
            logger.warning("Teams : requête refusée, TEAMS_APP_ID/TEAMS_APP_PASSWORD non réglés")
            return WebhookResponse(401, "Canal Teams non configuré.")
        activity: Activity | None = None
        malformed: MalformedActivity | None = None
        try:
            activity = parse_activity(body)
        except MalformedActivity as error:
            malformed = error
        try:
            await self.validator.validate(
                authorization,
                activity.service_url if activity else None,
                activity.channel_id if activity else "msteams",
            )
        except Unauthorized as error:
            logger.warning("Teams : requête refusée (401) : %s", error)
            return WebhookResponse(401, "Jeton refusé.")
        except KeysUnavailable as error:
            logger.error("Teams : clés de Microsoft indisponibles : %s", error)
            return WebhookResponse(503, "Clés de validation indisponibles.")
        if activity is None:
            logger.warning("Teams : activité malformée (400) : %s", malformed)
            return WebhookResponse(400, f"Activité invalide : {malformed}")
        if not self._service_url_allowed(activity.service_url):
            logger.warning("Teams : serviceUrl non autorisé : %s", activity.service_url)
            return WebhookResponse(401, "serviceUrl non autorisé.")
        if activity.channel_id not in self.settings.allowed_channels:
            logger.warning("Teams : canal non autorisé : %s", activity.channel_id)
            return WebhookResponse(403, "Canal non autorisé.")
        tenants = self.settings.allowed_tenants
        if tenants and activity.tenant_id not in tenants:
            logger.warning("Teams : locataire non autorisé : %s", activity.tenant_id)
            return WebhookResponse(403, "Locataire non autorisé.")

        if activity.type == "message":
            text = user_text(activity, self.settings.bot_name)
            if text is None:
                return WebhookResponse(200)
            message = IncomingMessage(
                text=text,
                sender_id=activity.from_id,
                activity=activity,
                metadata=_metadata(activity),
            )
            self._spawn(self._answer(message, handler))
            return WebhookResponse(202)
        if activity.type == "conversationUpdate" and self._bot_was_added(activity):
            self._spawn(self._welcome(activity))
            return WebhookResponse(202)
        return WebhookResponse(200)

    async def drain(self) -> None:
        """Wait for the replies in progress (tests, shutdown)."""
        while pending := [task for task in self._tasks if not task.done()]:
            await asyncio.gather(*pending, return_exceptions=True)

    def _service_url_allowed(self, service_url: str) -> bool:
        prefixes = self.settings.service_url_prefixes
        return not prefixes or service_url.startswith(prefixes)

    def _bot_was_added(self, activity: Activity) -> bool:
        if activity.recipient_id not in activity.members_added:
            return False
        if activity.conversation_id in self._welcomed:
            return False  # a redelivered event: welcome once
        self._welcomed[activity.conversation_id] = None
        while len(self._welcomed) > self._welcome_memory:
            self._welcomed.popitem(last=False)
        return True

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _welcome(self, activity: Activity) -> None:
        card = buttons_card(WELCOME_TEXT, WELCOME_BUTTONS)
        await self._post(
            activity, [{"type": "message", "textFormat": "markdown", "attachments": [card]}]
        )

    async def _answer(self, message: IncomingMessage, handler: MessageHandler) -> None:
        activity = message.activity
        try:
            await self.client.send_activity(
                activity.service_url,
                activity.conversation_id,
                self._address(activity, {"type": "typing"}),
                retry=False,
            )
        except ConnectorError as error:
            logger.info("Teams : indicateur de saisie non envoyé : %s", error)
        try:
            messages = await handler(message)
        except Exception:
            logger.exception("Teams : le traitement du message a échoué")
            messages = [{"text": SORRY_TEXT}]
        await self._post(activity, render_turn(messages))

    async def _post(self, activity: Activity, replies: list[dict[str, Any]]) -> None:
        for reply in replies:
            try:
                await self.client.send_activity(
                    activity.service_url, activity.conversation_id, self._address(activity, reply)
                )
            except ConnectorError as error:
                logger.error("Teams : réponse perdue (%s) : %s", activity.conversation_id, error)
                return
            except Exception:
                logger.exception("Teams : réponse non envoyée à %s", activity.conversation_id)
                return

    @staticmethod
    def _address(activity: Activity, reply: dict[str, Any]) -> dict[str, Any]:
        addressed = dict(reply)
        addressed["from"] = {"id": activity.recipient_id, "name": activity.recipient_name or ""}
        addressed["recipient"] = {"id": activity.from_id, "name": activity.from_name or ""}
        addressed["conversation"] = {"id": activity.conversation_id}
        if activity.id:
            addressed["replyToId"] = activity.id
        if activity.locale:
            addressed.setdefault("locale", activity.locale)
        return addressed


def _metadata(activity: Activity) -> dict[str, Any]:
    return {
        "teams": {
            "conversation_id": activity.conversation_id,
            "conversation_type": activity.conversation_type,
            "tenant_id": activity.tenant_id,
            "aad_object_id": activity.aad_object_id,
            "user_name": activity.from_name,
            "value": activity.value,
        }
    }

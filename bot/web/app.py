"""The Starlette app: demo ministry page (DSFR) with the chat widget, and the chat API.

`POST /api/chat {"message": "…"}` verifies the signed conversation cookie, relays the message to
Rasa under that id (the client never names the sender) and returns the bot's messages, cleaned
to the shapes the widget draws. Same-origin only: no CORS headers, a foreign `Origin` is
refused, and the cookie is HttpOnly and SameSite=Lax.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.paths import VAR_DIR
from bot.settings import get_settings
from bot.web.console import Console, console_routes, held_answer
from bot.web.http import SafeJSONResponse, read_json, same_origin
from bot.web.messages import clean_messages
from bot.web.rasa_client import RasaRestClient, RasaTimeout, RasaUnavailable, Relay
from bot.web.signing import load_secret, mint_id, sign, verify

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
COOKIE = "aad_conversation"
MAX_MESSAGE_CHARS = 2000
MAX_BODY_BYTES = 16_000

TOO_LONG = "Votre message est trop long : 2\u202f000 caractères au maximum. Raccourcissez-le."
EMPTY = "Votre message est vide : écrivez votre question."
BAD_REQUEST = "Requête invalide : envoyez un message texte."
BAD_SESSION = "Votre session de discussion n'est plus valide. Rechargez la page pour en ouvrir une."
FOREIGN_ORIGIN = "Requête refusée : elle ne vient pas de ce site."
RASA_DOWN = (
    "L'assistant est momentanément indisponible. Votre message n'est pas perdu : "
    "nouvelle tentative dans quelques secondes."
)
TOO_SLOW = (
    "L'assistant met trop de temps à répondre. Votre message a peut-être été reçu : "
    "patientez un instant, puis reposez votre question si rien ne s'affiche."
)
NO_ANSWER = (
    "Je n'ai pas pu préparer de réponse cette fois-ci. Reformulez votre question, ou écrivez "
    "« parler à un conseiller »."
)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'self'"
)


@dataclass(frozen=True)
class WebConfig:
    """Settings of the web app. `from_env()` reads them; tests build their own."""

    secret: bytes
    rasa_url: str
    cookie_max_age_s: int = 7 * 24 * 3600
    secure_cookie: bool = False

    @classmethod
    def from_env(cls) -> WebConfig:
        """`WEB_SECRET` (or var/web_secret), `RASA_URL` (default: localhost on `RASA_PORT`),
        `WEB_COOKIE_SECURE=1` behind HTTPS."""
        rasa_url = os.environ.get("RASA_URL") or f"http://127.0.0.1:{get_settings().rasa_port}"
        return cls(
            secret=load_secret(VAR_DIR),
            rasa_url=rasa_url,
            secure_cookie=os.environ.get("WEB_COOKIE_SECURE", "") == "1",
        )


def _error(message: str, status: int, retry: bool = False) -> SafeJSONResponse:
    return SafeJSONResponse({"erreur": message, "reessayer": retry}, status_code=status)


class SecurityHeaders:
    """Adds CSP, nosniff, referrer and framing headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"SAMEORIGIN"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def fingerprint(conversation_id: str) -> str:
    """A public, non-reversible handle of the conversation: the widget keys its saved history
    with it, so a new conversation never shows an old one's messages."""
    return hashlib.sha256(conversation_id.encode()).hexdigest()[:16]


def create_app(
    config: WebConfig | None = None, relay: Relay | None = None, console: Console | None = None
) -> Starlette:
    """Build the app; `relay` sends a message to Rasa (a fake in tests); `console` configures
    the hotline console (bot/web/console: database, triage parser, session lengths)."""
    config = config or WebConfig.from_env()
    send_to_rasa: Relay = relay or RasaRestClient(config.rasa_url)
    console = console or Console.from_env()
    templates = Jinja2Templates(directory=str(HERE / "templates"))

    def conversation_of(request: Request) -> str | None:
        return verify(request.cookies.get(COOKIE), config.secret, config.cookie_max_age_s)

    def set_cookie(response: Response, conversation_id: str) -> None:
        response.set_cookie(
            COOKIE,
            sign(conversation_id, config.secret),
            max_age=config.cookie_max_age_s,
            httponly=True,
            samesite="lax",
            secure=config.secure_cookie,
            path="/",
        )

    async def page(request: Request) -> Response:
        conversation_id = conversation_of(request)
        fresh = conversation_id is None
        if conversation_id is None:
            conversation_id = mint_id()
        response = templates.TemplateResponse(
            request,
            "index.html",
            {"conversation": fingerprint(conversation_id), "max_chars": MAX_MESSAGE_CHARS},
        )
        response.headers["cache-control"] = "no-store"
        if fresh:
            set_cookie(response, conversation_id)
        return response

    async def chat(request: Request) -> Response:
        if not same_origin(request):
            return _error(FOREIGN_ORIGIN, 403)
        conversation_id = conversation_of(request)
        if conversation_id is None:
            return _error(BAD_SESSION, 403)
        body = await read_json(request, MAX_BODY_BYTES)
        if body.refused is not None:
            return _error(TOO_LONG if body.refused == 413 else BAD_REQUEST, body.refused)
        data = body.data
        message = data.get("message") if isinstance(data, dict) else None
        if not isinstance(message, str):
            return _error(BAD_REQUEST, 400)
        message = message.strip()
        if not message:
            return _error(EMPTY, 400)
        if len(message) > MAX_MESSAGE_CHARS:
            return _error(TOO_LONG, 413)
        try:
            answer = await send_to_rasa(conversation_id, message)
        except RasaTimeout:
            logger.warning("Rasa n'a pas répondu à temps")
            return _error(TOO_SLOW, 504)
        except RasaUnavailable as error:
            logger.warning("Rasa indisponible : %s", error)
            return _error(RASA_DOWN, 503, retry=True)
        messages = (
            clean_messages(answer)
            or await held_answer(conversation_id, console)
            or [{"text": NO_ANSWER}]
        )
        return SafeJSONResponse({"messages": messages})

    async def new_conversation(request: Request) -> Response:
        if not same_origin(request):
            return _error(FOREIGN_ORIGIN, 403)
        conversation_id = mint_id()
        response = SafeJSONResponse({"conversation": fingerprint(conversation_id)})
        set_cookie(response, conversation_id)
        return response

    async def health(request: Request) -> Response:
        return SafeJSONResponse({"statut": "ok"})

    routes = [
        Route("/", page),
        Route("/api/chat", chat, methods=["POST"]),
        Route("/api/chat/nouvelle", new_conversation, methods=["POST"]),
        Route("/sante", health),
        *console_routes(config, conversation_of, console),
        Mount("/static", StaticFiles(directory=str(HERE / "static"), check_dir=False)),
    ]
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])

"""The hotline console (`/hotline`), the triage API (`POST /api/triage`) and the widget's poll
for agent replies (`POST /api/chat/nouveaux`).

Nothing under /hotline answers without a valid session: pages redirect to the login form, and
`/api/triage` answers 401 (HTTP Basic or the console's session + its CSRF header). Every form
POST checks the Origin and a synchronizer token bound to the session. Database calls and the
NLU run in worker threads, off the event loop. Templates autoescape every value.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from bot.analytics import Report, build_report, read_events, since_days, to_csv
from bot.booking.models import utc_now
from bot.engine import get_engine
from bot.hotline import accounts, tickets
from bot.hotline.summary import AUTHOR_LABELS
from bot.paths import ROOT
from bot.territory import load_territories
from bot.web.console.sessions import LOGIN_COOKIE, SESSION_COOKIE, ConsoleSession, SessionSigner
from bot.web.console.triage_service import TriageService, clean_text
from bot.web.http import read_json, safe_json, same_origin

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
MAX_FORM_BYTES = 32_000
AGENT_PREFIX = "Conseiller de la hotline : "
"""Same prefix as actions/relay_to_hotline.py, so a reply reads the same on every channel."""

LOGIN_FAILED = (
    "Identifiant ou mot de passe incorrect, ou compte bloqué pour quelques minutes après "
    "plusieurs échecs."
)
LOGIN_FORM_EXPIRED = "Le formulaire de connexion a expiré : saisissez à nouveau vos identifiants."
EXPIRED = "Votre session a expiré : reconnectez-vous."
LOGGED_OUT = "Vous êtes déconnecté."
BAD_CSRF = "Jeton de sécurité absent ou invalide : rechargez la page puis recommencez."
FOREIGN_ORIGIN = "Requête refusée : elle ne vient pas de ce site."
UNAUTHORIZED = "Authentification requise : un compte de la hotline est nécessaire."
BAD_JSON = 'Requête invalide : envoyez {"texte": "…"} en JSON.'
TOO_BIG = "Requête trop volumineuse."
BAD_SESSION = "Votre session de discussion n'est plus valide. Rechargez la page pour en ouvrir une."
TRIAGE_FAILED = "Le tri n'a pas pu être fait (modèle indisponible). Réessayez dans un instant."
ADMIN_ONLY = "Cette page est réservée à l'équipe du programme (rôle « admin »)."

STATUS_LABELS = {"open": "En attente", "taken": "Pris en charge", "closed": "Clos"}
STATUS_BADGES = {"open": "fr-badge--warning", "taken": "fr-badge--info", "closed": ""}
DONE_NOTICES = {
    "pris": "Ticket pris en charge.",
    "repondu": "Réponse envoyée : l'usager la voit dans sa conversation.",
    "clos": "Ticket clos : l'assistant reprend la conversation.",
}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.isdigit() else default


@dataclass
class Console:
    """What the console needs besides the web app's config; tests build their own."""

    database_url: str | None = None
    triage: TriageService = field(default_factory=TriageService)
    idle_s: int = 30 * 60
    absolute_s: int = 10 * 3600
    tracker_url: str = f"sqlite:///{ROOT / 'var' / 'tracker.db'}"
    """Rasa's SQL tracker store, read by the analytics page."""
    stats_days: int = 30

    @classmethod
    def from_env(cls) -> Console:
        """`DATABASE_URL` (through the settings), `HOTLINE_IDLE_S`, `HOTLINE_MAX_S`,
        `TRACKER_DB_URL` or `TRACKER_DB` (the SQLite file `make run` gives Rasa)."""
        tracker = os.environ.get("TRACKER_DB_URL") or (
            f"sqlite:///{ROOT / os.environ.get('TRACKER_DB', 'var/tracker.db')}"
        )
        return cls(
            idle_s=_env_int("HOTLINE_IDLE_S", 30 * 60),
            absolute_s=_env_int("HOTLINE_MAX_S", 10 * 3600),
            tracker_url=tracker,
        )


def age_label(created: datetime, now: datetime) -> str:
    """« 5 min », « 2 h 10 », « 3 j »: how long a ticket has waited."""
    minutes = max(0, int((now - created).total_seconds() // 60))
    if minutes < 1:
        return "moins d'1 min"
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {rest:02d}"
    return f"{hours // 24} j"


def _error(message: str, status: int, headers: Mapping[str, str] | None = None) -> Response:
    return safe_json({"erreur": message}, status, headers)


async def read_form(request: Request) -> dict[str, str] | None:
    """An urlencoded form's fields (first value of each); None when it is not one or too big."""
    if request.headers.get("content-type", "").split(";")[0].strip() != (
        "application/x-www-form-urlencoded"
    ):
        return None
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return None
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        return None
    return {key: values[0] for key, values in fields.items()}


RELAYED = (
    "Message transmis au conseiller de la hotline : sa réponse s'affichera ici, sans que vous "
    "ayez à écrire."
)


async def held_answer(conversation_id: str, console: Console) -> list[dict[str, str]]:
    """What the widget shows when Rasa said nothing: while the hotline holds the conversation the
    bot is silent on purpose (the message went to the ticket), so say it was passed on."""
    ticket = await run_in_threadpool(tickets.active_ticket, conversation_id, console.database_url)
    return [{"text": RELAYED}] if ticket is not None else []


def console_routes(
    config: Any,
    conversation_of: Callable[[Request], str | None],
    console: Console | None = None,
) -> list[BaseRoute]:
    """The console's routes, for `bot.web.app.create_app` (config: its WebConfig)."""
    console = console or Console.from_env()
    signer = SessionSigner(config.secret, console.idle_s, console.absolute_s)
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.globals.update(status_labels=STATUS_LABELS, status_badges=STATUS_BADGES)
    db = console.database_url
    secure = bool(config.secure_cookie)

    def session_of(request: Request) -> ConsoleSession | None:
        return signer.load(request.cookies.get(SESSION_COOKIE))

    def set_session(response: Response, session: ConsoleSession) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            signer.dump(session),
            max_age=console.absolute_s,
            httponly=True,
            samesite="strict",
            secure=secure,
            path="/",
        )

    def drop_session(response: Response) -> None:
        response.delete_cookie(
            SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=secure
        )

    def to_login(request: Request, notice: str | None = None) -> Response:
        had = SESSION_COOKIE in request.cookies
        target = "/hotline/connexion"
        if notice or had:
            target += f"?motif={notice or 'expiree'}"
        response = RedirectResponse(target, status_code=303)
        if had:
            drop_session(response)
        response.headers["cache-control"] = "no-store"
        return response

    def render(
        request: Request,
        name: str,
        context: dict[str, Any],
        session: ConsoleSession | None,
        status: int = 200,
    ) -> Response:
        if session is not None:
            session = signer.touch(session)
            context = {**context, "csrf": signer.csrf_token(session), "session": session}
        response = templates.TemplateResponse(request, name, context, status_code=status)
        response.headers["cache-control"] = "no-store"
        if session is not None:
            set_session(response, session)
        return response

    Handler = Callable[[Request, ConsoleSession], Awaitable[Response]]

    def page(handler: Handler, admin: bool = False) -> Callable[[Request], Awaitable[Response]]:
        """A console page: logged in, and for a POST same origin and the session's token."""

        async def endpoint(request: Request) -> Response:
            session = session_of(request)
            if session is None:
                return to_login(request)
            if admin and not session.admin:
                return render(request, "hotline/erreur.html", {"message": ADMIN_ONLY}, session, 403)
            if request.method == "POST":
                form = await read_form(request)
                if (
                    not same_origin(request)
                    or form is None
                    or not signer.check_csrf(session, form.get("csrf"))
                ):
                    refused = {"message": BAD_CSRF}
                    return render(request, "hotline/erreur.html", refused, session, 403)
                request.state.form = form
            return await handler(request, session)

        return endpoint

    # --- login ----------------------------------------------------------------------------------

    def login_page(request: Request, error: str | None, status: int, login: str = "") -> Response:
        seed = secrets.token_urlsafe(18)
        notice = {"expiree": EXPIRED, "deconnexion": LOGGED_OUT}.get(
            request.query_params.get("motif", "")
        )
        response = render(
            request,
            "hotline/connexion.html",
            {
                "error": error,
                "notice": None if error else notice,
                "token": signer.login_token(seed),
                "login": login,
            },
            None,
            status,
        )
        response.set_cookie(
            LOGIN_COOKIE, seed, max_age=3600, httponly=True, samesite="strict", secure=secure,
            path="/hotline/connexion",
        )  # fmt: skip
        return response

    async def login_get(request: Request) -> Response:
        if session_of(request) is not None:
            return RedirectResponse("/hotline", status_code=303)
        return login_page(request, None, 200)

    async def login_post(request: Request) -> Response:
        if not same_origin(request):
            return login_page(request, FOREIGN_ORIGIN, 403)
        form = await read_form(request)
        if form is None or not signer.check_login_token(
            request.cookies.get(LOGIN_COOKIE), form.get("jeton")
        ):
            return login_page(request, LOGIN_FORM_EXPIRED, 400)
        login = form.get("identifiant", "")[:100]
        password = form.get("mot_de_passe", "")[:1000]
        account = await run_in_threadpool(accounts.authenticate, login, password, db)
        if account is None:
            return login_page(request, LOGIN_FAILED, 401, login=login)
        response = RedirectResponse("/hotline", status_code=303)
        set_session(response, signer.new(account.login, account.role))
        response.delete_cookie(LOGIN_COOKIE, path="/hotline/connexion")
        return response

    async def logout(request: Request, session: ConsoleSession) -> Response:
        signer.revoke(session)
        response = RedirectResponse("/hotline/connexion?motif=deconnexion", status_code=303)
        drop_session(response)
        return response

    # --- queue and tickets --------------------------------------------------------------------

    async def queue(request: Request, session: ConsoleSession) -> Response:
        found = await run_in_threadpool(tickets.list_tickets, None, db)
        now = utc_now()
        active = [t for t in found if t.active]
        closed = sorted((t for t in found if not t.active), key=lambda t: t.id, reverse=True)
        counts = {s: sum(1 for t in found if t.status == s) for s in STATUS_LABELS}
        return render(
            request,
            "hotline/file.html",
            {
                "active": [(t, age_label(t.created_at, now)) for t in active],
                "closed": [(t, age_label(t.created_at, now)) for t in closed[:50]],
                "counts": counts,
            },
            session,
        )

    async def show_ticket(
        request: Request, session: ConsoleSession, error: str | None = None, status: int = 200
    ) -> Response:
        ticket_id = int(request.path_params["ticket_id"])
        try:
            ticket = await run_in_threadpool(tickets.get_ticket, ticket_id, db)
        except tickets.TicketError as missing:
            return render(request, "hotline/erreur.html", {"message": str(missing)}, session, 404)
        return render(
            request,
            "hotline/ticket.html",
            {
                "ticket": ticket,
                "age": age_label(ticket.created_at, utc_now()),
                "authors": AUTHOR_LABELS,
                "error": error,
                "done": DONE_NOTICES.get(request.query_params.get("fait", "")),
                "draft": (getattr(request.state, "form", None) or {}).get("texte", ""),
            },
            session,
            status,
        )

    def ticket_action(
        run: Callable[[int, ConsoleSession, dict[str, str]], None], done: str
    ) -> Handler:
        async def handler(request: Request, session: ConsoleSession) -> Response:
            ticket_id = int(request.path_params["ticket_id"])
            try:
                await run_in_threadpool(run, ticket_id, session, request.state.form)
            except tickets.TicketError as error:
                return await show_ticket(request, session, str(error), 409)
            response = RedirectResponse(
                f"/hotline/tickets/{ticket_id}?fait={done}", status_code=303
            )
            set_session(response, signer.touch(session))
            return response

        return handler

    def do_take(ticket_id: int, session: ConsoleSession, form: dict[str, str]) -> None:
        tickets.take(ticket_id, session.login, db)

    def do_reply(ticket_id: int, session: ConsoleSession, form: dict[str, str]) -> None:
        tickets.reply(ticket_id, session.login, form.get("texte", ""), db)

    def do_close(ticket_id: int, session: ConsoleSession, form: dict[str, str]) -> None:
        tickets.close(ticket_id, session.login, db)

    # --- triage ---------------------------------------------------------------------------------

    def obligation_titles() -> dict[str, str]:
        return {o.id: o.titre for o in get_engine().knowledge.obligations}

    async def triage_page(request: Request, session: ConsoleSession) -> Response:
        context: dict[str, Any] = {"texte": "", "result": None, "error": None}
        status = 200
        if request.method == "POST":
            raw = request.state.form.get("texte", "")
            context["texte"] = raw
            text, problem = clean_text(raw)
            if text is None:
                context["error"], status = problem, 400
            else:
                try:
                    context["result"] = await console.triage.triage(text)
                    context["titles"] = obligation_titles()
                except Exception:
                    logger.exception("triage failed")
                    context["error"], status = TRIAGE_FAILED, 503
        return render(request, "hotline/triage.html", context, session, status)

    async def basic_account(request: Request) -> accounts.Account | None:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic" or not value:
            return None
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        login, sep, password = decoded.partition(":")
        if not sep:
            return None
        return await run_in_threadpool(accounts.authenticate, login, password, db)

    async def api_triage(request: Request) -> Response:
        challenge = {"www-authenticate": 'Basic realm="hotline", charset="UTF-8"'}
        if not same_origin(request):
            return _error(FOREIGN_ORIGIN, 403)
        session: ConsoleSession | None = None
        if "authorization" in request.headers:
            if await basic_account(request) is None:
                return _error(UNAUTHORIZED, 401, challenge)
        else:
            session = session_of(request)
            if session is None:
                return _error(UNAUTHORIZED, 401, challenge)
            if not signer.check_csrf(session, request.headers.get("x-csrf-token")):
                return _error(BAD_CSRF, 403)
        body = await read_json(request, MAX_FORM_BYTES)
        if body.refused is not None:
            return _error(TOO_BIG if body.refused == 413 else BAD_JSON, body.refused)
        data = body.data
        text, problem = clean_text(data.get("texte") if isinstance(data, dict) else None)
        if text is None:
            return _error(problem or BAD_JSON, 400)
        try:
            result = await console.triage.triage(text)
        except Exception:
            logger.exception("triage failed")
            return _error(TRIAGE_FAILED, 503)
        response = safe_json(result)
        if session is not None:
            set_session(response, signer.touch(session))
        return response

    # --- programme analytics (admin) -----------------------------------------------------------

    def report_sync() -> Report:
        events = read_events(console.tracker_url, since_days(console.stats_days))
        return build_report(events, load_territories(), obligation_titles())

    def chart_data(report: Report, name: str) -> tuple[str, list[str], list[float]] | None:
        if name == "conversations":
            per_day: dict[str, int] = {}
            for day, _channel, count in report.per_day_channel:
                per_day[day] = per_day.get(day, 0) + count
            return "Conversations par jour", list(per_day), [float(v) for v in per_day.values()]
        if name == "parcours":
            labels = [f"{label} ({kind})" for label, _, _ in report.journeys
                      for kind in ("commencés", "terminés")]  # fmt: skip
            values = [float(v) for _, begun, done in report.journeys for v in (begun, done)]
            return "Parcours commencés et terminés", labels, values
        if name == "obligations":
            return (
                "Obligations les plus demandées",
                [label for label, _ in report.top_obligations],
                [float(count) for _, count in report.top_obligations],
            )
        if name == "regions":
            return (
                "Régions les plus demandées",
                [label for label, _ in report.top_regions],
                [float(count) for _, count in report.top_regions],
            )
        return None

    async def stats(request: Request, session: ConsoleSession) -> Response:
        report = await run_in_threadpool(report_sync)
        return render(
            request,
            "hotline/statistiques.html",
            {"report": report, "days": console.stats_days, "nav": "stats"},
            session,
        )

    async def stats_chart(request: Request, session: ConsoleSession) -> Response:
        from bot.web.console.charts import bar_chart

        report = await run_in_threadpool(report_sync)
        data = chart_data(report, str(request.path_params["chart"]))
        if data is None:
            return Response("Graphique inconnu.", status_code=404, media_type="text/plain")
        svg = await run_in_threadpool(bar_chart, *data)
        response = Response(svg, media_type="image/svg+xml")
        response.headers["cache-control"] = "no-store"
        set_session(response, signer.touch(session))
        return response

    async def stats_csv(request: Request, session: ConsoleSession) -> Response:
        report = await run_in_threadpool(report_sync)
        response = Response(
            "\ufeff" + to_csv(report),  # BOM: spreadsheets then read the accents right
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="statistiques-assistant.csv"'},
        )
        response.headers["cache-control"] = "no-store"
        set_session(response, signer.touch(session))
        return response

    # --- the widget's poll ------------------------------------------------------------------------

    async def new_replies(request: Request) -> Response:
        if not same_origin(request):
            return _error(FOREIGN_ORIGIN, 403)
        conversation_id = conversation_of(request)
        if conversation_id is None:
            return _error(BAD_SESSION, 403)
        replies = await run_in_threadpool(tickets.take_replies, conversation_id, db)
        messages = [
            {"text": text if text == tickets.CLOSING_NOTE else AGENT_PREFIX + text}
            for text in replies
        ]
        return safe_json({"messages": messages})

    return [
        Route("/hotline", page(queue)),
        Route("/hotline/connexion", login_get, methods=["GET"]),
        Route("/hotline/connexion", login_post, methods=["POST"]),
        Route("/hotline/deconnexion", page(logout), methods=["POST"]),
        Route("/hotline/tickets/{ticket_id:int}", page(show_ticket)),
        Route(
            "/hotline/tickets/{ticket_id:int}/prendre",
            page(ticket_action(do_take, "pris")),
            methods=["POST"],
        ),
        Route(
            "/hotline/tickets/{ticket_id:int}/repondre",
            page(ticket_action(do_reply, "repondu")),
            methods=["POST"],
        ),
        Route(
            "/hotline/tickets/{ticket_id:int}/clore",
            page(ticket_action(do_close, "clos")),
            methods=["POST"],
        ),
        Route("/hotline/tri", page(triage_page), methods=["GET", "POST"]),
        Route("/hotline/statistiques", page(stats, admin=True)),
        Route("/hotline/statistiques.csv", page(stats_csv, admin=True)),
        Route("/hotline/statistiques/{chart}.svg", page(stats_chart, admin=True)),
        Route("/api/triage", api_triage, methods=["POST"]),
        Route("/api/chat/nouveaux", new_replies, methods=["POST"]),
    ]

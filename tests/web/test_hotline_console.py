"""The hotline console and the triage API with Starlette's TestClient, a fresh SQLite file per
test and a fake NLU: login (ok, wrong, locked), every page refused without a session, expired and
forged sessions, CSRF, take/reply/close, and the widget's poll for agent replies."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from bot.booking.db import clear_engines
from bot.hotline import accounts, tickets
from bot.web.app import COOKIE, WebConfig, create_app
from bot.web.console import Console, TriageService
from bot.web.console.routes import RELAYED
from bot.web.console.sessions import SESSION_COOKIE, SessionSigner
from bot.web.signing import mint_id, sign

SECRET = b"s" * 40
ORIGIN = "http://testserver"
PASSWORD = "correct horse battery"
TRIAGE_TEXT = "Mairie de Talence : nous renouvelons 30 voitures, quelles règles ?"


class FakeParser:
    """The NLU's parse of any text: a commune asking about vehicles in Talence."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def parse(self, text: str) -> dict[str, Any]:
        self.calls.append(text)
        return {
            "intent": {"name": "ask_obligations", "confidence": 0.93},
            "intent_ranking": [{"name": "ask_obligations", "confidence": 0.93}],
            "entities": [
                {"entity": "establishment_type", "value": "commune"},
                {"entity": "purchase_category", "value": "vehicules"},
                {"entity": "city", "value": "Talence"},
            ],
        }


async def no_rasa(sender: str, message: str) -> list[dict[str, Any]]:
    return [{"text": "Bonjour !"}]


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with tiny costs: the same code paths, without seconds of hashing per login
    (tests/bot/hotline checks the real parameters)."""
    from argon2 import PasswordHasher

    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", lambda: hasher)


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    clear_engines()
    database = f"sqlite:///{tmp_path / 'console.db'}"
    accounts.add_user("agent.dupont", PASSWORD, url=database)
    accounts.add_user("chef.martin", PASSWORD, role="admin", url=database)
    yield database
    clear_engines()


@pytest.fixture
def parser() -> FakeParser:
    return FakeParser()


@pytest.fixture
def client(url: str, parser: FakeParser) -> TestClient:
    console = Console(database_url=url, triage=TriageService(parser=parser), idle_s=1800)
    app = create_app(WebConfig(secret=SECRET, rasa_url="http://rasa.invalid"), no_rasa, console)
    return TestClient(app, follow_redirects=False)


def login(client: TestClient, user: str = "agent.dupont", password: str = PASSWORD) -> Any:
    page = client.get("/hotline/connexion")
    token = re.search(r'name="jeton" value="([^"]+)"', page.text)
    assert token is not None
    return client.post(
        "/hotline/connexion",
        data={"identifiant": user, "mot_de_passe": password, "jeton": token.group(1)},
        headers={"Origin": ORIGIN},
    )


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def open_ticket(url: str, conversation: str = "conv-web-1", question: str = "Mon SPASER ?") -> int:
    ticket, created = tickets.open_ticket(
        conversation,
        "Profil : commune.\nQuestion : " + question,
        channel="rest",
        question=question,
        transcript=[("user", question), ("bot", "Je vous mets en relation.")],
        url=url,
    )
    assert created
    return ticket.id


def basic(user: str, password: str) -> dict[str, str]:
    value = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {value}"}


# --- login -------------------------------------------------------------------------------------


def test_a_right_password_opens_a_strict_httponly_session(client: TestClient) -> None:
    answer = login(client)
    assert answer.status_code == 303 and answer.headers["location"] == "/hotline"
    cookie = answer.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    queue = client.get("/hotline")
    assert queue.status_code == 200
    assert "Console de la hotline" in queue.text and "agent.dupont" in queue.text
    assert queue.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("user", "password"),
    [("agent.dupont", "mauvais mot de passe"), ("inconnu", PASSWORD), ("", "")],
)
def test_a_wrong_login_gets_one_french_message_and_no_session(
    client: TestClient, user: str, password: str
) -> None:
    answer = login(client, user, password)
    assert answer.status_code == 401
    assert "Identifiant ou mot de passe incorrect" in answer.text
    assert SESSION_COOKIE not in client.cookies
    assert client.get("/hotline").status_code == 303


def test_after_five_failures_even_the_right_password_is_refused(client: TestClient) -> None:
    for _ in range(accounts.MAX_FAILED_LOGINS):
        assert login(client, password="mauvais mot de passe").status_code == 401
    locked = login(client)
    assert locked.status_code == 401
    assert "Identifiant ou mot de passe incorrect" in locked.text  # same message: no oracle
    assert SESSION_COOKIE not in client.cookies


def test_the_login_form_needs_its_token_and_this_origin(client: TestClient) -> None:
    client.get("/hotline/connexion")
    no_token = client.post(
        "/hotline/connexion", data={"identifiant": "agent.dupont", "mot_de_passe": PASSWORD}
    )
    assert no_token.status_code == 400 and SESSION_COOKIE not in client.cookies
    page = client.get("/hotline/connexion")
    foreign = client.post(
        "/hotline/connexion",
        data={"identifiant": "agent.dupont", "mot_de_passe": PASSWORD, "jeton": csrf_jeton(page)},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403 and SESSION_COOKIE not in client.cookies


def csrf_jeton(page: Any) -> str:
    found = re.search(r'name="jeton" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def test_logout_ends_the_session_even_for_a_copied_cookie(client: TestClient) -> None:
    login(client)
    copied = client.cookies[SESSION_COOKIE]
    page = client.get("/hotline")
    out = client.post("/hotline/deconnexion", data={"csrf": csrf_of(page.text)})
    assert out.status_code == 303 and "deconnexion" in out.headers["location"]
    client.cookies.set(SESSION_COOKIE, copied)
    assert client.get("/hotline").status_code == 303


# --- nothing without a session -----------------------------------------------------------------

PAGES = [
    "/hotline",
    "/hotline/tickets/{id}",
    "/hotline/tri",
    "/hotline/statistiques",
    "/hotline/statistiques.csv",
    "/hotline/statistiques/parcours.svg",
]
FORMS = [
    "/hotline/tickets/{id}/prendre",
    "/hotline/tickets/{id}/repondre",
    "/hotline/tickets/{id}/clore",
    "/hotline/tri",
    "/hotline/deconnexion",
]


def forged(signer_secret: bytes, *, idle: int = 0, age: int = 0) -> str:
    signer = SessionSigner(signer_secret)
    now = time.time()
    session = signer.new("agent.dupont", "agent", now=now - age)
    return signer.dump(signer.touch(session, now=now - idle))


@pytest.mark.parametrize(
    "cookie",
    [
        None,
        "s1.bidon.bidon",
        "EXPIRED_IDLE",  # last used 31 minutes ago
        "EXPIRED_ABSOLUTE",  # started 11 hours ago, used just now
        "OTHER_SECRET",
    ],
)
def test_every_page_and_form_is_refused_without_a_valid_session(
    client: TestClient, url: str, parser: FakeParser, cookie: str | None
) -> None:
    ticket_id = open_ticket(url)
    value = {
        "EXPIRED_IDLE": forged(SECRET, idle=31 * 60, age=40 * 60),
        "EXPIRED_ABSOLUTE": forged(SECRET, age=11 * 3600),
        "OTHER_SECRET": forged(b"x" * 40),
    }.get(cookie or "", cookie)
    if value is not None:
        client.cookies.set(SESSION_COOKIE, value)
    for path in PAGES:
        answer = client.get(path.format(id=ticket_id))
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/hotline/connexion")
    for path in FORMS:
        answer = client.post(
            path.format(id=ticket_id),
            data={"csrf": "x", "texte": "Réponse pirate"},
            headers={"Origin": ORIGIN},
        )
        assert answer.status_code == 303, path
    triage = client.post("/api/triage", json={"texte": TRIAGE_TEXT}, headers={"Origin": ORIGIN})
    assert triage.status_code == 401
    assert triage.json() == {
        "erreur": "Authentification requise : un compte de la hotline est nécessaire."
    }
    assert triage.headers["www-authenticate"].startswith("Basic")
    # Nothing was done: the ticket is untouched, no reply waits, the NLU was never called.
    ticket = tickets.get_ticket(ticket_id, url=url)
    assert ticket.status == "open" and ticket.agent_login is None
    assert [m.author for m in ticket.messages] == ["user", "bot"]
    assert tickets.take_replies("conv-web-1", url=url) == []
    assert parser.calls == []


def test_an_expired_session_is_sent_to_the_login_page_with_a_notice(client: TestClient) -> None:
    client.cookies.set(SESSION_COOKIE, forged(SECRET, idle=31 * 60, age=40 * 60))
    answer = client.get("/hotline")
    assert answer.headers["location"] == "/hotline/connexion?motif=expiree"
    assert "a expiré" in client.get(answer.headers["location"]).text


def test_a_used_session_stays_alive_within_the_idle_limit(client: TestClient) -> None:
    client.cookies.set(SESSION_COOKIE, forged(SECRET, idle=20 * 60, age=25 * 60))
    answer = client.get("/hotline")
    assert answer.status_code == 200
    renewed = SessionSigner(SECRET).load(answer.cookies[SESSION_COOKIE])
    assert renewed is not None and time.time() - renewed.seen < 5


# --- CSRF --------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "faux-jeton"])
@pytest.mark.parametrize("action", ["prendre", "repondre", "clore"])
def test_a_form_without_the_sessions_token_changes_nothing(
    client: TestClient, url: str, token: str | None, action: str
) -> None:
    ticket_id = open_ticket(url)
    login(client)
    data = {"texte": "Réponse"}
    if token is not None:
        data["csrf"] = token
    answer = client.post(f"/hotline/tickets/{ticket_id}/{action}", data=data)
    assert answer.status_code == 403 and "Jeton de sécurité" in answer.text
    ticket = tickets.get_ticket(ticket_id, url=url)
    assert ticket.status == "open" and len(ticket.messages) == 2


def test_another_sessions_token_or_a_foreign_origin_is_refused(
    client: TestClient, url: str
) -> None:
    ticket_id = open_ticket(url)
    login(client, "chef.martin")
    other_token = csrf_of(client.get("/hotline").text)
    client.cookies.clear()
    login(client)
    stale = client.post(f"/hotline/tickets/{ticket_id}/clore", data={"csrf": other_token})
    assert stale.status_code == 403
    token = csrf_of(client.get("/hotline").text)
    foreign = client.post(
        f"/hotline/tickets/{ticket_id}/clore",
        data={"csrf": token},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    assert tickets.get_ticket(ticket_id, url=url).status == "open"


# --- the queue and a ticket --------------------------------------------------------------------


def test_the_queue_lists_tickets_with_status_and_age(client: TestClient, url: str) -> None:
    first = open_ticket(url, "conv-a", "Ma question <script>alert(1)</script>")
    second = open_ticket(url, "conv-b", "Autre question")
    tickets.take(second, "agent.dupont", url=url)
    login(client)
    page = client.get("/hotline").text
    assert f"/hotline/tickets/{first}" in page and f"/hotline/tickets/{second}" in page
    assert "En attente" in page and "Pris en charge" in page and "fr-badge" in page
    assert "moins d&#39;1 min" in page  # the age, escaped like any text
    # User text is escaped, never HTML.
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_take_reply_close_change_the_ticket_and_reach_the_widget(
    client: TestClient, url: str
) -> None:
    conversation = mint_id()
    ticket_id = open_ticket(url, conversation)
    login(client)
    page = client.get(f"/hotline/tickets/{ticket_id}")
    assert page.status_code == 200
    assert "Profil : commune." in page.text and "Je vous mets en relation." in page.text
    token = csrf_of(page.text)

    taken = client.post(f"/hotline/tickets/{ticket_id}/prendre", data={"csrf": token})
    assert taken.status_code == 303 and taken.headers["location"].endswith("fait=pris")
    ticket = tickets.get_ticket(ticket_id, url=url)
    assert ticket.status == "taken" and ticket.agent_login == "agent.dupont"
    again = client.post(f"/hotline/tickets/{ticket_id}/prendre", data={"csrf": token})
    assert again.status_code == 409 and "déjà pris en charge" in again.text

    reply = "Bonjour, je regarde votre SPASER <b>tout de suite</b>."
    sent = client.post(
        f"/hotline/tickets/{ticket_id}/repondre", data={"csrf": token, "texte": reply}
    )
    assert sent.status_code == 303
    assert "&lt;b&gt;tout de suite&lt;/b&gt;" in client.get(f"/hotline/tickets/{ticket_id}").text

    # The widget's poll (same signed cookie as the chat) brings the reply, once.
    widget = TestClient(client.app)
    widget.cookies.set(COOKIE, sign(conversation, SECRET))
    polled = widget.post("/api/chat/nouveaux", headers={"Origin": ORIGIN})
    assert polled.status_code == 200
    assert polled.json() == {"messages": [{"text": "Conseiller de la hotline : " + reply}]}
    assert widget.post("/api/chat/nouveaux").json() == {"messages": []}

    closed = client.post(f"/hotline/tickets/{ticket_id}/clore", data={"csrf": token})
    assert closed.status_code == 303
    assert tickets.get_ticket(ticket_id, url=url).status == "closed"
    assert widget.post("/api/chat/nouveaux").json() == {
        "messages": [{"text": tickets.CLOSING_NOTE}]
    }
    page = client.get(f"/hotline/tickets/{ticket_id}").text
    assert "Ce ticket est clos" in page and 'id="envoyer"' not in page


def test_an_empty_reply_is_refused_in_french(client: TestClient, url: str) -> None:
    ticket_id = open_ticket(url)
    login(client)
    token = csrf_of(client.get("/hotline").text)
    answer = client.post(
        f"/hotline/tickets/{ticket_id}/repondre", data={"csrf": token, "texte": "   "}
    )
    assert answer.status_code == 409 and "Le message est vide" in answer.text
    assert tickets.get_ticket(ticket_id, url=url).status == "open"


def test_an_unknown_ticket_is_a_french_404(client: TestClient) -> None:
    login(client)
    answer = client.get("/hotline/tickets/999")
    assert answer.status_code == 404 and "Aucun ticket n° 999" in answer.text


def test_the_poll_needs_the_signed_conversation_cookie(client: TestClient, url: str) -> None:
    open_ticket(url, "conv-web-1")
    tickets.reply(1, "agent.dupont", "Réponse", url=url)
    assert client.post("/api/chat/nouveaux").status_code == 403
    client.cookies.set(COOKIE, "v1.conv-web-1.0.forged")
    assert client.post("/api/chat/nouveaux").status_code == 403
    foreign = TestClient(client.app)
    foreign.cookies.set(COOKIE, sign(mint_id(), SECRET))
    assert (
        foreign.post("/api/chat/nouveaux", headers={"Origin": "https://evil.example"}).status_code
        == 403
    )
    # The reply is still waiting for its conversation.
    assert tickets.take_replies("conv-web-1", url=url) == ["Réponse"]


# --- triage ------------------------------------------------------------------------------------


def test_the_triage_api_answers_contract_json_with_basic_auth(
    client: TestClient, parser: FakeParser
) -> None:
    answer = client.post(
        "/api/triage", json={"texte": TRIAGE_TEXT}, headers=basic("agent.dupont", PASSWORD)
    )
    assert answer.status_code == 200
    data = answer.json()
    assert set(data) == {"intent", "confiance", "entites", "obligations", "orientation", "resume"}
    assert data["intent"] == "ask_obligations" and data["confiance"] == 0.93
    assert data["entites"]["department"] == "33"
    assert "vehicules_faibles_emissions" in data["obligations"]
    assert data["orientation"]["type"] == "guichet_vert"
    assert parser.calls == [TRIAGE_TEXT]


@pytest.mark.parametrize(
    "headers",
    [
        basic("agent.dupont", "mauvais mot de passe"),
        basic("inconnu", PASSWORD),
        {"Authorization": "Basic pas-du-base64"},
        {"Authorization": "Bearer abc"},
    ],
)
def test_the_triage_api_refuses_bad_credentials(
    client: TestClient, parser: FakeParser, headers: dict[str, str]
) -> None:
    answer = client.post("/api/triage", json={"texte": TRIAGE_TEXT}, headers=headers)
    assert answer.status_code == 401 and "erreur" in answer.json()
    assert parser.calls == []


def test_the_triage_api_with_the_console_session_needs_its_csrf_header(
    client: TestClient, parser: FakeParser
) -> None:
    login(client)
    token = csrf_of(client.get("/hotline").text)
    refused = client.post("/api/triage", json={"texte": TRIAGE_TEXT})
    assert refused.status_code == 403 and parser.calls == []
    answer = client.post(
        "/api/triage", json={"texte": TRIAGE_TEXT}, headers={"X-CSRF-Token": token}
    )
    assert answer.status_code == 200 and answer.json()["intent"] == "ask_obligations"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"texte": "   "}, 400, "vide"),
        ({"texte": "x" * 5001}, 400, "dépasse"),
        ({"text": "oops"}, 400, "Requête invalide"),
        ([1, 2], 400, "Requête invalide"),
    ],
)
def test_the_triage_api_explains_bad_input_in_french(
    client: TestClient, parser: FakeParser, body: Any, status: int, message: str
) -> None:
    answer = client.post("/api/triage", json=body, headers=basic("agent.dupont", PASSWORD))
    assert answer.status_code == status and message in answer.json()["erreur"]
    assert parser.calls == []


def test_the_console_triage_box_shows_the_result(client: TestClient, parser: FakeParser) -> None:
    login(client)
    page = client.get("/hotline/tri")
    assert page.status_code == 200 and 'for="texte"' in page.text
    answer = client.post("/hotline/tri", data={"csrf": csrf_of(page.text), "texte": TRIAGE_TEXT})
    assert answer.status_code == 200
    assert "Résultat du tri" in answer.text and "ask_obligations" in answer.text
    assert "vehicules_faibles_emissions" in answer.text
    assert parser.calls == [TRIAGE_TEXT]


def test_the_nlu_loads_once_even_for_two_first_requests() -> None:
    import threading

    loads: list[int] = []

    def factory() -> FakeParser:
        loads.append(1)
        time.sleep(0.2)
        return FakeParser()

    service = TriageService(parser_factory=factory)
    threads = [threading.Thread(target=service._triage_sync, args=(TRIAGE_TEXT,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert loads == [1]


async def silent_rasa(sender: str, message: str) -> list[dict[str, Any]]:
    return []  # what Rasa answers while the hotline holds the conversation


def test_a_message_to_a_held_conversation_is_said_to_be_passed_on(url: str) -> None:
    console = Console(database_url=url, triage=TriageService(parser=FakeParser()))
    app = create_app(WebConfig(secret=SECRET, rasa_url="http://rasa.invalid"), silent_rasa, console)
    widget = TestClient(app)
    conversation = mint_id()
    widget.cookies.set(COOKIE, sign(conversation, SECRET))
    quiet = widget.post("/api/chat", json={"message": "Bonjour"}, headers={"Origin": ORIGIN})
    assert "Reformulez" in quiet.json()["messages"][0]["text"]  # no ticket: the usual notice
    open_ticket(url, conversation)
    held = widget.post("/api/chat", json={"message": "Vous êtes là ?"}, headers={"Origin": ORIGIN})
    assert held.json() == {"messages": [{"text": RELAYED}]}


# --- programme analytics --------------------------------------------------------------------


@pytest.fixture
def stats_client(url: str, tmp_path: Path) -> TestClient:
    from tests.bot.test_analytics import EVENTS

    tracker = f"sqlite:///{tmp_path / 'tracker.db'}"
    from sqlalchemy import create_engine
    from sqlalchemy import text as sql

    engine = create_engine(tracker)
    with engine.begin() as connection:
        connection.execute(
            sql(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
                "timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)"
            )
        )
        for event in EVENTS:
            connection.execute(
                sql("INSERT INTO events (sender_id, type_name, timestamp, intent_name, "
                    "action_name, data) VALUES (:s, :t, :ts, :i, :a, :d)"),
                {"s": event.sender_id, "t": event.type_name, "ts": time.time() - 3600,
                 "i": event.intent_name, "a": event.action_name, "d": json.dumps(event.data)},
            )  # fmt: skip
    engine.dispose()
    console = Console(database_url=url, triage=TriageService(parser=FakeParser()))
    console.tracker_url = tracker
    app = create_app(WebConfig(secret=SECRET, rasa_url="http://rasa.invalid"), no_rasa, console)
    return TestClient(app, follow_redirects=False)


STATS = ["/hotline/statistiques", "/hotline/statistiques.csv", "/hotline/statistiques/parcours.svg"]


def test_the_analytics_are_for_admins_only(stats_client: TestClient) -> None:
    for path in STATS:
        assert stats_client.get(path).status_code == 303, path
    login(stats_client)  # an agent
    page = stats_client.get("/hotline")
    assert "/hotline/statistiques" not in page.text
    for path in STATS:
        answer = stats_client.get(path)
        assert answer.status_code == 403 and "réservée" in answer.text, path


def test_an_admin_sees_figures_charts_and_a_csv_without_personal_data(
    stats_client: TestClient,
) -> None:
    login(stats_client, "chef.martin")
    page = stats_client.get("/hotline/statistiques")
    assert page.status_code == 200
    assert 'id="chiffre-conversations">3<' in page.text
    assert "Autodiagnostic" in page.text and "Nouvelle-Aquitaine" in page.text
    assert "[courriel]" in page.text and "jean.dupont" not in page.text
    assert '<img class="hotline-chart" src="/hotline/statistiques/parcours.svg"' in page.text
    for name in ("conversations", "parcours", "obligations", "regions"):
        chart = stats_client.get(f"/hotline/statistiques/{name}.svg")
        assert chart.status_code == 200 and chart.headers["content-type"] == "image/svg+xml"
        assert chart.text.lstrip().startswith("<?xml") and "<script" not in chart.text
    assert stats_client.get("/hotline/statistiques/inconnu.svg").status_code == 404
    export = stats_client.get("/hotline/statistiques.csv")
    assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
    assert "conversations;total;3;" in export.text and "jean.dupont" not in export.text

"""The web app's chat API with a fake Rasa: signed ids, refusals, length cap, Rasa down."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from bot.web.app import COOKIE, MAX_MESSAGE_CHARS, WebConfig, create_app, fingerprint
from bot.web.rasa_client import RasaUnavailable
from bot.web.signing import load_secret, mint_id, sign, verify

SECRET = b"s" * 40
ORIGIN = "http://testserver"


class FakeRasa:
    """Records what it is sent and answers with canned messages (or fails)."""

    def __init__(self, answer: list[dict[str, Any]] | None = None, down: bool = False) -> None:
        self.calls: list[tuple[str, str]] = []
        self.answer = answer if answer is not None else [{"text": "Bonjour !"}]
        self.down = down

    async def __call__(self, sender: str, message: str) -> list[dict[str, Any]]:
        self.calls.append((sender, message))
        if self.down:
            raise RasaUnavailable("connexion refusée")
        return self.answer


def client_for(rasa: FakeRasa) -> TestClient:
    return TestClient(create_app(WebConfig(secret=SECRET, rasa_url="http://rasa.invalid"), rasa))


def chat(client: TestClient, payload: Any, **headers: str) -> Any:
    return client.post("/api/chat", json=payload, headers={"Origin": ORIGIN, **headers})


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def client(rasa: FakeRasa) -> TestClient:
    client = client_for(rasa)
    assert client.get("/").status_code == 200  # mints the conversation cookie
    return client


def test_the_page_mints_a_signed_httponly_cookie(rasa: FakeRasa) -> None:
    client = client_for(rasa)
    page = client.get("/")
    assert page.status_code == 200
    assert "République" in page.text and "Assistant Achats Durables" in page.text
    assert 'role="log"' in page.text and 'lang="fr"' in page.text
    header = page.headers["set-cookie"]
    assert "HttpOnly" in header and "SameSite=lax" in header.replace("Lax", "lax")
    conversation = verify(client.cookies[COOKIE], SECRET, 3600)
    assert conversation is not None
    # The page only carries a fingerprint of the id, never the id itself.
    assert conversation not in page.text and fingerprint(conversation) in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_a_reload_keeps_the_conversation(client: TestClient) -> None:
    before = client.cookies[COOKIE]
    again = client.get("/")
    assert "set-cookie" not in again.headers
    assert client.cookies[COOKIE] == before


def test_messages_go_to_rasa_under_the_verified_id(client: TestClient, rasa: FakeRasa) -> None:
    answer = chat(client, {"message": "  Bonjour  "})
    assert answer.status_code == 200
    assert answer.json() == {"messages": [{"text": "Bonjour !"}]}
    conversation = verify(client.cookies[COOKIE], SECRET, 3600)
    assert rasa.calls == [(conversation, "Bonjour")]


def test_the_client_cannot_choose_the_sender(client: TestClient, rasa: FakeRasa) -> None:
    chat(client, {"message": "Bonjour", "sender": "victime", "sender_id": "victime"})
    assert [sender for sender, _ in rasa.calls] == [verify(client.cookies[COOKIE], SECRET, 3600)]


def test_a_tampered_or_foreign_cookie_is_refused(client: TestClient, rasa: FakeRasa) -> None:
    token = client.cookies[COOKIE]
    version, conversation, issued, mac = token.split(".")
    forged = [
        f"{version}.{mint_id()}.{issued}.{mac}",  # another id with the same MAC
        f"{version}.{conversation}.{issued}.{mac[:-2]}xx",  # altered MAC
        sign(mint_id(), b"k" * 40),  # signed with another key
        "victime",  # a bare id chosen by the client
    ]
    for value in forged:
        client.cookies.clear()
        client.cookies.set(COOKIE, value)
        answer = chat(client, {"message": "Bonjour"})
        assert answer.status_code == 403, value
        assert "Rechargez la page" in answer.json()["erreur"]
    assert rasa.calls == []


def test_an_expired_cookie_is_refused() -> None:
    conversation = mint_id()
    old = sign(conversation, SECRET, issued_at=1_000_000)
    assert verify(old, SECRET, max_age_s=3600, now=1_000_000 + 3599) == conversation
    assert verify(old, SECRET, max_age_s=3600, now=1_000_000 + 3601) is None


def test_without_cookie_nothing_reaches_rasa(rasa: FakeRasa) -> None:
    client = client_for(rasa)
    assert chat(client, {"message": "Bonjour"}).status_code == 403
    assert rasa.calls == []


def test_a_foreign_origin_is_refused(client: TestClient, rasa: FakeRasa) -> None:
    answer = chat(client, {"message": "Bonjour"}, Origin="https://attaquant.example")
    assert answer.status_code == 403
    assert "access-control-allow-origin" not in answer.headers
    assert rasa.calls == []


def test_the_message_length_is_capped(client: TestClient, rasa: FakeRasa) -> None:
    assert chat(client, {"message": "a" * MAX_MESSAGE_CHARS}).status_code == 200
    too_long = chat(client, {"message": "a" * (MAX_MESSAGE_CHARS + 1)})
    assert too_long.status_code == 413
    assert "trop long" in too_long.json()["erreur"]
    assert len(rasa.calls) == 1


@pytest.mark.parametrize(
    ("payload", "status", "words"),
    [
        ({"message": "   "}, 400, "vide"),
        ({"message": 42}, 400, "Requête invalide"),
        (["Bonjour"], 400, "Requête invalide"),
    ],
)
def test_bad_requests_get_a_french_error(
    client: TestClient, rasa: FakeRasa, payload: Any, status: int, words: str
) -> None:
    answer = chat(client, payload)
    assert answer.status_code == status and words in answer.json()["erreur"]
    assert rasa.calls == []


def test_rasa_down_gives_a_french_error_to_retry(rasa: FakeRasa, client: TestClient) -> None:
    rasa.down = True
    answer = chat(client, {"message": "Bonjour"})
    assert answer.status_code == 503
    body = answer.json()
    assert body["reessayer"] is True and "indisponible" in body["erreur"]


def test_an_empty_answer_still_says_something(rasa: FakeRasa, client: TestClient) -> None:
    rasa.answer = []
    [message] = chat(client, {"message": "Bonjour"}).json()["messages"]
    assert "conseiller" in message["text"]


def test_no_raw_html_leaves_the_server(rasa: FakeRasa, client: TestClient) -> None:
    rasa.answer = [{"text": "Vous avez écrit <script>alert(1)</script> & co"}]
    answer = chat(client, {"message": "<script>alert(1)</script>"})
    assert b"<script" not in answer.content and b"<" not in answer.content
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["x-content-type-options"] == "nosniff"
    # Still the same text once parsed: escaping for display is the widget's job.
    assert answer.json()["messages"][0]["text"].startswith("Vous avez écrit <script>")


def test_messages_are_cleaned_to_what_the_widget_draws(rasa: FakeRasa, client: TestClient) -> None:
    rasa.answer = [
        {
            "recipient_id": "x",
            "text": "Choisissez",
            "buttons": [{"title": "Oui", "payload": "/affirm"}],
        },
        {"recipient_id": "x", "custom": {"fichier": {"filename": "../recap.txt", "content": "R"}}},
        {"recipient_id": "x", "custom": {"ics": {"filename": "session.ics", "content": "BEGIN"}}},
        {
            "custom": {
                "carte": {
                    "type": "contacts",
                    "titre": "Contacts",
                    "elements": [
                        {"titre": "A", "lien": {"titre": "piège", "url": "javascript:alert(1)"}},
                        {"titre": "B", "lien": {"titre": "Site", "url": "https://3ar-na.fr"}},
                    ],
                    "boutons": [],
                }
            }
        },
        {"custom": {"inconnu": True}},
    ]
    messages = chat(client, {"message": "Bonjour"}).json()["messages"]
    assert messages[0] == {
        "text": "Choisissez",
        "buttons": [{"title": "Oui", "payload": "/affirm"}],
    }
    name = messages[1]["fichier"]["filename"]
    assert "/" not in name and not name.startswith(".") and name.endswith("recap.txt")
    assert messages[2]["fichier"]["mime"].startswith("text/calendar")
    links = [e["lien"] for e in messages[3]["carte"]["elements"]]
    assert links == [None, {"titre": "Site", "url": "https://3ar-na.fr"}]
    assert len(messages) == 4  # the unknown custom payload is dropped


def test_a_new_conversation_gets_a_new_id(client: TestClient) -> None:
    before = verify(client.cookies[COOKIE], SECRET, 3600)
    answer = client.post("/api/chat/nouvelle", headers={"Origin": ORIGIN})
    after = verify(client.cookies[COOKIE], SECRET, 3600)
    assert answer.status_code == 200 and after is not None and after != before
    assert answer.json()["conversation"] == fingerprint(after)


def test_the_secret_comes_from_the_environment_or_var(tmp_path: Path) -> None:
    assert load_secret(tmp_path, {"WEB_SECRET": "x" * 32}) == b"x" * 32
    with pytest.raises(ValueError):
        load_secret(tmp_path, {"WEB_SECRET": "court"})
    generated = load_secret(tmp_path, {})
    assert len(generated) >= 32 and load_secret(tmp_path, {}) == generated
    assert (tmp_path / "web_secret").stat().st_mode & 0o077 == 0


async def test_the_rest_client_reports_rasa_down() -> None:
    from bot.web.rasa_client import RasaRestClient
    from tests.conversation import free_port

    client = RasaRestClient(f"http://127.0.0.1:{free_port()}", timeout_s=5)
    with pytest.raises(RasaUnavailable):
        await client("id", "Bonjour")

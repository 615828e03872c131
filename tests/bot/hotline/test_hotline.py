"""Hotline accounts (hashing, lockout) and hand-over tickets, on a fresh SQLite file per test."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.booking.db import clear_engines, ensure_schema
from bot.booking.models import utc_now
from bot.hotline import accounts, tickets
from bot.hotline.models import HotlineUser
from bot.hotline.summary import build_summary
from tests.bot.booking.conftest import postgres_url  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "correct horse battery"


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    clear_engines()
    yield f"sqlite:///{tmp_path / 'hotline.db'}"
    clear_engines()


# --- accounts ---------------------------------------------------------------------------------


def test_a_password_is_stored_hashed_and_checked(url: str) -> None:
    accounts.add_user("Agent.Dupont", PASSWORD, url=url)
    with Session(ensure_schema(url)) as session:
        stored = session.execute(select(HotlineUser.password_hash)).scalar_one()
    assert PASSWORD not in stored and stored.startswith("$argon2id$")
    assert accounts.authenticate("agent.dupont", PASSWORD, url=url) is not None
    assert accounts.authenticate("agent.dupont", "wrong password!!", url=url) is None
    assert accounts.authenticate("nobody", PASSWORD, url=url) is None


@pytest.mark.parametrize(
    ("login", "password", "message"),
    [
        ("a", PASSWORD, "Identifiant invalide"),
        ("agent dupont", PASSWORD, "Identifiant invalide"),
        ("agent", "short", "trop court"),
        ("agent", " starts with space", "espace"),
    ],
)
def test_bad_accounts_are_refused_in_french(
    url: str, login: str, password: str, message: str
) -> None:
    with pytest.raises(accounts.AccountError, match=message):
        accounts.add_user(login, password, url=url)
    assert accounts.list_users(url=url) == []


def test_a_duplicate_login_is_refused(url: str) -> None:
    accounts.add_user("agent", PASSWORD, url=url)
    with pytest.raises(accounts.AccountError, match="existe déjà"):
        accounts.add_user("AGENT", PASSWORD, url=url)


def test_repeated_failures_lock_the_account_then_it_unlocks(url: str) -> None:
    accounts.add_user("agent", PASSWORD, url=url)
    now = utc_now()
    for _ in range(accounts.MAX_FAILED_LOGINS):
        assert accounts.authenticate("agent", "bad password 123", url=url, now=now) is None
    # Locked: even the right password is refused, with the same answer.
    assert accounts.authenticate("agent", PASSWORD, url=url, now=now) is None
    later = now + accounts.LOCKOUT + timedelta(seconds=1)
    assert accounts.authenticate("agent", PASSWORD, url=url, now=later) is not None


def test_a_success_resets_the_failure_count(url: str) -> None:
    accounts.add_user("agent", PASSWORD, url=url)
    now = utc_now()
    for _ in range(accounts.MAX_FAILED_LOGINS - 1):
        accounts.authenticate("agent", "bad password 123", url=url, now=now)
    assert accounts.authenticate("agent", PASSWORD, url=url, now=now) is not None
    assert accounts.authenticate("agent", "bad password 123", url=url, now=now) is None
    assert accounts.authenticate("agent", PASSWORD, url=url, now=now) is not None


def test_add_user_command_reads_the_password_from_stdin(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "bot", "hotline"]
    created = subprocess.run(
        [*command, "add-user", "marie", "--role", "admin"],
        input=f"{PASSWORD}\n", env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert PASSWORD not in created.stdout + created.stderr
    listed = subprocess.run(
        [*command, "users"], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert "marie\tadmin" in listed.stdout
    again = subprocess.run(
        [*command, "add-user", "marie"],
        input="x\n", env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert again.returncode == 2 and again.stdout == "" and "Erreur" in again.stderr


# --- tickets ----------------------------------------------------------------------------------


def test_a_ticket_holds_the_conversation_until_closed(url: str) -> None:
    ticket, created = tickets.open_ticket(
        "user-1", "Profil : une commune.", question="Et pour les bus ?",
        transcript=[("user", "Et pour les bus ?"), ("bot", "Je vous mets en relation.")],
        url=url,
    )  # fmt: skip
    assert created and ticket.active
    assert tickets.active_ticket("user-1", url=url) is not None
    assert tickets.add_user_message("user-1", "Vous êtes là ?", url=url)
    tickets.reply(ticket.id, "agent", "Bonjour, je regarde votre dossier.", url=url)
    assert tickets.take_replies("user-1", url=url) == ["Bonjour, je regarde votre dossier."]
    assert tickets.take_replies("user-1", url=url) == []  # shown once
    assert tickets.get_ticket(ticket.id, url=url).status == "taken"
    tickets.close(ticket.id, "agent", url=url)
    assert tickets.active_ticket("user-1", url=url) is None
    assert tickets.take_replies("user-1", url=url) == [tickets.CLOSING_NOTE]
    assert not tickets.add_user_message("user-1", "merci", url=url)
    authors = [m.author for m in tickets.get_ticket(ticket.id, url=url).messages]
    assert authors == ["user", "bot", "user", "agent", "system"]


def test_a_second_request_returns_the_open_ticket(url: str) -> None:
    first, _ = tickets.open_ticket("user-2", "résumé", url=url)
    second, created = tickets.open_ticket("user-2", "autre résumé", url=url)
    assert not created and second.id == first.id
    tickets.close(first.id, "agent", url=url)
    third, created = tickets.open_ticket("user-2", "nouveau", url=url)
    assert created and third.id != first.id


def test_concurrent_requests_open_one_ticket(url: str) -> None:
    ensure_schema(url)
    results: list[int] = []

    def request() -> None:
        ticket, _ = tickets.open_ticket("user-3", "résumé", url=url)
        results.append(ticket.id)

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and len(tickets.list_tickets(url=url)) == 1


def test_transitions_are_checked(url: str) -> None:
    ticket, _ = tickets.open_ticket("user-4", "résumé", url=url)
    tickets.take(ticket.id, "agent-a", url=url)
    with pytest.raises(tickets.TicketError, match="pris en charge"):
        tickets.take(ticket.id, "agent-b", url=url)
    tickets.close(ticket.id, "agent-a", url=url)
    with pytest.raises(tickets.TicketError, match="clos"):
        tickets.reply(ticket.id, "agent-a", "trop tard", url=url)
    with pytest.raises(tickets.TicketError, match="Aucun ticket"):
        tickets.close(999, "agent-a", url=url)
    other, _ = tickets.open_ticket("user-5", "résumé", url=url)
    with pytest.raises(tickets.TicketError, match="vide"):
        tickets.reply(other.id, "agent", "   ", url=url)


def test_the_queue_lists_by_status_oldest_first(url: str) -> None:
    a, _ = tickets.open_ticket("a", "résumé", url=url)
    b, _ = tickets.open_ticket("b", "résumé", url=url)
    tickets.take(b.id, "agent", url=url)
    assert [t.id for t in tickets.list_tickets(url=url)] == [a.id, b.id]
    assert [t.id for t in tickets.list_tickets("open", url=url)] == [a.id]
    with pytest.raises(tickets.TicketError, match="Statut inconnu"):
        tickets.list_tickets("lost", url=url)


# --- summary ----------------------------------------------------------------------------------


def test_the_summary_says_profile_what_was_shown_and_the_open_question() -> None:
    summary = build_summary(
        profile={"Établissement": "une commune", "Achat": "véhicules", "Lieu": ""},
        obligations=["Des véhicules à faibles émissions"],
        contacts=["3AR (guichet vert)"],
        question="Et si la flotte est louée ?",
        confidence=0.42,
        last_messages=[("user", f"message {i}") for i in range(10)],
    )
    assert "Établissement : une commune ; Achat : véhicules." in summary
    assert "Lieu" not in summary  # unknown values are left out
    assert "Des véhicules à faibles émissions" in summary and "3AR" in summary
    assert "« Et si la flotte est louée ? »" in summary
    assert "faible (confiance 0,42)" in summary
    assert "message 9" in summary and "message 3" not in summary  # the last six only


@pytest.mark.postgres
def test_one_active_ticket_per_conversation_on_postgresql(postgres_url: str) -> None:  # noqa: F811
    # The partial unique index of migration 0002 exists on PostgreSQL too.
    first, _ = tickets.open_ticket("pg-user", "résumé", url=postgres_url)
    second, created = tickets.open_ticket("pg-user", "résumé", url=postgres_url)
    assert not created and second.id == first.id
    accounts.add_user("pg-agent", PASSWORD, url=postgres_url)
    assert accounts.authenticate("pg-agent", PASSWORD, url=postgres_url) is not None

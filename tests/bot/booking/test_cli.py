"""Admin commands of CONTRACT §6 (sessions) and the personal-data commands (bookings)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.booking.db import ensure_schema, head_revision
from bot.booking.service import BookingService
from bot.cli import main
from bot.paths import ROOT
from bot.settings import get_settings
from tests.bot.booking.conftest import person


@pytest.fixture
def cli_db(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """DATABASE_URL pointing at a fresh SQLite file for `python -m bot …`."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    yield sqlite_url
    get_settings.cache_clear()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


ADD = ("sessions", "add", "--titre", "Webinaire SPASER", "--debut", "2027-01-14T10:00")


def test_add_then_list_as_json(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *ADD, "--fin", "2027-01-14T11:30", "--places", "12")
    assert (code, err) == (0, "")
    session_id = int(out.strip())
    code, out, _ = run(capsys, "sessions", "list", "--json")
    assert code == 0
    assert json.loads(out) == [
        {
            "id": session_id,
            "titre": "Webinaire SPASER",
            "debut": "2027-01-14T10:00+01:00",
            "fin": "2027-01-14T11:30+01:00",
            "format": "en_ligne",
            "places": 12,
            "restantes": 12,
            "attente": 0,
        }
    ]


def test_list_shows_seats_left_and_waiting_list_from_the_bot_database(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, *ADD, "--fin", "2027-01-14T11:30", "--places", "1")
    session_id = int(out)
    service = BookingService(ensure_schema(cli_db))
    service.book(session_id, person(1))
    service.book(session_id, person(2), join_waiting_list=True)
    _, out, _ = run(capsys, "sessions", "list", "--json")
    (item,) = json.loads(out)
    assert (item["places"], item["restantes"], item["attente"]) == (1, 0, 1)


def test_past_sessions_are_listed_only_with_toutes(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime, timedelta, timezone

    service = BookingService(ensure_schema(cli_db))
    start = datetime.now(timezone.utc) - timedelta(days=3)
    service.add_session(
        title="Passée", starts_at=start, ends_at=start + timedelta(hours=1), capacity=5
    )
    assert json.loads(run(capsys, "sessions", "list", "--json")[1]) == []
    (item,) = json.loads(run(capsys, "sessions", "list", "--toutes", "--json")[1])
    assert item["titre"] == "Passée"


def test_export_lists_the_attendees_as_csv(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, *ADD, "--fin", "2027-01-14T11:30", "--places", "1")
    session_id = int(out)
    service = BookingService(ensure_schema(cli_db))
    first = service.book(session_id, person(1)).booking
    second = service.book(session_id, person(2), join_waiting_list=True).booking
    code, out, _ = run(capsys, "sessions", "export", str(session_id), "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["reference"], r["statut"], r["position_attente"], r["email"]) for r in rows] == [
        (first.reference, "confirmee", "", "personne1@example.org"),
        (second.reference, "liste_attente", "1", "personne2@example.org"),
    ]


def test_close_stops_bookings(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, *ADD, "--fin", "2027-01-14T11:30", "--places", "5")
    code, out, _ = run(capsys, "sessions", "close", out.strip())
    assert code == 0 and "fermée" in out
    service = BookingService(ensure_schema(cli_db))
    assert service.bookable_sessions() == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((*ADD, "--fin", "2027-01-14T11:30", "--places", "zéro"), "--places"),
        ((*ADD, "--fin", "2027-01-14T11:30", "--places", "0"), "au moins 1"),
        ((*ADD, "--fin", "2027-01-14T09:00", "--places", "5"), "après le début"),
        ((*ADD, "--fin", "hier", "--places", "5"), "date invalide"),
        ((*ADD, "--fin", "2027-01-14T11:30", "--places", "5", "--format", "x"), "en_ligne"),
        ((*ADD, "--fin", "2027-01-14T11:30", "--places", "5", "--format", "presentiel"), "lieu"),
        (
            ("sessions", "add", "--titre", "T", "--debut", "2020-01-01T10:00",
             "--fin", "2020-01-01T11:00", "--places", "5"),
            "passée",
        ),
        (("sessions", "export", "42", "--csv"), "aucune session"),
        (("sessions", "export", "abc"), "nombre entier"),
        (("sessions", "close", "42"), "aucune session"),
        (("bookings", "purge", "--older-than-days", "-1"), "au moins 0"),
        (("bookings", "delete", "--email", "pas-une-adresse"), "ne semble pas valide"),
    ],
)  # fmt: skip
def test_bad_input_gives_a_french_message_and_exit_code_2(
    cli_db: str, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("Erreur : ") and message in err


def test_seed_loads_demo_sessions_once(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sessions", "seed")
    assert code == 0 and "créée" in out
    sessions = json.loads(run(capsys, "sessions", "list", "--json")[1])
    assert sessions and all("Démo" in s["titre"] for s in sessions)
    run(capsys, "sessions", "seed")
    assert len(json.loads(run(capsys, "sessions", "list", "--json")[1])) == len(sessions)


def test_delete_by_email_and_purge(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, *ADD, "--fin", "2027-01-14T11:30", "--places", "5")
    service = BookingService(ensure_schema(cli_db))
    service.book(int(out), person(1))
    code, out, _ = run(capsys, "bookings", "delete", "--email", "Personne1@example.org")
    assert code == 0 and out.startswith("1 ")
    code, out, _ = run(capsys, "bookings", "purge", "--older-than-days", "30")
    assert code == 0 and out.startswith("0 ")


def test_the_command_line_creates_the_database_itself(tmp_path: Path) -> None:
    """A fresh machine: `python -m bot sessions list --json` migrates, then answers."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/neuve.db", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "sessions", "list", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout.strip()) == (0, "[]"), done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    head = head_revision(f"sqlite:///{tmp_path / 'neuve.db'}")
    assert done.returncode == 0 and f"révision {head}" in done.stdout

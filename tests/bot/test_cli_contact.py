"""`python -m bot contact` (CONTRACT §3) and `python -m bot contacts import|list`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.contacts import clear_cache
from bot.paths import ROOT

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "facilitateurs_exemple.csv"


@pytest.fixture(autouse=True)
def import_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    target = tmp_path / "facilitateurs_importes.json"
    monkeypatch.setenv("FACILITATEURS_IMPORTES", str(target))
    clear_cache()
    yield target
    clear_cache()


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_contract_command_in_a_real_process(import_file: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FACILITATEURS_IMPORTES": str(import_file)}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "contact",
            "--type",
            "guichet_vert",
            "--code-postal",
            "33000",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    data = json.loads(completed.stdout)
    assert list(data) == ["departement", "region", "type", "contacts", "pourquoi", "repli"]
    assert data["departement"] == "33" and data["region"] == "nouvelle_aquitaine"
    assert data["repli"] is False


@pytest.mark.parametrize(
    ("option", "value", "departement", "region"),
    [
        ("--departement", "2B", "2B", "corse"),
        ("--departement", "la Haute-Corse", "2B", "corse"),
        ("--region", "bretagne", None, "bretagne"),
        ("--region", "PACA", None, "provence_alpes_cote_d_azur"),
        ("--commune", "Saint-Denis 93", "93", "ile_de_france"),
        ("--code-postal", "97600", "976", "mayotte"),
    ],
)
def test_every_kind_of_place(
    capsys: pytest.CaptureFixture[str],
    option: str,
    value: str,
    departement: str | None,
    region: str,
) -> None:
    code, out, err = run_cli(capsys, "contact", "--type", "facilitateur", option, value, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["departement"], data["region"]) == (departement, region)
    assert data["type"] == "facilitateur" and data["contacts"]


def test_region_without_green_desk_is_a_fallback(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "contact", "--type", "guichet_vert", "--region", "mayotte", "--json"
    )
    data = json.loads(out)
    assert code == 0 and data["repli"] is True
    assert "achats-durables.gouv.fr" in data["contacts"][0]["site"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "guichet_vert", "--code-postal", "98000"], "Monaco"),
        (["--type", "guichet_vert", "--code-postal", "3300"], "5 chiffres"),
        (["--type", "guichet_vert", "--code-postal", "99999"], "aucune commune"),
        (["--type", "guichet_vert", "--departement", "96"], "pas de département 96"),
        (["--type", "guichet_vert", "--region", "Atlantide"], "région"),
        (["--type", "guichet_vert"], "un lieu et un seul"),
        (["--type", "guichet_vert", "--region", "corse", "--departement", "2A"], "un seul"),
        (["--type", "avocat", "--region", "corse"], "facilitateur ou --type guichet_vert"),
    ],
)
def test_bad_places_exit_2_with_a_french_message(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run_cli(capsys, "contact", *args, "--json")
    assert code == 2 and out == ""
    assert message in err


@pytest.mark.parametrize(
    ("args", "candidates"),
    [
        (["--commune", "Saint-Denis"], ["(Seine-Saint-Denis, 93)", "(La Réunion, 974)"]),
        (["--code-postal", "13780"], ["Bouches-du-Rhône, 13", "Var, 83"]),
    ],
)
def test_ambiguous_places_list_the_candidates(
    capsys: pytest.CaptureFixture[str], args: list[str], candidates: list[str]
) -> None:
    code, out, err = run_cli(capsys, "contact", "--type", "facilitateur", *args, "--json")
    assert code == 2 and out == ""
    assert "ambigu" in err
    for candidate in candidates:
        assert candidate in err


def test_import_then_route_then_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "contacts", "import", str(FIXTURE))
    assert code == 0 and "3 facilitateur(s)" in out
    code, out, _ = run_cli(
        capsys, "contact", "--type", "facilitateur", "--code-postal", "33000", "--json"
    )
    data = json.loads(out)
    assert data["repli"] is False and data["contacts"][0]["territoire"] == "Gironde (33)"
    code, out, _ = run_cli(capsys, "contacts", "list", "--json")
    rows = json.loads(out)
    assert sum(r["type"] == "facilitateur" for r in rows) >= 3


def test_rejected_import_says_nothing_changed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, import_file: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("territoire_type;territoire_codes;structure\nville;33;X\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "contacts", "import", str(bad))
    assert code == 2 and out == ""
    assert "rien n'a été modifié" in err and "ligne 2" in err
    assert not import_file.exists()


def test_import_of_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "contacts", "import", "/nonexistent/annuaire.csv")
    assert code == 2 and "introuvable" in err

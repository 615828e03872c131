"""`python -m bot obligations` and `python -m bot kb check`, as CONTRACT §3 describes them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.paths import KNOWLEDGE_DIR


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "obligations", "--etablissement", "commune", "--projet", "restauration_collective",
        "--fait", "montant_achats_annuel=60000000", "--date", "2026-11-30", "--json",
    )  # fmt: skip
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["etablissement"] == "commune" and data["projet"] == "restauration_collective"
    assert data["date"] == "2026-11-30"
    assert data["faits"] == {"montant_achats_annuel": 60000000}
    by_id = {o["id"]: o for o in data["obligations"]}
    assert by_id["spaser"]["statut"] == "applicable"
    assert by_id["egalim_qualite_durable"]["statut"] == "applicable"
    assert by_id["egalim_plan_proteines"]["statut"] == "a_confirmer"
    assert by_id["egalim_plan_proteines"]["fait"] == "repas_par_jour"
    assert "zero_phyto" not in by_id  # obligations that do not apply are left out
    assert "é" in out  # ensure_ascii=False


def test_french_amount_in_a_fact(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "obligations", "--etablissement", "region", "--projet", "informatique",
        "--fait", "montant_achats_annuel=60M€", "--date", "2026-11-30", "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)["faits"]["montant_achats_annuel"] == 60_000_000


def test_date_travel(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(
        capsys, "obligations", "--etablissement", "commune", "--projet", "travaux_batiment",
        "--fait", "nature_travaux=construction", "--date", "2031-01-01", "--json",
    )  # fmt: skip
    by_id = {o["id"]: o for o in json.loads(out)["obligations"]}
    assert by_id["materiaux_biosources"]["statut"] == "applicable"


def test_default_date_is_today(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "obligations", "--etablissement", "commune", "--projet", "vehicules", "--json"
    )
    assert code == 0
    assert len(json.loads(out)["date"]) == 10


@pytest.mark.parametrize(
    "argv",
    [
        ["--etablissement", "mairie", "--projet", "vehicules"],
        ["--etablissement", "commune", "--projet", "voitures"],
        ["--etablissement", "commune", "--projet", "vehicules", "--fait", "flotte=3"],
        ["--etablissement", "commune", "--projet", "vehicules", "--fait", "taille_flotte=beaucoup"],
        ["--etablissement", "commune", "--projet", "vehicules", "--fait", "taille_flotte=-4"],
        ["--etablissement", "commune", "--projet", "vehicules", "--fait", "taille_flotte"],
        ["--etablissement", "commune", "--projet", "vehicules", "--date", "30/11/2026"],
        [
            "--etablissement",
            "commune",
            "--projet",
            "travaux_batiment",
            "--fait",
            "nature_travaux=peinture",
        ],
    ],
)
def test_bad_input_exit_2_nothing_on_stdout(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, "obligations", *argv, "--json")
    assert code == 2
    assert out == ""
    assert err.startswith("Erreur : ")


def test_kb_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb", "check")
    assert code == 0
    assert "30 obligations" in out


def test_kb_check_reports_problems_with_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("obligations.yml", "leviers.yml", "etablissements.yml", "categories.yml"):
        if (KNOWLEDGE_DIR / name).exists():
            shutil.copy(KNOWLEDGE_DIR / name, tmp_path / name)
    text = (tmp_path / "obligations.yml").read_text(encoding="utf-8")
    (tmp_path / "obligations.yml").write_text(
        text.replace("leviers: [operat,", "leviers: [inconnu,"), encoding="utf-8"
    )
    monkeypatch.setattr("bot.paths.KNOWLEDGE_DIR", tmp_path)
    code, out, _ = run(capsys, "kb", "check")
    assert code == 1
    assert "obligations.yml:" in out and "inconnu" in out


def test_the_territory_fact_picks_the_overseas_egalim_rate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "obligations", "--etablissement", "commune", "--projet", "restauration_collective",
        "--fait", "territoire=mayotte", "--date", "2026-12-03", "--json",
    )  # fmt: skip
    assert code == 0
    egalim = next(o for o in json.loads(out)["obligations"] if o["id"] == "egalim_qualite_durable")
    assert any("Mayotte" in p for p in egalim["precisions"])
    assert not any("En métropole" in p for p in egalim["precisions"])


def test_the_entite_adjudicatrice_fact_is_read_from_its_button(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "obligations", "--etablissement", "entreprise_publique", "--projet", "nettoyage",
        "--fait", "montant_marche=300000", "--fait", "entite_adjudicatrice=Oui, activité de réseau",
        "--date", "2026-12-03", "--json",
    )  # fmt: skip
    assert code == 0
    ids = {o["id"] for o in json.loads(out)["obligations"]}
    assert "cr_condition_sociale" not in ids and "donnees_essentielles" in ids

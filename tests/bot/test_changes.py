"""What starts or ends in a window (bot/changes.py) and `python -m bot kb changes`."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.changes import Change, changes_replies, detect_horizon, horizon_window, list_changes
from bot.cli import main
from bot.knowledge import get_knowledge

TODAY = dt.date(2026, 12, 3)
WINDOW = (dt.date(2026, 12, 1), dt.date(2027, 12, 31))


def keys(changes: list[Change]) -> set[tuple[str, str, str]]:
    return {(c.date.isoformat(), c.obligation, c.type) for c in changes}


def test_the_window_lists_starts_and_ends_sorted_by_date() -> None:
    changes = list_changes(get_knowledge(), *WINDOW)
    found = keys(changes)
    # CE2 stops counting after 31 Dec 2026; the State's 70 % vehicle rate starts on 1 Jan 2027.
    assert ("2026-12-31", "egalim_qualite_durable", "fin") in found
    assert ("2027-01-01", "egalim_qualite_durable", "debut") in found
    assert ("2027-01-01", "vehicules_faibles_emissions", "debut") in found
    assert ("2026-12-31", "vehicules_faibles_emissions", "fin") in found
    # The 2026-2027 EU thresholds end on 31 Dec 2027, with no known successor yet.
    ends = [c for c in changes if c.source == "seuil" and c.type == "fin"]
    assert ends and all(c.date == dt.date(2027, 12, 31) for c in ends)
    assert "pas encore dans la base" in ends[0].texte
    assert [c.date for c in changes] == sorted(c.date for c in changes)
    assert all(WINDOW[0] <= c.date <= WINDOW[1] for c in changes)


def test_both_ends_of_the_window_are_included() -> None:
    knowledge = get_knowledge()
    day = dt.date(2027, 1, 1)
    assert ("2027-01-01", "vehicules_faibles_emissions", "debut") in keys(
        list_changes(knowledge, day, day)
    )
    assert not list_changes(knowledge, dt.date(2027, 1, 2), dt.date(2027, 1, 2))


def test_the_profile_filters_the_changes() -> None:
    knowledge = get_knowledge()
    state = keys(list_changes(knowledge, *WINDOW, "etat_central", "vehicules"))
    commune = keys(list_changes(knowledge, *WINDOW, "commune", "vehicules"))
    assert ("2027-01-01", "vehicules_faibles_emissions", "debut") in state
    assert ("2027-01-01", "vehicules_faibles_emissions", "debut") not in commune
    assert not any(obligation == "egalim_qualite_durable" for _, obligation, _ in state)
    catering = keys(list_changes(knowledge, *WINDOW, "commune", "restauration_collective"))
    assert ("2026-12-31", "egalim_qualite_durable", "fin") in catering
    # Neither the State's threshold row nor the EPE precision (140 000 €) is a commune's.
    commune_texts = " ".join(
        c.texte for c in list_changes(knowledge, *WINDOW, "commune", "informatique")
    )
    assert "216 000" in commune_texts and "140 000" not in commune_texts


def test_an_obligation_start_is_a_change() -> None:
    changes = list_changes(get_knowledge(), dt.date(2030, 1, 1), dt.date(2030, 1, 1))
    assert ("2030-01-01", "materiaux_biosources", "debut") in keys(changes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("qu'est-ce qui change en 2027 ?", "2027"),
        ("Quelles obligations pour 2028", "2028"),
        ("qu'est-ce qui change l'an prochain ?", "an_prochain"),
        ("et l'année prochaine pour une commune", "an_prochain"),
        ("les obligations à venir", "a_venir"),
        ("ce qui change bientôt", "a_venir"),
        ("quelles obligations pour une commune ?", None),
        ("on a 2 500 repas par jour", None),
    ],
)
def test_the_horizon_is_read_from_the_message(text: str, expected: str | None) -> None:
    assert detect_horizon(text) == expected


def test_a_year_window_includes_the_last_day_of_the_year_before() -> None:
    start, end, said = horizon_window("2027", TODAY)
    assert (start, end) == (dt.date(2026, 12, 31), dt.date(2027, 12, 31)) and said == "en 2027"
    assert horizon_window("an_prochain", TODAY)[:2] == (start, end)
    assert horizon_window("a_venir", TODAY)[:2] == (TODAY, dt.date(2027, 12, 31))


def test_the_chat_answer_for_a_known_type() -> None:
    replies = changes_replies(get_knowledge(), "2027", TODAY, "etat_central", "vehicules")
    text = replies[0].text
    assert text.startswith("Ce qui change en 2027 pour un service central de l'État")
    assert "70 %" in text and "1er janvier 2027" in text
    assert "conseil juridique" in replies[-1].text
    assert not any(r.buttons for r in replies)


def test_the_chat_answer_without_type_says_so_and_offers_the_types() -> None:
    replies = changes_replies(get_knowledge(), "2027", TODAY)
    assert "l'ensemble des acheteurs publics" in replies[0].text
    buttons = replies[1].buttons
    assert len(buttons) == 10
    assert buttons[0]["payload"] == '/ask_changes{"establishment_type": "etat_central"}'


def test_a_window_without_change_says_so() -> None:
    replies = changes_replies(get_knowledge(), "2045", TODAY, "commune", "mobilier")
    assert "aucun changement" in replies[0].text


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "kb", "changes", "--from", "2026-12-01", "--to", "2027-12-31", "--json"
    )
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["du"] == "2026-12-01" and data["au"] == "2027-12-31"
    first = data["changements"][0]
    assert set(first) == {"date", "obligation", "titre", "type", "texte", "source"}
    assert first["date"] == "2026-12-31" and first["type"] in ("debut", "fin")


def test_cli_text_with_a_profile(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "kb", "changes", "--from", "2026-12-01", "--to", "2027-12-31",
        "--etablissement", "etat_central", "--projet", "vehicules",
    )  # fmt: skip
    assert code == 0
    assert out.startswith("Changements du 1er décembre 2026 au 31 décembre 2027")
    assert "2027-01-01  début  vehicules_faibles_emissions" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--from", "2026-13-01", "--to", "2027-12-31"],
        ["--from", "demain", "--to", "2027-12-31"],
        ["--to", "2027-12-31"],
        ["--from", "2027-12-31", "--to", "2026-12-01"],
        ["--from", "2026-12-01", "--to", "2027-12-31", "--etablissement", "mairie"],
        ["--from", "2026-12-01", "--to", "2027-12-31", "--projet", "voitures"],
    ],
)
def test_cli_bad_input_exit_2_nothing_on_stdout(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, "kb", "changes", *argv)
    assert code == 2 and out == ""
    assert err.startswith("Erreur : ")


def test_cli_unknown_kb_action(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "kb", "purge")
    assert code == 2 and out == "" and "changes" in err

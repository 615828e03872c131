"""The knowledge base loads, and a broken file fails loudly with its file and line."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeError, get_knowledge, load_knowledge
from bot.paths import KNOWLEDGE_DIR


@pytest.fixture()
def kb_dir(tmp_path: Path) -> Path:
    for name in ("obligations.yml", "leviers.yml", "etablissements.yml", "categories.yml"):
        if (KNOWLEDGE_DIR / name).exists():
            shutil.copy(KNOWLEDGE_DIR / name, tmp_path / name)
    return tmp_path


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    return next(
        i
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if needle in line
    )


def test_repository_knowledge_is_valid() -> None:
    knowledge = get_knowledge()
    assert len(knowledge.obligations) == 30
    for obligation in knowledge.obligations:
        assert obligation.references and obligation.sources
        assert len(knowledge.levers_of(obligation)) >= 2
        for reference in obligation.references:
            assert reference.url.startswith("https://www.legifrance.gouv.fr/")


def test_uncertain_items_from_the_brief_are_flagged() -> None:
    knowledge = get_knowledge()
    for obligation_id in (
        "cr_condition_sociale",
        "agec_reemploi_recycle",
        "papier_recycle",
        "egalim_plan_proteines",
        "vehicules_faibles_emissions",
    ):
        obligation = knowledge.obligation(obligation_id)
        assert obligation.incertain and obligation.note_incertitude


def test_types_and_categories_come_from_the_vocabulary_files() -> None:
    knowledge = get_knowledge()
    assert "commune" in knowledge.etablissements
    assert "vehicules" in knowledge.categories
    assert (
        knowledge.etablissements.label("commune") != "commune"
        or not (KNOWLEDGE_DIR / "etablissements.yml").exists()
    )


def test_unknown_category_is_reported_with_file_and_line(kb_dir: Path) -> None:
    path = kb_dir / "obligations.yml"
    replace(
        path,
        'categories: [fournitures_bureau]\n    depuis: "2017-01-01"',
        'categories: [fournitures_bureaux]\n    depuis: "2017-01-01"',
    )
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(kb_dir)
    problem = error.value.problems[0]
    assert problem.file == "obligations.yml"
    assert problem.line == line_of(path, "fournitures_bureaux")
    assert "fournitures_bureaux" in problem.message


def test_misspelt_key_is_an_error(kb_dir: Path) -> None:
    path = kb_dir / "obligations.yml"
    replace(
        path, '    verification: "Repris de BRIEF §4."', '    verfication: "Repris de BRIEF §4."'
    )
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(kb_dir)
    assert error.value.problems[0].line == line_of(path, "verfication")


def test_dangling_lever_and_unknown_fact_are_errors(kb_dir: Path) -> None:
    path = kb_dir / "obligations.yml"
    replace(path, "leviers: [operat,", "leviers: [operat_inconnu,")
    replace(
        path,
        '{fait: taille_flotte, op: ">", valeur: 20}',
        '{fait: taille_flote, op: ">", valeur: 20}',
    )
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(kb_dir)
    messages = " ".join(p.message for p in error.value.problems)
    assert "operat_inconnu" in messages and "taille_flote" in messages
    assert str(error.value).count("obligations.yml:") == 2


def test_missing_source_is_an_error(kb_dir: Path) -> None:
    path = kb_dir / "obligations.yml"
    replace(path, '    sources: ["BRIEF §4", "LEGAL_REVIEW.md §2.15"]', "    sources: []")
    with pytest.raises(KnowledgeError):
        load_knowledge(kb_dir)


def test_uncertain_without_note_is_an_error(kb_dir: Path) -> None:
    path = kb_dir / "obligations.yml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    note_incertitude: \"Numéro d'article")
    end = text.index("\n", start) + 1
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(KnowledgeError, match="note_incertitude"):
        load_knowledge(kb_dir)


def test_invalid_yaml_gives_the_line(kb_dir: Path) -> None:
    path = kb_dir / "leviers.yml"
    path.write_text("leviers:\n  - id: a\n    titre: [non fermé\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(kb_dir)
    assert error.value.problems[0].file == "leviers.yml"
    assert error.value.problems[0].line >= 3


def test_stale_items_are_listed() -> None:
    knowledge = get_knowledge()
    assert knowledge.stale_items(dt.date(2026, 12, 1)) == []
    stale = knowledge.stale_items(dt.date(2028, 1, 1))
    assert "obligation:spaser" in stale and "levier:operat" in stale


def test_a_cue_word_given_for_two_facts_is_an_error(kb_dir: Path) -> None:
    path = kb_dir / "obligations.yml"
    replace(path, 'indices: ["bus", ', 'indices: ["véhicules", "bus", ')
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(kb_dir)
    assert "véhicules" in str(error.value)

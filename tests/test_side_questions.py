"""Questions asked while a form waits: one table (scripts/gen_side_question_rules.py) generates
the rules, and every form's free-text slots must leave those intents to the rules."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_side_question_rules", ROOT / "scripts" / "gen_side_question_rules.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _generator()


def _domain() -> dict[str, Any]:
    merged: dict[str, Any] = {"forms": {}, "slots": {}, "responses": {}, "actions": []}
    for path in sorted((ROOT / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in ("forms", "slots", "responses"):
            merged[key].update(part.get(key) or {})
        merged["actions"] += part.get("actions") or []
    return merged


DOMAIN = _domain()


def test_the_generated_rules_are_up_to_date() -> None:
    assert GENERATOR.main(["--check"]) == 0


def test_every_form_of_the_domain_answers_side_questions() -> None:
    assert set(GENERATOR.FORMS) == set(DOMAIN["forms"])


def test_every_answer_exists_in_the_domain() -> None:
    for action in GENERATOR.ANSWERS.values():
        assert action in DOMAIN["actions"] or action in DOMAIN["responses"] or action == "utter_faq"


@pytest.mark.parametrize("form", sorted(GENERATOR.FORMS))
def test_free_text_slots_leave_side_intents_to_the_rules(form: str) -> None:
    side = set(GENERATOR.FORMS[form])
    for slot in DOMAIN["forms"][form]["required_slots"]:
        for mapping in DOMAIN["slots"][slot].get("mappings") or []:
            if mapping.get("type") != "from_text" or "intent" in mapping:
                continue
            loops = {c.get("active_loop") for c in mapping.get("conditions") or []}
            if loops and form not in loops:
                continue
            missing = side - set(mapping.get("not_intent") or [])
            assert not missing, f"{slot} would swallow {sorted(missing)} while {form} waits"

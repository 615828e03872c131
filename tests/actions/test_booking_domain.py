"""The booking actions and domain/booking.yml agree (a typo would only show in a live chat)."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import yaml
from rasa_sdk import Action

from bot.paths import ROOT

MODULES = [
    "list_spaser_sessions",
    "ask_spaser_session_id",
    "validate_spaser_booking_form",
    "show_spaser_booking_summary",
    "book_spaser_session",
    "validate_booking_check_form",
    "validate_booking_cancel_form",
    "check_booking",
    "cancel_booking",
]


def _domain() -> dict[str, object]:
    return dict(yaml.safe_load((ROOT / "domain" / "booking.yml").read_text(encoding="utf-8")))


def test_each_booking_action_is_declared_and_lives_in_its_own_module() -> None:
    names = []
    for module_name in MODULES:
        module = importlib.import_module(f"actions.{module_name}")
        classes = [
            c
            for _, c in inspect.getmembers(module, inspect.isclass)
            if issubclass(c, Action) and c.__module__ == module.__name__
            and not inspect.isabstract(c)
        ]  # fmt: skip
        assert len(classes) == 1, module_name
        name = classes[0]().name()
        assert name.endswith(module_name), (module_name, name)
        names.append(name)
    assert sorted(names) == sorted(_domain()["actions"])  # type: ignore[arg-type]


def test_each_form_has_its_validator_and_each_form_slot_is_asked() -> None:
    domain = _domain()
    forms: dict[str, dict[str, list[str]]] = domain["forms"]  # type: ignore[assignment]
    responses: dict[str, object] = domain["responses"]  # type: ignore[assignment]
    actions: list[str] = domain["actions"]  # type: ignore[assignment]
    for form, spec in forms.items():
        assert f"validate_{form}" in actions
        for slot in spec["required_slots"]:
            assert f"utter_ask_{slot}" in responses or f"action_ask_{slot}" in actions, slot


def test_the_extra_intent_has_training_examples() -> None:
    data = yaml.safe_load(Path(ROOT / "data/nlu/booking_extra.yml").read_text(encoding="utf-8"))
    (block,) = data["nlu"]
    assert block["intent"] == "choose_session"
    assert len(block["examples"].strip().splitlines()) >= 10

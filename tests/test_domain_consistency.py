"""The Python code and the domain agree: every action exists on both sides, every response too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk.executor import ActionExecutor

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture(scope="module")
def registered_actions() -> set[str]:
    executor = ActionExecutor()
    executor.register_package("actions")
    return set(executor.actions)


def test_every_registered_action_is_in_the_domain(
    domain: Domain, registered_actions: set[str]
) -> None:
    missing = registered_actions - set(domain.action_names_or_texts)
    assert not missing, f"actions absentes du domaine : {sorted(missing)}"


def test_every_custom_action_of_the_domain_is_registered(
    domain: Domain, registered_actions: set[str]
) -> None:
    # Rasa's own defaults (action_listen, action_two_stage_fallback…) need no code; the rest do.
    from rasa.shared.core.constants import DEFAULT_ACTION_NAMES

    custom = {
        name
        for name in domain.user_actions
        if not name.startswith("utter_") and name not in DEFAULT_ACTION_NAMES
    }
    overridden_defaults = {name for name in domain.user_actions if name in DEFAULT_ACTION_NAMES}
    missing = (custom | overridden_defaults) - registered_actions
    assert not missing, f"actions du domaine sans code : {sorted(missing)}"


def test_every_response_named_in_code_exists(domain: Domain) -> None:
    named: set[str] = set()
    for path in [*ROOT.glob("actions/**/*.py"), *ROOT.glob("bot/**/*.py")]:
        named |= set(re.findall(r"[\"'](utter_[a-z0-9_/]+)[\"']", path.read_text()))
    missing = {name for name in named if name not in domain.responses}
    assert not missing, f"réponses inconnues du domaine : {sorted(missing)}"


def test_every_intent_of_the_contract_is_declared(domain: Domain) -> None:
    contract = {
        "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "help", "out_of_scope",
        "inform", "ask_obligations", "ask_levers", "find_facilitator", "find_green_desk",
        "book_spaser", "cancel_booking", "check_booking", "human_handoff", "faq",
    }  # fmt: skip
    assert contract <= set(domain.intents)


def test_every_faq_sub_intent_has_an_answer(domain: Domain) -> None:
    keys = {
        "spaser", "pnad", "marche_inclusion", "rapidd", "clause_verte", "guide_social",
        "egalite_femmes_hommes", "guichet_vert", "facilitateur", "marches_reserves",
        "ma_cantine", "autodiagnostic",
    }  # fmt: skip
    missing = {key for key in keys if f"utter_faq/{key}" not in domain.responses}
    assert not missing, f"FAQ sans réponse : {sorted(missing)}"

"""Regression gate on the held-out French test set (tests/nlu/, never trained on).

The targets are 0.95 (docs/benchmarks.md records the figures of `make nlu-report`); this gate
fails below 0.90 so that a regression cannot land.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parent.parent
GATE = 0.90


def _report() -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("nlu_report", ROOT / "scripts" / "nlu_report.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.evaluate(str(ROOT / "models"), ROOT / "tests" / "nlu")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return _report()


def test_intent_macro_f1(report: dict[str, Any]) -> None:
    assert report["intent_macro_f1"] >= GATE, report["confusions"]


def test_canonical_entities(report: dict[str, Any]) -> None:
    assert report["canonical_entity_accuracy"] >= GATE, report["entity_pairs"]


def test_faq_answers(report: dict[str, Any]) -> None:
    assert report["faq_answer_accuracy"] >= GATE

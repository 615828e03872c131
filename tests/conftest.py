"""Shared test fixtures and service guards."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


def service_unavailable(what: str) -> None:
    """Skip the test on a laptop without `what`, but fail it in CI (CI=true)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} est requis en CI mais indisponible")
    pytest.skip(f"{what} indisponible")

"""The stack the browser tests drive: action server, Rasa server (trained model) and web app on
free ports, plus Debian's chromium (Playwright never downloads a browser) and axe-core."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import service_unavailable
from tests.conversation import ROOT, free_port, start_action_server

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WEB_SECRET = "secret-de-test-" + "x" * 32


def chromium_path() -> str | None:
    """Debian's chromium (Playwright must never download a browser)."""
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


def wait_http(url: str, process: subprocess.Popen[bytes], what: str, timeout_s: float) -> None:
    """Wait until `url` answers, failing early if `process` died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} s'est arrêté (code {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{what} n'a pas démarré en {timeout_s:.0f} s")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core (from npm, served by the app so the page's CSP allows it) on the whole page."""
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    result: dict[str, Any] = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


def require_browser_prerequisites() -> None:
    """Chromium, the web assets and a trained model; skip (fail under CI=true) without them."""
    if chromium_path() is None:
        service_unavailable("chromium (apt-get install -y chromium)")
    if not (ROOT / "bot/web/static/vendor/axe-core/axe.min.js").exists():
        pytest.fail("ressources web absentes : lancez `make assets`")
    if not any((ROOT / "models").glob("*.tar.gz")):
        pytest.fail("aucun modèle : lancez `make train`")


@contextmanager
def running_stack(
    tmp: Path, env: Mapping[str, str], database_url: str, tracker: Path | None = None
) -> Iterator[dict[str, str]]:
    """Start the three servers on `database_url` (and a SQL tracker store when `tracker` is
    given); yield their base URLs ("web", "rasa"); stop them afterwards."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        actions, action_url = start_action_server(database_url)
        processes.append(actions)
        rasa_port, web_port = free_port(), free_port()
        endpoints = f'action_endpoint:\n  url: "{action_url}"\n'
        if tracker is not None:
            endpoints += f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{tracker}"\n'
        (tmp / "endpoints.yml").write_text(endpoints)
        (tmp / "credentials.yml").write_text("rest:\n")
        rasa_log = (tmp / "rasa.log").open("wb")
        rasa = subprocess.Popen(
            [sys.executable, "-m", "rasa", "run", "--model", str(ROOT / "models"),
             "--endpoints", str(tmp / "endpoints.yml"),
             "--credentials", str(tmp / "credentials.yml"),
             "--interface", "127.0.0.1", "--port", str(rasa_port)],
            cwd=ROOT, env=dict(env), stdout=rasa_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        processes.append(rasa)
        web_env = {**env, "WEB_PORT": str(web_port), "RASA_PORT": str(rasa_port)}
        web_env["WEB_SECRET"] = WEB_SECRET
        if tracker is not None:
            web_env["TRACKER_DB_URL"] = f"sqlite:///{tracker}"
        web = subprocess.Popen([sys.executable, "-m", "bot.web"], cwd=ROOT, env=web_env)
        processes.append(web)
        wait_http(f"http://127.0.0.1:{web_port}/sante", web, "l'application web", 60)
        wait_http(f"http://127.0.0.1:{rasa_port}/", rasa, "le serveur Rasa", 300)
        yield {"web": f"http://127.0.0.1:{web_port}", "rasa": f"http://127.0.0.1:{rasa_port}"}
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

"""The chat widget in a real browser: Debian's chromium driven by Playwright, against the trained
model, a real action server, a Rasa server and the web app, all on free ports.

A buyer opens the widget with the keyboard, asks a question, clicks buttons, sees the obligation
card, types a script that must stay text, loses the connection and gets it back, reloads the
page and finds the conversation; axe-core finds no violation; a screenshot is saved for the
README (docs/img/widget.png) and as a test artefact (results/browser/).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import service_unavailable
from tests.conversation import ROOT, free_port, start_action_server

pytestmark = pytest.mark.browser

QUESTION = "Je suis une commune, quelles obligations pour la restauration collective ?"
SCRIPT = "<script>alert(1)</script>"
ARTEFACTS = ROOT / "results" / "browser"
SCREENSHOT = ROOT / "docs" / "img" / "widget.png"
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
ANSWER_TIMEOUT_MS = 120_000


def chromium_path() -> str | None:
    """Debian's chromium (Playwright must never download a browser)."""
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


def wait_http(url: str, process: subprocess.Popen[bytes], what: str, timeout_s: float) -> None:
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


@pytest.fixture(scope="module")
def web_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Action server + Rasa server (trained model) + web app; yields the page's URL."""
    if chromium_path() is None:
        service_unavailable("chromium (apt-get install -y chromium)")
    if not (ROOT / "bot/web/static/vendor/axe-core/axe.min.js").exists():
        pytest.fail("ressources web absentes : lancez `make assets`")
    if not any((ROOT / "models").glob("*.tar.gz")):
        pytest.fail("aucun modèle : lancez `make train`")
    tmp = tmp_path_factory.mktemp("browser")
    database_url = f"sqlite:///{tmp / 'web.db'}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
    }
    for command in (["db", "upgrade"], ["sessions", "seed"]):
        subprocess.run([sys.executable, "-m", "bot", *command], cwd=ROOT, env=env, check=True)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        actions, action_url = start_action_server(database_url)
        processes.append(actions)
        rasa_port, web_port = free_port(), free_port()
        (tmp / "endpoints.yml").write_text(f'action_endpoint:\n  url: "{action_url}"\n')
        (tmp / "credentials.yml").write_text("rest:\n")
        rasa_log = (tmp / "rasa.log").open("wb")
        rasa = subprocess.Popen(
            [sys.executable, "-m", "rasa", "run", "--model", str(ROOT / "models"),
             "--endpoints", str(tmp / "endpoints.yml"),
             "--credentials", str(tmp / "credentials.yml"),
             "--interface", "127.0.0.1", "--port", str(rasa_port)],
            cwd=ROOT, env=env, stdout=rasa_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        processes.append(rasa)
        web = subprocess.Popen(
            [sys.executable, "-m", "bot.web"],
            cwd=ROOT,
            env={**env, "WEB_PORT": str(web_port), "RASA_PORT": str(rasa_port),
                 "WEB_SECRET": "secret-de-test-" + "x" * 32},
        )  # fmt: skip
        processes.append(web)
        wait_http(f"http://127.0.0.1:{web_port}/sante", web, "l'application web", 60)
        wait_http(f"http://127.0.0.1:{rasa_port}/", rasa, "le serveur Rasa", 300)
        yield f"http://127.0.0.1:{web_port}/"
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core (from npm, served by the app so the page's CSP allows it) on the whole page."""
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    result: dict[str, Any] = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


def tab_to(page: Any, element_id: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} n'est pas atteignable au clavier")


def last_bot_text(page: Any) -> str:
    return str(page.locator("#aad-log .aad-msg--bot").last.inner_text())


def test_a_buyer_uses_the_widget_with_the_keyboard(browser: Any, web_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: errors.append(f"boîte de dialogue JavaScript : {d.message}"))
    page.goto(web_url)
    assert page.locator("html").get_attribute("lang") == "fr"

    # Keyboard: Tab to the launcher, Enter opens, the focus goes to the message field.
    tab_to(page, "aad-launcher")
    page.keyboard.press("Enter")
    dialog = page.locator("#aad-dialog")
    dialog.wait_for(state="visible")
    assert page.locator("#aad-launcher").get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.id") == "aad-input"
    assert page.locator("#aad-log").get_attribute("aria-live") == "polite"

    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    card = page.locator(".aad-carte--obligations").last
    for _ in range(5):  # the bot may first ask a deciding fact: answer with its button
        page.wait_for_function(
            "() => document.querySelectorAll('#aad-log > *').length > 2 && "
            "document.getElementById('aad-typing').hidden",
            timeout=ANSWER_TIMEOUT_MS,
        )
        if card.count():
            break
        page.locator("#aad-log button", has_text="Je ne sais pas").last.click()
        page.wait_for_timeout(300)
    card.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
    assert page.locator("#aad-log .aad-msg--user").first.inner_text().endswith(QUESTION)
    assert card.locator(".fr-card").count() >= 3
    assert "EGalim" in card.inner_text() or "restauration" in card.inner_text().lower()
    assert card.locator("a[href^='https://www.legifrance.gouv.fr']").count() >= 1
    # The card replaces the per-obligation texts: each title appears once in the log.
    first_title = card.locator(".fr-card__title").first.inner_text()
    assert page.locator("#aad-log").inner_text().count(first_title) == 1

    # The obligation list with its buttons, mid-journey: the README's screenshot.
    page.evaluate(
        """() => {
            window.scrollTo(0, 0);
            const log = document.getElementById('aad-log');
            const card = [...log.querySelectorAll('.aad-carte--obligations')].pop();
            log.scrollTop = card.offsetTop - log.offsetTop - 8;
        }"""
    )
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "widget.png"))
    shutil.copyfile(ARTEFACTS / "widget.png", SCREENSHOT)

    # A card button: its title is shown as the user's message, the answer follows.
    before = page.locator("#aad-log .aad-msg--bot").count()
    card.locator("button", has_text="Comment faire ?").first.click()
    page.wait_for_function(
        f"() => document.querySelectorAll('#aad-log .aad-msg--bot').length > {before}",
        timeout=ANSWER_TIMEOUT_MS,
    )
    assert page.locator("#aad-log .aad-msg--user").last.inner_text().endswith("Comment faire ?")
    assert "Comment faire" in last_bot_text(page)

    axe = axe_violations(page)
    (ARTEFACTS / "axe.json").write_text(str(axe))
    assert axe == [], axe

    # A script typed by the user is shown as text, never run.
    page.locator("#aad-input").fill(SCRIPT)
    page.keyboard.press("Enter")
    user = page.locator("#aad-log .aad-msg--user").last
    user.wait_for()
    assert user.inner_text().endswith(SCRIPT)
    assert page.locator("#aad-log script").count() == 0
    page.wait_for_function(
        "() => document.getElementById('aad-typing').hidden", timeout=ANSWER_TIMEOUT_MS
    )

    # Connection lost: a French notice, then the message goes through once back online.
    context.set_offline(True)
    page.locator("#aad-input").fill("merci")
    page.keyboard.press("Enter")
    notice = page.locator("#aad-notice")
    notice.wait_for(state="visible", timeout=10_000)
    assert "Connexion perdue" in notice.inner_text()
    context.set_offline(False)
    notice.wait_for(state="hidden", timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_function(
        "() => document.getElementById('aad-typing').hidden", timeout=ANSWER_TIMEOUT_MS
    )

    # Escape closes and gives the focus back to the launcher.
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == "aad-launcher"
    assert page.locator("#aad-launcher").get_attribute("aria-expanded") == "false"

    # A reload keeps the conversation (same signed cookie, history in sessionStorage).
    page.reload()
    page.locator("#aad-launcher").click()
    assert QUESTION in page.locator("#aad-log").inner_text()
    assert page.locator(".aad-carte--obligations").count() >= 1
    # The only console error allowed is the request refused while offline, on purpose.
    errors = [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e]
    assert errors == [], errors
    context.close()


@pytest.mark.parametrize(
    ("viewport", "scale"),
    [
        ({"width": 375, "height": 667}, 2),  # a phone
        ({"width": 640, "height": 450}, 2),  # 1280 × 900 at 200 % zoom
    ],
)
def test_the_widget_fits_small_screens_and_200_percent_zoom(
    browser: Any, web_url: str, viewport: dict[str, int], scale: int
) -> None:
    context = browser.new_context(viewport=viewport, device_scale_factor=scale, locale="fr-FR")
    page = context.new_page()
    page.goto(web_url)
    page.locator("#aad-launcher").click()
    box = page.locator("#aad-dialog").bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 0.5
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] + 0.5
    for selector in ("#aad-input", "#aad-send", "#aad-close"):
        assert page.locator(selector).is_visible(), selector
        inner = page.locator(selector).bounding_box()
        assert inner is not None and inner["x"] + inner["width"] <= viewport["width"] + 0.5
    no_scroll = "() => document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_scroll)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"widget-{viewport['width']}x{viewport['height']}.png"))
    assert axe_violations(page) == []
    context.close()

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
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conversation import ROOT
from tests.web.stack import axe_violations, require_browser_prerequisites, running_stack

pytestmark = pytest.mark.browser

QUESTION = "Je suis une commune, quelles obligations pour la restauration collective ?"
SCRIPT = "<script>alert(1)</script>"
ARTEFACTS = ROOT / "results" / "browser"
SCREENSHOT = ROOT / "docs" / "img" / "widget.png"
ANSWER_TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def web_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Action server + Rasa server (trained model) + web app; yields the page's URL."""
    require_browser_prerequisites()
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
    with running_stack(tmp, env, database_url) as urls:
        yield urls["web"] + "/"


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
    assert dialog.get_attribute("aria-modal") == "false"  # a side panel: the page stays usable
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


def wait_answer(page: Any, bot_messages_before: int) -> None:
    page.wait_for_function(
        "(n) => document.querySelectorAll('#aad-log .aad-msg--bot, #aad-log .aad-carte').length"
        " > n && document.getElementById('aad-typing').hidden",
        arg=bot_messages_before,
        timeout=ANSWER_TIMEOUT_MS,
    )


def ask(page: Any, text: str) -> None:
    before = page.locator("#aad-log .aad-msg--bot, #aad-log .aad-carte").count()
    page.locator("#aad-input").fill(text)
    page.keyboard.press("Enter")
    wait_answer(page, before)


def test_contact_and_session_cards_in_a_new_conversation(browser: Any, web_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(web_url)
    page.locator("#aad-launcher").click()
    ask(page, "bonjour")
    page.locator("#aad-new").click()
    page.wait_for_function("() => document.querySelectorAll('#aad-log > *').length === 1")
    assert "bonjour" not in page.locator("#aad-log .aad-msg--user").all_inner_texts()

    ask(page, "je cherche le guichet vert de ma région")
    ask(page, "33000")
    contacts = page.locator(".aad-carte--contacts").last
    contacts.wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert "3AR" in contacts.inner_text() and "Nouvelle-Aquitaine" in contacts.inner_text()
    assert page.locator("#aad-log").inner_text().count("Ce qu'il propose") == 0  # no duplicate

    ask(page, "je voudrais m'inscrire à une session de la mission SPASER")
    sessions = page.locator(".aad-carte--sessions").last
    sessions.wait_for(timeout=ANSWER_TIMEOUT_MS)
    choose = sessions.locator("button", has_text="Choisir la session du")
    assert choose.count() >= 1
    before = page.locator("#aad-log .aad-msg--bot, #aad-log .aad-carte").count()
    choose.first.click()
    wait_answer(page, before)
    assert "nom" in last_bot_text(page).lower()
    page.screenshot(path=str(ARTEFACTS / "widget-cartes.png"))
    assert axe_violations(page) == []
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
    # Full screen, the dialog is modal: Tab from the last control comes back inside it.
    assert page.locator("#aad-dialog").get_attribute("aria-modal") == "true"
    page.locator("#aad-send").focus()
    page.keyboard.press("Tab")
    assert page.evaluate(
        "() => document.getElementById('aad-dialog').contains(document.activeElement)"
    )
    no_scroll = "() => document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_scroll)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"widget-{viewport['width']}x{viewport['height']}.png"))
    assert axe_violations(page) == []
    context.close()

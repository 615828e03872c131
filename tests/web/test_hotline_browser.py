"""The hand-over journey in a real browser: Debian's chromium driven by Playwright, against the
trained model, a real action server, a Rasa server and the web app, all on free ports.

A buyer asks the widget for an adviser; an agent logs in to the console (keyboard), sees the
ticket in the queue, reads its summary, takes it and replies; the reply appears in the widget
without the buyer typing; the agent closes the ticket, the closing note appears, and the bot
answers the buyer's next question again. A REST conversation gets its reply on its next
message. axe-core finds no violation on the console; a screenshot is saved for the README
(docs/img/console.png) and as a test artefact (results/browser/).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conversation import ROOT
from tests.web.stack import axe_violations, require_browser_prerequisites, running_stack

pytestmark = pytest.mark.browser

PASSWORD = "mot de passe de test 2026"
AGENT = "agent.test"
ADMIN = "equipe.programme"
REPLY = "Bonjour, ici Camille de la hotline : je regarde votre question sur le SPASER."
ARTEFACTS = ROOT / "results" / "browser"
SCREENSHOT = ROOT / "docs" / "img" / "console.png"
ANSWER_TIMEOUT_MS = 120_000
POLL_TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Action server + Rasa (trained model) + web app, and a hotline account; their URLs."""
    require_browser_prerequisites()
    tmp = tmp_path_factory.mktemp("hotline")
    database_url = f"sqlite:///{tmp / 'web.db'}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        # The hand-over message depends on the hours; the journey must not.
        "HOTLINE_DAYS": "1-7",
        "HOTLINE_OPENS": "00:00",
        "HOTLINE_CLOSES": "23:59",
    }
    bot = [sys.executable, "-m", "bot"]
    subprocess.run([*bot, "db", "upgrade"], cwd=ROOT, env=env, check=True)
    # The account is made with the documented command, the password on stdin.
    subprocess.run(
        [*bot, "hotline", "add-user", AGENT], cwd=ROOT, env=env, check=True,
        input=(PASSWORD + "\n").encode(),
    )  # fmt: skip
    subprocess.run(
        [*bot, "hotline", "add-user", ADMIN, "--role", "admin"], cwd=ROOT, env=env, check=True,
        input=(PASSWORD + "\n").encode(),
    )  # fmt: skip
    with running_stack(tmp, env, database_url, tracker=tmp / "tracker.db") as urls:
        yield urls


def rest_say(rasa: str, sender: str, message: str) -> list[str]:
    request = urllib.request.Request(
        f"{rasa}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return [m.get("text", "") for m in json.loads(response.read())]


def bot_count(page: Any) -> int:
    return int(page.locator("#aad-log .aad-msg--bot").count())


def widget_say(page: Any, text: str) -> None:
    before = bot_count(page)
    page.locator("#aad-input").fill(text)
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('#aad-log .aad-msg--bot').length > {before} && "
        "document.getElementById('aad-typing').hidden",
        timeout=ANSWER_TIMEOUT_MS,
    )


def console_login(page: Any, base: str, user: str = AGENT) -> None:
    page.goto(f"{base}/hotline")
    assert page.url.startswith(f"{base}/hotline/connexion")  # nothing without logging in
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent.trim()") == "Contenu"
    for _ in range(20):  # then the login field, by keyboard only
        if page.evaluate("document.activeElement.id") == "identifiant":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "identifiant"
    page.keyboard.type(user)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "mot_de_passe"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/hotline")


def test_a_hotline_agent_answers_a_widget_conversation(browser: Any, stack: dict[str, str]) -> None:
    base = stack["web"]
    buyer_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    buyer = buyer_context.new_page()
    errors: list[str] = []
    buyer.on("pageerror", lambda error: errors.append(str(error)))
    buyer.goto(base + "/")
    buyer.locator("#aad-launcher").click()
    widget_say(buyer, "Je voudrais des informations sur le SPASER pour ma commune")
    widget_say(buyer, "Je veux parler à un conseiller")
    handed = buyer.locator("#aad-log .aad-msg--bot").last.inner_text()
    assert "n°" in handed or "hotline" in handed.lower(), handed

    agent_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    agent = agent_context.new_page()
    agent.on("pageerror", lambda error: errors.append(str(error)))
    console_login(agent, base)
    queue = agent.locator("#file-active")
    assert "En attente" in queue.text_content()  # badges are shown in capitals
    assert axe_violations(agent) == []
    queue.locator("a", has_text="Ticket n").first.click()
    agent.wait_for_url(f"{base}/hotline/tickets/*")
    assert "SPASER" in agent.locator("#transcription").inner_text()
    assert agent.locator("#resume").inner_text().strip()

    agent.locator("#prendre").click()
    agent.locator("#fait").wait_for()
    assert "Pris en charge" in agent.locator("#statut").text_content()
    agent.locator("#reponse").fill(REPLY)
    agent.locator("#envoyer").click()
    agent.locator("#fait").wait_for()
    assert REPLY in agent.locator("#transcription").inner_text()
    assert axe_violations(agent) == []
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    agent.evaluate("() => window.scrollTo(0, 0)")
    agent.screenshot(path=str(ARTEFACTS / "console.png"), full_page=True)
    shutil.copyfile(ARTEFACTS / "console.png", SCREENSHOT)

    # The reply reaches the buyer's widget without the buyer typing (the widget polls).
    buyer.locator("#aad-log .aad-msg--bot", has_text=REPLY).wait_for(timeout=POLL_TIMEOUT_MS)
    assert "Conseiller de la hotline" in buyer.locator("#aad-log").inner_text()

    agent.locator("#clore").click()
    agent.locator("#fait").wait_for()
    assert "Clos" in agent.locator("#statut").text_content()
    buyer.locator("#aad-log .aad-msg--bot", has_text="a clos l'échange").first.wait_for(
        timeout=POLL_TIMEOUT_MS
    )

    # The bot answers again.
    widget_say(buyer, "Je suis une commune, quelles obligations pour la restauration collective ?")
    last = buyer.locator("#aad-log").inner_text()
    assert "Conseiller de la hotline" not in last.split("restauration collective ?")[-1]
    assert buyer.locator("#aad-log .aad-msg--bot").count() > 4
    # The closing note the poll showed is not said a second time by the bot.
    assert buyer.locator("#aad-log").inner_text().count("a clos l'échange") == 1
    assert errors == [], errors

    # Logged out, the console is closed again.
    agent.locator("#deconnexion").click()
    agent.wait_for_url(f"{base}/hotline/connexion*")
    agent.goto(f"{base}/hotline")
    assert agent.url.startswith(f"{base}/hotline/connexion")
    buyer_context.close()
    agent_context.close()


def test_a_rest_conversation_gets_the_reply_on_its_next_message(
    browser: Any, stack: dict[str, str]
) -> None:
    sender = "rest-appelant-1"
    rest_say(stack["rasa"], sender, "Je veux parler à un conseiller")
    context = browser.new_context(locale="fr-FR")
    agent = context.new_page()
    console_login(agent, stack["web"])
    agent.locator("#file-active a", has_text="Ticket n").last.click()
    agent.locator("#reponse").fill("Réponse pour le canal REST.")
    agent.locator("#envoyer").click()
    agent.locator("#fait").wait_for()
    answers = rest_say(stack["rasa"], sender, "Vous êtes là ?")
    assert any("Réponse pour le canal REST." in a for a in answers), answers
    agent.locator("#clore").click()
    agent.locator("#fait").wait_for()
    resumed = rest_say(stack["rasa"], sender, "Bonjour")
    assert any("a clos l'échange" in a for a in resumed), resumed
    context.close()


def test_the_programme_team_sees_the_analytics_and_the_triage_box_works(
    browser: Any, stack: dict[str, str]
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    console_login(page, stack["web"], ADMIN)
    page.locator("a.fr-nav__link", has_text="Statistiques").click()
    page.wait_for_url(f"{stack['web']}/hotline/statistiques")
    # The conversations of the tests above are in Rasa's tracker store.
    assert int(page.locator("#chiffre-conversations").inner_text()) >= 2
    assert "Transfert à la hotline" in page.locator("#table-parcours").inner_text()
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.hotline-chart')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    assert axe_violations(page) == []
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "statistiques.png"), full_page=True)

    # The triage box, with the trained model loaded by the web app on first use.
    page.locator("a.fr-nav__link", has_text="Tri d'un appel").click()
    page.locator("#texte").fill(
        "Bonjour, je suis acheteuse à la mairie de Talence, nous renouvelons 30 véhicules."
    )
    # The first triage loads the model (tens of seconds on a busy machine).
    page.set_default_navigation_timeout(ANSWER_TIMEOUT_MS)
    page.set_default_timeout(ANSWER_TIMEOUT_MS)
    page.locator("#trier").click()
    page.locator("#resultat").wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert "Nouvelle-Aquitaine" in page.locator("#tri-resume").inner_text() or (
        "33" in page.locator("#resultat").inner_text()
    )
    assert page.locator("#tri-obligations li").count() >= 1
    assert axe_violations(page) == []
    page.screenshot(path=str(ARTEFACTS / "triage.png"), full_page=True)
    context.close()

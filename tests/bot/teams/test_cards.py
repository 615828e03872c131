"""Rendering the bot's messages for Teams: structure of the activities and cards."""

from __future__ import annotations

from typing import Any

from bot.teams.cards import ADAPTIVE_CARD, MAX_ACTIONS_PER_SET, render_turn, teams_markdown

OBLIGATIONS: dict[str, Any] = {
    "carte": {
        "type": "obligations",
        "titre": "Vos obligations (commune, restauration collective)",
        "elements": [
            {
                "titre": "EGalim : 50 % de produits durables",
                "sous_titre": "Applicable depuis le 1er janvier 2022",
                "texte": "Au moins **50 %** en valeur, dont 20 % bio.",
                "lien": {
                    "titre": "Code rural, art. L230-5-1",
                    "url": "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000043975233",
                },
                "boutons": [{"title": "Comment faire ?", "payload": '/ask_levers{"id": "x"}'}],
            },
            {
                "titre": "Menu végétarien",
                "sous_titre": None,
                "texte": None,
                "lien": None,
                "boutons": [],
            },
            {"titre": "Lien douteux", "lien": {"titre": "clic", "url": "javascript:alert(1)"}},
        ],
        "boutons": [{"title": "Télécharger le récapitulatif", "payload": "/show_recap"}],
    }
}


def cards(activity: dict[str, Any]) -> list[dict[str, Any]]:
    assert all(a["contentType"] == ADAPTIVE_CARD for a in activity["attachments"])
    return [a["content"] for a in activity["attachments"]]


def actions(element: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for item in element.get("items", element.get("body", [])):
        if item["type"] == "ActionSet":
            found.extend(item["actions"])
    return found


def test_texts_of_a_turn_are_one_message() -> None:
    (activity,) = render_turn([{"text": "Bonjour."}, {"text": "Ligne 1\nLigne 2"}])
    assert activity["type"] == "message"
    assert activity["text"] == "Bonjour.\n\nLigne 1\n\nLigne 2"
    assert "attachments" not in activity


def test_buttons_become_messageback_actions_with_the_payload_unchanged() -> None:
    payload = '/choose_session{"spaser_session_id": "3"}'
    (activity,) = render_turn(
        [{"text": "Quelle session ?", "buttons": [{"title": "Webinaire", "payload": payload}]}]
    )
    (card,) = cards(activity)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.2"
    assert card["body"][0] == {"type": "TextBlock", "text": "Quelle session ?", "wrap": True}
    (action,) = actions(card)
    assert action["type"] == "Action.Submit"
    assert action["title"] == "Webinaire"
    assert action["data"]["msteams"]["type"] == "messageBack"
    assert action["data"]["msteams"]["text"] == payload
    assert action["data"]["msteams"]["displayText"] == "Webinaire"
    assert action["data"]["payload"] == payload


def test_many_buttons_are_cut_into_rows() -> None:
    buttons = [{"title": f"Choix {n}", "payload": f"/choix{n}"} for n in range(12)]
    (activity,) = render_turn([{"text": "Choisissez", "buttons": buttons}])
    (card,) = cards(activity)
    rows = [item for item in card["body"] if item["type"] == "ActionSet"]
    assert [len(r["actions"]) for r in rows] == [MAX_ACTIONS_PER_SET, MAX_ACTIONS_PER_SET, 2]
    assert [a["title"] for a in actions(card)] == [b["title"] for b in buttons]


def test_an_obligations_carte_is_one_card_with_a_container_per_element() -> None:
    (activity,) = render_turn([{"text": "Voici ce qui s'applique."}, {"custom": OBLIGATIONS}])
    assert activity["text"] == "Voici ce qui s'applique."
    (card,) = cards(activity)
    assert card["body"][0]["text"] == "Vos obligations (commune, restauration collective)"
    assert card["body"][0]["weight"] == "Bolder"
    containers = [item for item in card["body"] if item["type"] == "Container"]
    assert len(containers) == 3
    first = containers[0]
    texts = [i["text"] for i in first["items"] if i["type"] == "TextBlock"]
    assert texts == [
        "EGalim : 50 % de produits durables",
        "Applicable depuis le 1er janvier 2022",
        "Au moins **50 %** en valeur, dont 20 % bio.",
    ]
    link, how = actions(first)
    assert link == {
        "type": "Action.OpenUrl",
        "title": "Code rural, art. L230-5-1",
        "url": "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000043975233",
    }
    assert how["data"]["msteams"]["text"] == '/ask_levers{"id": "x"}'
    # Missing parts leave no empty blocks; a non-web link is not made clickable.
    assert [i["text"] for i in containers[1]["items"]] == ["Menu végétarien"]
    assert actions(containers[2]) == []
    assert [a["title"] for a in actions(card)[-1:]] == ["Télécharger le récapitulatif"]


def test_contacts_links_may_be_mail_and_phone() -> None:
    carte = {
        "carte": {
            "type": "contacts",
            "titre": "Guichet vert",
            "elements": [{"titre": "3AR", "lien": {"titre": "Écrire", "url": "mailto:a@b.fr"}}],
        }
    }
    (activity,) = render_turn([{"custom": carte}])
    assert activity["summary"] == "Guichet vert"  # the notification of a card-only message
    container = cards(activity)[0]["body"][1]
    assert actions(container)[0]["url"] == "mailto:a@b.fr"


def test_files_are_shown_folded_to_copy() -> None:
    ics = {"ics": {"filename": "spaser-ABC123.ics", "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR"}}
    recap = {"fichier": {"filename": "recap.txt", "mime": "text/plain", "content": "Récap"}}
    (activity,) = render_turn([{"text": "C'est confirmé !"}, {"custom": ics}, {"custom": recap}])
    first, second = cards(activity)
    assert "spaser-ABC123.ics" in first["body"][0]["text"]
    (show,) = actions(first)
    assert show["type"] == "Action.ShowCard"
    assert show["card"]["body"][0]["text"].startswith("BEGIN:VCALENDAR")
    assert "recap.txt" in second["body"][0]["text"]


def test_reading_order_is_kept_across_activities() -> None:
    turn = [
        {"text": "Intro"},
        {"text": "Choisissez", "buttons": [{"title": "Oui", "payload": "/affirm"}]},
        {"text": "Après la carte"},
        {"custom": {"inconnu": True}},
    ]
    first, second = render_turn(turn)
    assert first["text"] == "Intro"
    assert cards(first)[0]["body"][0]["text"] == "Choisissez"
    assert second == {"type": "message", "textFormat": "markdown", "text": "Après la carte"}


def test_an_oversized_turn_is_split_one_card_per_activity() -> None:
    big = {"text": "x" * 15_000, "buttons": [{"title": "Oui", "payload": "/affirm"}]}
    activities = render_turn([big, big])
    assert len(activities) == 2
    assert all(len(a["attachments"]) == 1 for a in activities)


def test_teams_markdown_makes_each_line_a_paragraph() -> None:
    assert teams_markdown("**Titre**\n- a\n\n- b\r\n[lien](https://x.fr)") == (
        "**Titre**\n\n- a\n\n- b\n\n[lien](https://x.fr)"
    )


def test_the_texts_a_carte_replaces_are_not_repeated() -> None:
    carte = {**OBLIGATIONS["carte"], "remplace": ["EGalim : 50 % (texte détaillé)"]}
    turn = [
        {"text": "Voici vos obligations."},
        {
            "text": "EGalim : 50 % (texte détaillé)",
            "buttons": [{"title": "Détails", "payload": "/x"}],
        },
        {"custom": {"carte": carte}},
    ]
    activities = render_turn(turn)
    dumped = str(activities)
    assert "texte détaillé" not in dumped  # shown by the card, not twice
    assert "Voici vos obligations." in dumped
    assert len(cards(activities[0])) == 1

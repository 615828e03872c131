"""Programme analytics from tracker events: counts per day and channel, journeys, obligations,
regions, fallback and hand-over rates, and masked messages the bot did not understand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine

from bot.analytics import EventRow, build_report, mask, read_events, to_csv
from bot.territory import load_territories

T0 = 1_796_000_000.0  # 2026-11-30 in the afternoon, Paris


def user(sender: str, text: str, intent: str, t: float = T0, channel: str = "rest") -> EventRow:
    return EventRow(sender, "user", t, intent, None, {"text": text, "input_channel": channel})


def action(sender: str, name: str, t: float = T0) -> EventRow:
    return EventRow(sender, "action", t, None, name, {})


def slot(sender: str, name: str, value: Any, t: float = T0) -> EventRow:
    return EventRow(sender, "slot", t, None, None, {"name": name, "value": value})


EVENTS = [
    user("a", "Je suis une commune, restauration scolaire", "ask_obligations"),
    action("a", "action_list_obligations"),
    slot("a", "obligation_id", "egalim_qualite_durable"),
    slot("a", "obligation_id", "egalim_qualite_durable"),
    user("b", "Je cherche un facilitateur", "find_facilitator", channel="socketio"),
    slot("b", "routing_place", "dep:33"),
    slot("b", "routing_place", "dep:33"),  # same conversation: counted once
    action("b", "action_find_contact"),
    user("c", "zzkq mon mail est jean.dupont@example.fr, tel 06 12 34 56 78", "nlu_fallback"),
    user("c", "/affirm", "affirm"),  # a button payload: not a typed message
    user("c", "Je veux parler à un conseiller", "human_handoff", t=T0 + 86_400),
    action("c", "action_hand_over"),
    action("d", "action_list_obligations"),  # completed without starting: not counted
]


def report() -> Any:
    titles = {"egalim_qualite_durable": "50 % de produits durables"}
    return build_report(EVENTS, load_territories(), titles)


def test_conversations_are_counted_per_day_and_channel() -> None:
    figures = report()
    assert figures.conversations == 3
    assert figures.per_day_channel == (
        ("2026-11-30", "rest", 2),
        ("2026-11-30", "socketio", 1),
        ("2026-12-01", "rest", 1),
    )


def test_journeys_obligations_regions_and_rates() -> None:
    figures = report()
    journeys = {label: (begun, done) for label, begun, done in figures.journeys}
    assert journeys["Autodiagnostic"] == (1, 1)
    assert journeys["Facilitateur ou guichet vert"] == (1, 1)
    assert journeys["Transfert à la hotline"] == (1, 1)
    assert journeys["Inscription SPASER"] == (0, 0)
    assert figures.top_obligations == (("50 % de produits durables", 2),)
    assert figures.top_regions == (("Nouvelle-Aquitaine", 1),)
    assert figures.user_messages == 4 and figures.fallback_messages == 1
    assert figures.fallback_rate == 0.25
    assert round(figures.handover_rate, 3) == 0.333


def test_messages_not_understood_carry_no_personal_data() -> None:
    figures = report()
    ((message, count),) = figures.not_understood
    assert count == 1
    assert "jean.dupont" not in message and "06 12" not in message
    assert "[courriel]" in message and "[téléphone]" in message
    assert mask("dossier 123456789") == "dossier [nombre]"
    csv_text = to_csv(figures)
    assert "jean.dupont" not in csv_text and "sender" not in csv_text
    assert "conversations;total;3;" in csv_text
    # No conversation id anywhere in the export.
    assert all(f";{sender};" not in csv_text for sender in "abcd")


def test_the_tracker_store_is_read_without_rasa(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    assert read_events(url) == []  # no table yet: no figures, no error
    engine = create_engine(url)
    metadata = MetaData()
    events = Table(
        "events", metadata,
        Column("id", Integer, primary_key=True), Column("sender_id", String(255)),
        Column("type_name", String(255)), Column("timestamp", Float),
        Column("intent_name", String(255)), Column("action_name", String(255)),
        Column("data", Text),
    )  # fmt: skip
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            events.insert(),
            [
                {"sender_id": "x", "type_name": "user", "timestamp": T0,
                 "intent_name": "greet", "action_name": None,
                 "data": json.dumps({"text": "Bonjour", "input_channel": "rest"})},
                {"sender_id": "x", "type_name": "user", "timestamp": T0 - 90 * 86_400,
                 "intent_name": "greet", "action_name": None, "data": "{}"},
            ],
        )  # fmt: skip
    engine.dispose()
    rows = read_events(url, since=T0 - 86_400)
    assert [(r.sender_id, r.type_name, r.data.get("text")) for r in rows] == [
        ("x", "user", "Bonjour")
    ]

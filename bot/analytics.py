"""Programme analytics from Rasa's tracker store: conversations per day and channel, journeys
started and completed, top obligations and regions asked, fallback and hand-over rates, and the
messages the bot failed to understand (with e-mails, phone numbers and long numbers masked).

No personal data leaves here: conversations are only counted (never their ids), and the quoted
messages are masked, shortened and grouped. Pure Python over event rows; `read_events()` reads
the SQL tracker store (its `events` table) without Rasa.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, inspect, text

from bot.settings import get_settings
from bot.territory import PlaceError, Territories

FALLBACK_INTENTS = frozenset({"nlu_fallback"})
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "action_default_ask_affirmation"})


@dataclass(frozen=True)
class Journey:
    """A journey of BRIEF §3: the intents that start it, the actions that complete it."""

    label: str
    starts: frozenset[str]
    ends: frozenset[str]


JOURNEYS = (
    Journey(
        "Autodiagnostic", frozenset({"ask_obligations"}), frozenset({"action_list_obligations"})
    ),
    Journey(
        "Facilitateur ou guichet vert",
        frozenset({"find_facilitator", "find_green_desk"}),
        frozenset({"action_find_contact"}),
    ),
    Journey(
        "Inscription SPASER", frozenset({"book_spaser"}), frozenset({"action_book_spaser_session"})
    ),
    Journey(
        "Transfert à la hotline", frozenset({"human_handoff"}), frozenset({"action_hand_over"})
    ),
)


@dataclass(frozen=True)
class EventRow:
    """One tracker event: its conversation, kind, time (epoch s), intent or action, and data."""

    sender_id: str
    type_name: str
    timestamp: float
    intent_name: str | None
    action_name: str | None
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Report:
    """The figures of the analytics page and of its CSV export."""

    conversations: int
    per_day_channel: tuple[tuple[str, str, int], ...]
    journeys: tuple[tuple[str, int, int], ...]
    top_obligations: tuple[tuple[str, int], ...]
    top_regions: tuple[tuple[str, int], ...]
    user_messages: int
    fallback_messages: int
    handed_over: int
    not_understood: tuple[tuple[str, int], ...]

    @property
    def fallback_rate(self) -> float:
        """Share of user messages the bot did not understand."""
        return self.fallback_messages / self.user_messages if self.user_messages else 0.0

    @property
    def handover_rate(self) -> float:
        """Share of conversations handed to the hotline."""
        return self.handed_over / self.conversations if self.conversations else 0.0


_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b")
_PHONE = re.compile(r"(\+33\s?|0)[1-9]([\s.-]?\d{2}){4}")
_LONG_NUMBER = re.compile(r"\d{6,}")


def mask(message: str, limit: int = 120) -> str:
    """The message without e-mails, phone numbers or long numbers, on one line, shortened."""
    message = _EMAIL.sub("[courriel]", message)
    message = _PHONE.sub("[téléphone]", message)
    message = _LONG_NUMBER.sub("[nombre]", message)
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"


def read_events(url: str, since: float | None = None) -> list[EventRow]:
    """The events of the SQL tracker store at `url` (empty when it has no events table)."""
    engine = create_engine(url)
    try:
        if not inspect(engine).has_table("events"):
            return []
        query = (
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events"
            + (" WHERE timestamp >= :since" if since is not None else "")
            + " ORDER BY id"
        )
        with engine.connect() as connection:
            rows = connection.execute(text(query), {"since": since} if since is not None else {})
            events = []
            for sender, kind, moment, intent, action, data in rows:
                try:
                    parsed = json.loads(data) if data else {}
                except ValueError:
                    parsed = {}
                events.append(
                    EventRow(str(sender), str(kind), float(moment or 0), intent, action, parsed)
                )
            return events
    finally:
        engine.dispose()


def _day(moment: float) -> str:
    zone = ZoneInfo(get_settings().timezone)
    return datetime.fromtimestamp(moment, tz=timezone.utc).astimezone(zone).date().isoformat()


def _region_of(key: object, territories: Territories) -> str | None:
    if not isinstance(key, str) or not key:
        return None
    with contextlib.suppress(PlaceError, KeyError, ValueError):
        return str(territories.from_key(key).region.nom)
    return None


def build_report(
    events: Iterable[EventRow],
    territories: Territories,
    obligation_titles: Mapping[str, str],
    top: int = 10,
) -> Report:
    """The figures of a set of tracker events."""
    days: dict[tuple[str, str], set[str]] = defaultdict(set)
    conversations: set[str] = set()
    started: dict[str, set[str]] = defaultdict(set)
    completed: dict[str, set[str]] = defaultdict(set)
    obligations: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    region_seen: set[tuple[str, str]] = set()
    not_understood: Counter[str] = Counter()
    user_messages = fallback_messages = 0
    handed: set[str] = set()
    for event in events:
        sender = event.sender_id
        if event.type_name == "user":
            text_value = str(event.data.get("text") or "")
            if text_value.startswith("/"):
                continue  # a button payload, not a typed message
            conversations.add(sender)
            channel = str(event.data.get("input_channel") or "inconnu")
            days[(_day(event.timestamp), channel)].add(sender)
            user_messages += 1
            intent = event.intent_name or ""
            for journey in JOURNEYS:
                if intent in journey.starts:
                    started[journey.label].add(sender)
            if intent in FALLBACK_INTENTS:
                fallback_messages += 1
                if text_value.strip():
                    not_understood[mask(text_value)] += 1
        elif event.type_name == "action":
            action = event.action_name or ""
            for journey in JOURNEYS:
                if action in journey.ends and sender in started[journey.label]:
                    completed[journey.label].add(sender)
            if action == "action_hand_over":
                handed.add(sender)
        elif event.type_name == "slot":
            name, value = event.data.get("name"), event.data.get("value")
            if name == "obligation_id" and isinstance(value, str) and value in obligation_titles:
                obligations[obligation_titles[value]] += 1
            elif name == "routing_place":
                region = _region_of(value, territories)
                if region is not None and (sender, region) not in region_seen:
                    region_seen.add((sender, region))
                    regions[region] += 1
    return Report(
        conversations=len(conversations),
        per_day_channel=tuple(
            (day, channel, len(senders)) for (day, channel), senders in sorted(days.items())
        ),
        journeys=tuple((j.label, len(started[j.label]), len(completed[j.label])) for j in JOURNEYS),
        top_obligations=tuple(obligations.most_common(top)),
        top_regions=tuple(regions.most_common(top)),
        user_messages=user_messages,
        fallback_messages=fallback_messages,
        handed_over=len(handed),
        not_understood=tuple(not_understood.most_common(top * 2)),
    )


def to_csv(report: Report) -> str:
    """The report as CSV (indicateur;clé;valeur[;valeur 2]), for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["indicateur", "cle", "valeur", "valeur_2"])
    writer.writerow(["conversations", "total", report.conversations, ""])
    for day, channel, count in report.per_day_channel:
        writer.writerow(["conversations_par_jour", f"{day} {channel}", count, ""])
    for label, begun, done in report.journeys:
        writer.writerow(["parcours_commences_termines", label, begun, done])
    for label, count in report.top_obligations:
        writer.writerow(["obligations_demandees", label, count, ""])
    for label, count in report.top_regions:
        writer.writerow(["regions", label, count, ""])
    writer.writerow(["incomprehension", "messages", report.fallback_messages, report.user_messages])
    writer.writerow(
        ["transfert_hotline", "conversations", report.handed_over, report.conversations]
    )
    for message, count in report.not_understood:
        writer.writerow(["messages_non_compris", message, count, ""])
    return out.getvalue()


def since_days(days: int, today: date | None = None) -> float:
    """The epoch time `days` days before today (UTC midnight)."""
    start = (today or datetime.now(timezone.utc).date()).toordinal() - days
    return datetime.combine(date.fromordinal(start), datetime.min.time(), timezone.utc).timestamp()

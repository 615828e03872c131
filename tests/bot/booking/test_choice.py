"""A session typed in words instead of clicked."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.booking.choice import match_session, parse_session_id
from bot.booking.repository import SessionView


def _session(session_id: int, start: datetime) -> SessionView:
    return SessionView(
        id=session_id,
        title="Webinaire",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        format="en_ligne",
        place=None,
        capacity=10,
        seats_taken=0,
        waiting=0,
        status="open",
    )


OFFERED = [
    _session(4, datetime(2027, 1, 14, 9, tzinfo=timezone.utc)),
    _session(7, datetime(2027, 1, 28, 13, tzinfo=timezone.utc)),
    _session(9, datetime(2027, 3, 9, 8, 30, tzinfo=timezone.utc)),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", 7),
        ("session 9", 9),
        ("5", None),  # not offered
        ("la première", 4),
        ("je prends la deuxième session", 7),
        ("la dernière", 9),
        ("celle du 28 janvier", 7),
        ("le 1er mars", None),
        ("le 9 mars", 9),
        ("14/01", 4),
        ("n'importe laquelle", None),
    ],
)
def test_match_session(text: str, expected: int | None) -> None:
    assert match_session(text, OFFERED) == expected


def test_parse_session_id_reads_button_values_only() -> None:
    assert parse_session_id("3") == 3
    assert parse_session_id(3) == 3
    assert parse_session_id(None) is None
    assert parse_session_id("trois") is None

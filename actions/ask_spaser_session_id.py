"""`action_ask_spaser_session_id`: the booking form asks for the session by showing the list."""

from __future__ import annotations

from actions._booking_common import SessionListAction


class ActionAskSpaserSessionId(SessionListAction):
    """Shown when no valid session is chosen yet (or the chosen one cannot be booked)."""

    def name(self) -> str:
        """Rasa's name for the question of the `spaser_session_id` slot."""
        return "action_ask_spaser_session_id"

"""`action_list_spaser_sessions`: the upcoming SPASER sessions as buttons (start of journey 4)."""

from __future__ import annotations

from rasa_sdk.events import EventType, SlotSet

from actions._booking_common import WAITLIST_OFFERED, SessionListAction


class ActionListSpaserSessions(SessionListAction):
    """Lists the sessions and forgets any session chosen earlier in the conversation."""

    def name(self) -> str:
        """Rasa's name for the session list."""
        return "action_list_spaser_sessions"

    def extra_events(self) -> list[EventType]:
        """A new booking starts: the previous choice and waiting-list answer no longer hold."""
        return [
            SlotSet("spaser_session_id", None),
            SlotSet("spaser_session_full", None),
            SlotSet("spaser_waitlist", None),
            SlotSet(WAITLIST_OFFERED, None),
        ]

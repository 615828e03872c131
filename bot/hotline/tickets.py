"""Hand-over tickets: opened by the bot, taken, answered and closed by the hotline.

While a conversation has an active ticket (open or taken), the bot does not answer it: the
user's messages are added to the ticket, and the agent's replies wait there until the user's
channel shows them (`take_replies`). One short transaction per call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.booking.db import ensure_schema
from bot.booking.models import utc_now
from bot.hotline.models import ACTIVE_TICKET_STATUSES, TICKET_STATUSES, Ticket, TicketMessage

MAX_MESSAGE_LENGTH = 4000
CLOSING_NOTE = "Le conseiller a clos l'échange. L'assistant reprend la conversation."


class TicketError(ValueError):
    """A bad ticket operation; the message is French."""


@dataclass(frozen=True)
class MessageView:
    """One transcript line."""

    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class TicketView:
    """A ticket with its transcript (oldest first)."""

    id: int
    conversation_id: str
    channel: str
    status: str
    summary: str
    question: str | None
    nlu_confidence: float | None
    agent_login: str | None
    created_at: datetime
    taken_at: datetime | None
    closed_at: datetime | None
    messages: tuple[MessageView, ...] = ()

    @property
    def active(self) -> bool:
        """True while the hotline holds the conversation."""
        return self.status in ACTIVE_TICKET_STATUSES


def _view(ticket: Ticket, messages: Iterable[TicketMessage] = ()) -> TicketView:
    return TicketView(
        id=ticket.id,
        conversation_id=ticket.conversation_id,
        channel=ticket.channel,
        status=ticket.status,
        summary=ticket.summary,
        question=ticket.question,
        nlu_confidence=ticket.nlu_confidence,
        agent_login=ticket.agent_login,
        created_at=ticket.created_at,
        taken_at=ticket.taken_at,
        closed_at=ticket.closed_at,
        messages=tuple(MessageView(m.author, m.text, m.created_at) for m in messages),
    )


def _clean(text: str) -> str:
    text = text.strip()
    if not text:
        raise TicketError("Le message est vide.")
    return text[:MAX_MESSAGE_LENGTH]


def _active(session: Session, conversation_id: str) -> Ticket | None:
    found: Ticket | None = session.execute(
        select(Ticket).where(
            Ticket.conversation_id == conversation_id,
            Ticket.status.in_(ACTIVE_TICKET_STATUSES),
        )
    ).scalar_one_or_none()
    return found


def open_ticket(
    conversation_id: str,
    summary: str,
    *,
    channel: str = "rest",
    question: str | None = None,
    nlu_confidence: float | None = None,
    transcript: Iterable[tuple[str, str]] = (),
    url: str | None = None,
) -> tuple[TicketView, bool]:
    """Open a ticket for the conversation, or return its active one; `created` says which.

    `transcript` holds the last (author, text) lines of the conversation, oldest first.
    """
    engine = ensure_schema(url)
    try:
        with Session(engine) as session, session.begin():
            existing = _active(session, conversation_id)
            if existing is not None:
                return _view(existing), False
            ticket = Ticket(
                conversation_id=conversation_id,
                channel=channel,
                status="open",
                summary=summary,
                question=question,
                nlu_confidence=nlu_confidence,
            )
            session.add(ticket)
            session.flush()
            for author, text in transcript:
                if text and text.strip():
                    session.add(
                        TicketMessage(ticket_id=ticket.id, author=author, text=_clean(text))
                    )
            return _view(ticket), True
    except IntegrityError:
        # Two requests raced (double click): the other one created it.
        found = active_ticket(conversation_id, url=url)
        if found is None:
            raise
        return found, False


def active_ticket(conversation_id: str, url: str | None = None) -> TicketView | None:
    """The conversation's open or taken ticket, if any."""
    engine = ensure_schema(url)
    with Session(engine) as session:
        ticket = _active(session, conversation_id)
        return _view(ticket) if ticket is not None else None


def add_user_message(conversation_id: str, text: str, url: str | None = None) -> bool:
    """Add the user's message to the active ticket; False when there is none."""
    engine = ensure_schema(url)
    with Session(engine) as session, session.begin():
        ticket = _active(session, conversation_id)
        if ticket is None:
            return False
        session.add(TicketMessage(ticket_id=ticket.id, author="user", text=_clean(text)))
        return True


def _transition(
    ticket_id: int, agent: str, to: str, allowed: tuple[str, ...], note: str | None, url: str | None
) -> TicketView:
    engine = ensure_schema(url)
    now = utc_now()
    values: dict[str, object] = {"status": to, "agent_login": agent}
    values["taken_at" if to == "taken" else "closed_at"] = now
    with Session(engine) as session, session.begin():
        changed = session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id, Ticket.status.in_(allowed))
            .values(**values)
        ).rowcount
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise TicketError(f"Aucun ticket n° {ticket_id}.")
        if not changed:
            raise TicketError(f"Le ticket n° {ticket_id} est déjà {_STATUS_LABEL[ticket.status]}.")
        if note is not None:
            session.add(TicketMessage(ticket_id=ticket_id, author="system", text=note))
        return _view(ticket)


_STATUS_LABEL = {"open": "ouvert", "taken": "pris en charge", "closed": "clos"}


def take(ticket_id: int, agent: str, url: str | None = None) -> TicketView:
    """An agent takes an open ticket (TicketError if it is taken or closed)."""
    return _transition(ticket_id, agent, "taken", ("open",), None, url)


def close(ticket_id: int, agent: str, url: str | None = None) -> TicketView:
    """Close an active ticket: the bot answers the conversation again and says so."""
    return _transition(ticket_id, agent, "closed", ACTIVE_TICKET_STATUSES, CLOSING_NOTE, url)


def reply(ticket_id: int, agent: str, text: str, url: str | None = None) -> None:
    """Add an agent's reply; it reaches the user through `take_replies`. Taking is implicit."""
    engine = ensure_schema(url)
    with Session(engine) as session, session.begin():
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise TicketError(f"Aucun ticket n° {ticket_id}.")
        if ticket.status == "closed":
            raise TicketError(f"Le ticket n° {ticket_id} est clos : rouvrez une conversation.")
        if ticket.status == "open":
            ticket.status, ticket.agent_login, ticket.taken_at = "taken", agent, utc_now()
        session.add(TicketMessage(ticket_id=ticket_id, author="agent", text=_clean(text)))


def take_replies(conversation_id: str, url: str | None = None) -> list[str]:
    """The agent replies and closing notes not yet shown to the user, marked as shown."""
    engine = ensure_schema(url)
    now = utc_now()
    with Session(engine) as session, session.begin():
        rows = session.execute(
            select(TicketMessage)
            .join(Ticket, Ticket.id == TicketMessage.ticket_id)
            .where(
                Ticket.conversation_id == conversation_id,
                TicketMessage.author.in_(("agent", "system")),
                TicketMessage.delivered_at.is_(None),
            )
            .order_by(TicketMessage.id)
        ).scalars()
        messages = list(rows)
        for message in messages:
            message.delivered_at = now
        return [m.text for m in messages]


def closing_note_shown(conversation_id: str, url: str | None = None) -> bool:
    """True when the conversation's latest ticket is closed and its closing note was already
    shown (the web widget polls for it), so the bot does not say it a second time."""
    engine = ensure_schema(url)
    with Session(engine) as session:
        latest = session.execute(
            select(Ticket)
            .where(Ticket.conversation_id == conversation_id)
            .order_by(Ticket.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if latest is None or latest.status != "closed":
            return False
        shown = session.execute(
            select(TicketMessage.id).where(
                TicketMessage.ticket_id == latest.id,
                TicketMessage.author == "system",
                TicketMessage.text == CLOSING_NOTE,
                TicketMessage.delivered_at.is_not(None),
            )
        ).first()
        return shown is not None


def get_ticket(ticket_id: int, url: str | None = None) -> TicketView:
    """One ticket with its transcript; TicketError when unknown."""
    engine = ensure_schema(url)
    with Session(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise TicketError(f"Aucun ticket n° {ticket_id}.")
        messages = session.execute(
            select(TicketMessage)
            .where(TicketMessage.ticket_id == ticket_id)
            .order_by(TicketMessage.id)
        ).scalars()
        return _view(ticket, messages)


def list_tickets(status: str | None = None, url: str | None = None) -> list[TicketView]:
    """Tickets, oldest first (the queue order), optionally of one status."""
    if status is not None and status not in TICKET_STATUSES:
        raise TicketError(f"Statut inconnu « {status} » : open, taken ou closed.")
    engine = ensure_schema(url)
    query = select(Ticket).order_by(Ticket.created_at, Ticket.id)
    if status is not None:
        query = query.where(Ticket.status == status)
    with Session(engine) as session:
        return [_view(t) for t in session.execute(query).scalars()]

"""Tables of the hotline: staff accounts, hand-over tickets and the messages of a ticket.

They share the booking database's metadata (one schema, one Alembic history). A ticket belongs
to one conversation (the channel's sender id); at most one ticket per conversation is active
(open or taken), which the database enforces.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)

from bot.booking.models import Base, UTCDateTime, utc_now

ROLES = ("agent", "admin")
TICKET_STATUSES = ("open", "taken", "closed")
ACTIVE_TICKET_STATUSES = ("open", "taken")
AUTHORS = ("user", "agent", "bot", "system")


class HotlineUser(Base):
    """A hotline staff account; the password is stored as an Argon2id hash only."""

    __tablename__ = "hotline_users"
    __table_args__ = (CheckConstraint("role IN ('agent', 'admin')", name="role_known"),)

    id = Column(Integer, primary_key=True)
    login = Column(String(100), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(20), nullable=False, server_default="agent")
    # Consecutive failed logins; at the limit the account is locked until `locked_until`.
    failed_logins = Column(Integer, nullable=False, server_default=text("0"))
    locked_until = Column(UTCDateTime(), nullable=True)
    created_at = Column(UTCDateTime(), nullable=False, default=utc_now)


class Ticket(Base):
    """A hand-over request: the conversation it comes from, its summary and its state."""

    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'taken', 'closed')", name="status_known"),
        # One active ticket per conversation: a second « parler à un conseiller » (or a double
        # click) returns the ticket already open.
        Index(
            "uq_tickets_active_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text("status IN ('open', 'taken')"),
            postgresql_where=text("status IN ('open', 'taken')"),
        ),
        Index("ix_tickets_status_created", "status", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False)
    channel = Column(String(50), nullable=False, server_default="rest")
    status = Column(String(20), nullable=False, server_default="open")
    summary = Column(Text, nullable=False)
    question = Column(Text, nullable=True)
    nlu_confidence = Column(Float, nullable=True)
    agent_login = Column(String(100), nullable=True)
    created_at = Column(UTCDateTime(), nullable=False, default=utc_now)
    taken_at = Column(UTCDateTime(), nullable=True)
    closed_at = Column(UTCDateTime(), nullable=True)


class TicketMessage(Base):
    """One line of a ticket's transcript. Agent replies wait in `delivered_at IS NULL` until the
    user's channel has shown them."""

    __tablename__ = "ticket_messages"
    __table_args__ = (
        CheckConstraint("author IN ('user', 'agent', 'bot', 'system')", name="author_known"),
        Index("ix_ticket_messages_ticket", "ticket_id", "id"),
    )

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False)
    author = Column(String(20), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(UTCDateTime(), nullable=False, default=utc_now)
    delivered_at = Column(UTCDateTime(), nullable=True)

"""Sessions and bookings of the mission SPASER (times stored as naive UTC).

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("format", sa.String(length=20), server_default="en_ligne", nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("seats_taken", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="open", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "format IN ('en_ligne', 'presentiel')", name=op.f("ck_sessions_format_known")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'closed', 'cancelled')", name=op.f("ck_sessions_status_known")
        ),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_sessions_capacity_positive")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_sessions_ends_after_start")),
        sa.CheckConstraint("seats_taken <= capacity", name=op.f("ck_sessions_not_overbooked")),
        sa.CheckConstraint("seats_taken >= 0", name=op.f("ck_sessions_seats_taken_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index("ix_sessions_starts_at", ["starts_at"], unique=False)

    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("organisation", sa.String(length=300), nullable=True),
        sa.Column("establishment_type", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("purged_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('confirmed', 'waiting', 'cancelled')", name=op.f("ck_bookings_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_bookings_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_bookings_idempotency_key")),
        sa.UniqueConstraint("reference", name=op.f("uq_bookings_reference")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index("ix_bookings_email", ["email"], unique=False)
        batch_op.create_index(
            "ix_bookings_session_status", ["session_id", "status", "id"], unique=False
        )
        batch_op.create_index(
            "uq_bookings_active_email",
            ["session_id", "email"],
            unique=True,
            sqlite_where=sa.text("status IN ('confirmed', 'waiting')"),
            postgresql_where=sa.text("status IN ('confirmed', 'waiting')"),
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_bookings_active_email",
            sqlite_where=sa.text("status IN ('confirmed', 'waiting')"),
            postgresql_where=sa.text("status IN ('confirmed', 'waiting')"),
        )
        batch_op.drop_index("ix_bookings_session_status")
        batch_op.drop_index("ix_bookings_email")

    op.drop_table("bookings")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_sessions_starts_at")

    op.drop_table("sessions")

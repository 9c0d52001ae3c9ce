"""Coordination meetings and their invitations (RSVP, delegate, attendance).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(12), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("place", sa.String(300)),
        sa.Column("link", sa.String(500)),
        sa.Column("agenda", sa.Text),
        sa.Column("audience", sa.JSON, nullable=False),
        sa.Column("reminder_offsets", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("agreements", sa.Text),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("people.id")),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_meetings_starts_at", "meetings", ["starts_at"])
    op.create_table(
        "meeting_invitations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("meeting_id", sa.Integer, sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("rsvp", sa.String(20), nullable=False),
        sa.Column("delegate_name", sa.String(120)),
        sa.Column("delegate_position", sa.String(120)),
        sa.Column("responded_at", UTCDateTime()),
        sa.Column("attended_at", UTCDateTime()),
        sa.Column("invited_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("meeting_id", "person_id"),
    )
    op.create_index("ix_meeting_invitations_meeting_id", "meeting_invitations", ["meeting_id"])
    op.create_index("ix_meeting_invitations_person_id", "meeting_invitations", ["person_id"])


def downgrade() -> None:
    op.drop_table("meeting_invitations")
    op.drop_table("meetings")

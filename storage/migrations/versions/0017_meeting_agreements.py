"""Meeting agreements to follow up: a responsible invitee, a due date and a status.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_agreements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("meeting_id", sa.Integer, sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("responsible_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("done_at", UTCDateTime()),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("people.id")),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_meeting_agreements_meeting_id", "meeting_agreements", ["meeting_id"])
    op.create_index(
        "ix_meeting_agreements_responsible_id", "meeting_agreements", ["responsible_id"]
    )
    op.create_index("ix_meeting_agreements_due_on", "meeting_agreements", ["due_on"])


def downgrade() -> None:
    op.drop_table("meeting_agreements")

"""Workshops, check-ins, survey ratings, the outbox of owed messages, and app state.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workshops",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(12), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(200)),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("region_code", sa.String(40), sa.ForeignKey("regions.code")),
        sa.Column("place", sa.String(300)),
        sa.Column("facilitator", sa.String(200)),
        sa.Column("capacity", sa.Integer),
        sa.Column("survey_closes_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("people.id")),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("surveys_sent_at", UTCDateTime()),
        sa.Column("reminders_sent_at", UTCDateTime()),
        sa.Column("results_sent_at", UTCDateTime()),
    )
    op.create_index("ix_workshops_starts_at", "workshops", ["starts_at"])
    op.create_index("ix_workshops_ends_at", "workshops", ["ends_at"])
    op.create_table(
        "workshop_attendance",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workshop_id", sa.Integer, sa.ForeignKey("workshops.id"), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("checked_in_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("workshop_id", "person_id"),
    )
    op.create_index("ix_workshop_attendance_workshop_id", "workshop_attendance", ["workshop_id"])
    op.create_index("ix_workshop_attendance_person_id", "workshop_attendance", ["person_id"])
    op.create_table(
        "workshop_ratings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workshop_id", sa.Integer, sa.ForeignKey("workshops.id"), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("overall", sa.Integer),
        sa.Column("content", sa.Integer),
        sa.Column("facilitation", sa.Integer),
        sa.Column("usefulness", sa.Integer),
        sa.Column("organization", sa.Integer),
        sa.Column("comment", sa.Text),
        sa.Column("completed_at", UTCDateTime()),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("workshop_id", "person_id"),
    )
    op.create_index("ix_workshop_ratings_workshop_id", "workshop_ratings", ["workshop_id"])
    op.create_index("ix_workshop_ratings_person_id", "workshop_ratings", ["person_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("dedupe_key", sa.String(120), nullable=False, unique=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("claimed_at", UTCDateTime()),
        sa.Column("sent_at", UTCDateTime()),
        sa.Column("last_error", sa.String(300)),
    )
    op.create_index("ix_outbox_person_id", "outbox", ["person_id"])
    op.create_index("ix_outbox_due_at", "outbox", ["due_at"])
    op.create_index("ix_outbox_state", "outbox", ["state"])
    op.create_table(
        "app_state",
        sa.Column("key", sa.String(60), primary_key=True),
        sa.Column("value", sa.String(300), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("app_state")
    op.drop_table("outbox")
    op.drop_table("workshop_ratings")
    op.drop_table("workshop_attendance")
    op.drop_table("workshops")

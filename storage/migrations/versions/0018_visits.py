"""Study visits and their delegations (invitees, answers, confirmation, travel, leader).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(12), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("destination", sa.String(200), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("audience", sa.JSON, nullable=False),
        sa.Column("reminder_offsets", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("people.id")),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_visits_starts_at", "visits", ["starts_at"])
    op.create_table(
        "visit_participants",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id"), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("answer", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("answered_at", UTCDateTime()),
        sa.Column("confirmed_at", UTCDateTime()),
        sa.Column("travelled_at", UTCDateTime()),
        sa.Column("leader", sa.Boolean),
        sa.Column("invited_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("visit_id", "person_id"),
    )
    op.create_index("ix_visit_participants_visit_id", "visit_participants", ["visit_id"])
    op.create_index("ix_visit_participants_person_id", "visit_participants", ["person_id"])


def downgrade() -> None:
    op.drop_table("visit_participants")
    op.drop_table("visits")

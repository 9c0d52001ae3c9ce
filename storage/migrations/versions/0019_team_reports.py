"""Regional Team monthly reports: one per person and month.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("region_code", sa.String(40), sa.ForeignKey("regions.code"), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("cases", sa.Integer, nullable=False),
        sa.Column("activities", sa.Text, nullable=False),
        sa.Column("difficulties", sa.Text),
        sa.Column("support", sa.Text),
        sa.Column("next_steps", sa.Text),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("person_id", "month"),
    )
    op.create_index("ix_team_reports_person_id", "team_reports", ["person_id"])
    op.create_index("ix_team_reports_region_code", "team_reports", ["region_code"])
    op.create_index("ix_team_reports_month", "team_reports", ["month"])


def downgrade() -> None:
    op.drop_table("team_reports")

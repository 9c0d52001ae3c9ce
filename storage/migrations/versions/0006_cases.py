"""Cases attended by the regional governments, and their history of changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("region_code", sa.String(40), sa.ForeignKey("regions.code"), nullable=False),
        sa.Column("province", sa.String(80)),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("stratum", sa.String(30), nullable=False),
        sa.Column("supported", sa.Boolean, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("formalization_step", sa.String(30)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime()),
    )
    op.create_index("ix_cases_person_id", "cases", ["person_id"])
    op.create_index("ix_cases_region_code", "cases", ["region_code"])
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_index("ix_cases_created_at", "cases", ["created_at"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id")),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("from_value", sa.String(30)),
        sa.Column("to_value", sa.String(30)),
        sa.Column("note", sa.Text),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])
    op.create_index("ix_case_events_at", "case_events", ["at"])


def downgrade() -> None:
    op.drop_table("case_events")
    op.drop_table("cases")

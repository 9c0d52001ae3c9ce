"""An agreement's terms before each change (`meeting_agreement_changes`, written by
storage.repositories.agreements whenever its status, due date or responsible changes):
indicator 2 reads an ended period's agreements as they stood at its end, so one reopened,
re-dated or given to someone else after the end moves no ended period
(tests/test_agreement_changed_after_end).

Changes before this revision were not recorded (only `updated_at`, the last one's time):
agreements changed before it are read as they are now in every period, as every reading
before it printed them; from here on, an ended period no longer moves.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_agreement_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "agreement_id", sa.Integer, sa.ForeignKey("meeting_agreements.id"), nullable=False
        ),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("responsible_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
    )
    op.create_index(
        "ix_meeting_agreement_changes_agreement_id",
        "meeting_agreement_changes",
        ["agreement_id"],
    )


def downgrade() -> None:
    op.drop_table("meeting_agreement_changes")

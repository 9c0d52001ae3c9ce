"""Processed updates: each Telegram update has its effects once, however often it arrives.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processed_updates",
        sa.Column("key", sa.String(60), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_processed_updates_at", "processed_updates", ["at"])


def downgrade() -> None:
    op.drop_table("processed_updates")

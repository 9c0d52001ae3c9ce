"""Updates in hand: each update kept from before Telegram is told it was received until it is
handled, so a process killed meanwhile does not lose it (bot/inbox.py).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, primary_key=True),
        sa.Column("telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
    )
    op.create_index("ix_inbox_updates_telegram_id", "inbox_updates", ["telegram_id"])
    op.create_index("ix_inbox_updates_at", "inbox_updates", ["at"])


def downgrade() -> None:
    op.drop_table("inbox_updates")

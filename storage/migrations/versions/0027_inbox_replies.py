"""The replies an update owes, kept with the commit that records it handled until they are
sent, so a process killed in between does not lose them (bot/owed_replies.py).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_replies",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, primary_key=True),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("replica", sa.String(32), nullable=False),
        sa.Column("replies", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_inbox_replies_telegram_id", "inbox_replies", ["telegram_id"])
    op.create_index("ix_inbox_replies_chat_id", "inbox_replies", ["chat_id"])
    op.create_index("ix_inbox_replies_at", "inbox_replies", ["at"])


def downgrade() -> None:
    op.drop_table("inbox_replies")

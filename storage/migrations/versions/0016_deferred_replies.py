"""Replies held back by Telegram's flood control wait in the outbox: a row may name the chat
(`chat_id`) instead of a registered person (a stranger's greeting has no person yet).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("person_id", existing_type=sa.Integer, nullable=True)
        batch.add_column(sa.Column("chat_id", sa.BigInteger, nullable=True))
    op.create_index("ix_outbox_chat_id", "outbox", ["chat_id"])


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE person_id IS NULL")
    op.drop_index("ix_outbox_chat_id", "outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("chat_id")
        batch.alter_column("person_id", existing_type=sa.Integer, nullable=False)

"""Broadcasts: a coordinator's message to many people (copies are outbox rows).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("people.id")),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("audience", sa.JSON, nullable=False),
        sa.Column("scheduled_at", UTCDateTime(), nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("progress_chat_id", sa.BigInteger),
        sa.Column("progress_message_id", sa.Integer),
        sa.Column("progress_at", UTCDateTime()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime()),
    )


def downgrade() -> None:
    op.drop_table("broadcasts")

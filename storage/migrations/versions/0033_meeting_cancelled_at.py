"""When a meeting was cancelled (`meetings.cancelled_at`, written by
bot.services.meetings.cancel): indicator 1 (and those that borrow its meetings) counts a
meeting as it stood at the period's end, so a cancellation after the end, which the rule
refuses but a direct write could still make, takes no one out of an ended period
(tests/test_cancel_after_end). Meetings cancelled before this revision keep it empty: nothing
recorded when (a meeting's cancellation was not audited), and they stay out of every period,
as every reading before this revision printed them.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("cancelled_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("cancelled_at")

"""The questionnaire after a study visit, one per participant: usefulness 1–5, three things
learned, one practice to apply, equal-opportunity practices seen (and a comment).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visit_participants") as batch:
        batch.add_column(sa.Column("usefulness", sa.Integer))
        batch.add_column(sa.Column("learned", sa.JSON))
        batch.add_column(sa.Column("practice", sa.Text))
        batch.add_column(sa.Column("equality_seen", sa.Boolean))
        batch.add_column(sa.Column("equality_comment", sa.Text))
        batch.add_column(sa.Column("answered_survey_at", UTCDateTime()))


def downgrade() -> None:
    with op.batch_alter_table("visit_participants") as batch:
        for column in (
            "answered_survey_at",
            "equality_comment",
            "equality_seen",
            "practice",
            "learned",
            "usefulness",
        ):
            batch.drop_column(column)

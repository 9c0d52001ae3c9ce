"""A question a specialist answered, taught to Minka as an example question: the article it
should find, and whether `kb ejemplos` wrote it into examples.yaml yet.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("example_article_id", sa.String(60), nullable=True))
        batch.add_column(sa.Column("example_status", sa.String(12), nullable=True))
        batch.create_index("ix_escalations_example_status", ["example_status"])


def downgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.drop_index("ix_escalations_example_status")
        batch.drop_column("example_status")
        batch.drop_column("example_article_id")

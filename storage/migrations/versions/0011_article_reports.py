"""Error reports on Tool Kit articles: an escalation that names the article it is about.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("article_id", sa.String(60)))
        batch.create_index("ix_escalations_article_id", ["article_id"])


def downgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.drop_index("ix_escalations_article_id")
        batch.drop_column("article_id")

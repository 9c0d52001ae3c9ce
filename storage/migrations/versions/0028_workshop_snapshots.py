"""The region and sex a person had when she checked in to a workshop or rated it, kept on
the row (storage/models/workshops.py, `take_snapshot`): reports group workshop parts by
them, not by the profile as it is now. Existing rows take the profile as it is.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

TABLES = ("workshop_attendance", "workshop_ratings")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("region_code", sa.String(40), nullable=True))
            batch.add_column(sa.Column("sex", sa.String(20), nullable=True))
        for column in ("region_code", "sex"):
            op.execute(
                f"UPDATE {table} SET {column} = "
                f"(SELECT people.{column} FROM people WHERE people.id = {table}.person_id)"
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("sex")
            batch.drop_column("region_code")

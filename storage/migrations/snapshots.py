"""Columns that keep the region and sex a person had when she took part in something
(workshops 0028, invitations 0029): added, filled from the profile as it is, and dropped."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from alembic import op


def add_snapshots(tables: Iterable[str]) -> None:
    """Add region_code and sex to each table and fill them from its person's profile now
    (what an existing row can know of the past)."""
    for table in tables:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("region_code", sa.String(40), nullable=True))
            batch.add_column(sa.Column("sex", sa.String(20), nullable=True))
        for column in ("region_code", "sex"):
            op.execute(
                f"UPDATE {table} SET {column} = "
                f"(SELECT people.{column} FROM people WHERE people.id = {table}.person_id)"
            )


def drop_snapshots(tables: Iterable[str]) -> None:
    for table in tables:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("sex")
            batch.drop_column("region_code")

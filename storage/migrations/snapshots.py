"""Columns that keep the region and sex a person had when she took part in something
(workshops 0028, invitations 0029, cases and the Tool Kit 0030): added, filled from the
profile as it is, and dropped."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from alembic import op

BOTH = ("region_code", "sex")
SIZES = {"region_code": 40, "sex": 20}


def add_snapshots(tables: Iterable[str], columns: tuple[str, ...] = BOTH) -> None:
    """Add `columns` (region_code, sex or both) to each table and fill them from its
    person's profile now (what an existing row can know of the past)."""
    for table in tables:
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.add_column(sa.Column(column, sa.String(SIZES[column]), nullable=True))
        for column in columns:
            op.execute(
                f"UPDATE {table} SET {column} = "
                f"(SELECT people.{column} FROM people WHERE people.id = {table}.person_id)"
            )


def drop_snapshots(tables: Iterable[str], columns: tuple[str, ...] = BOTH) -> None:
    for table in tables:
        with op.batch_alter_table(table) as batch:
            for column in reversed(columns):
                batch.drop_column(column)

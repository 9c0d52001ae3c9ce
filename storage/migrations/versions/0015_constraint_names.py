"""Every primary key, unique constraint and foreign key gets the name of the naming convention
(storage.models.NAMING_CONVENTION), so later migrations can drop or alter them by name; on
SQLite an unnamed constraint cannot be altered by batch mode at all.

PostgreSQL: renamed in place (`ALTER TABLE … RENAME CONSTRAINT`). SQLite: each table with a
constraint not named so is rebuilt by batch mode with the convention; its indexes, partial ones
too, are rebuilt the same.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# The convention as it stands at this revision (storage.models may change it later).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def wanted(table: str, inspector: sa.Inspector) -> dict[str, str]:
    """Current name → conventional name for the table's keys and constraints."""
    names: dict[str, str] = {}
    pk = inspector.get_pk_constraint(table)
    if pk["constrained_columns"]:
        names[pk.get("name") or ""] = f"pk_{table}"
    for unique in inspector.get_unique_constraints(table):
        names[unique.get("name") or ""] = f"uq_{table}_{'_'.join(unique['column_names'])}"
    for key in inspector.get_foreign_keys(table):
        column = key["constrained_columns"][0]
        names[key.get("name") or ""] = f"fk_{table}_{column}_{key['referred_table']}"
    return names


def _tables(inspector: sa.Inspector) -> list[str]:
    return [name for name in inspector.get_table_names() if name != "alembic_version"]


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    if bind.dialect.name == "postgresql":
        for table in _tables(inspector):
            for old, new in wanted(table, inspector).items():
                if old != new:
                    op.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT "{old}" TO "{new}"')
        return
    # SQLite (foreign keys are off during migrations: storage.migrate).
    for table in _tables(inspector):
        names = wanted(table, inspector)
        if all(old == new for old, new in names.items()):
            continue
        partial = _partial_indexes(table)
        with op.batch_alter_table(table, recreate="always", naming_convention=NAMING) as batch:
            # Unnamed ones take the convention's name; named otherwise, they are replaced.
            for key in inspector.get_foreign_keys(table):
                new = names[key["name"] or ""]
                if key["name"] and key["name"] != new:
                    batch.drop_constraint(key["name"], type_="foreignkey")
                    batch.create_foreign_key(
                        new,
                        key["referred_table"],
                        key["constrained_columns"],
                        key["referred_columns"],
                    )
            for unique in inspector.get_unique_constraints(table):
                new = names[unique["name"] or ""]
                if unique["name"] and unique["name"] != new:
                    batch.drop_constraint(unique["name"], type_="unique")
                    batch.create_unique_constraint(new, unique["column_names"])
        for sql in partial:  # batch mode rebuilds indexes without their WHERE
            name = sql.split()[2]
            op.execute(f"DROP INDEX IF EXISTS {name}")
            op.execute(sql)


def _partial_indexes(table: str) -> list[str]:
    rows = op.get_bind().execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :table"),
        {"table": table},
    )
    return [sql for (sql,) in rows if sql and " WHERE " in sql.upper()]


def downgrade() -> None:
    """The names stay: they are valid for the previous code too."""

"""Every key and constraint carries the name of the naming convention (issue #15), on SQLite
and PostgreSQL alike, also in a database that held data before migration 0015 named them."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.schema import DEFAULT_NAMING_CONVENTION

from storage.db import Database
from storage.migrate import alembic_config, upgrade
from storage.models import Base
from tests.helpers import registered_official


def _upgrade_to(revision: str):  # type: ignore[no-untyped-def]
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    return run


def expected() -> dict[str, set[str]]:
    """table → names the convention gives its primary key, unique constraints and foreign keys
    (the models' declarations)."""
    names: dict[str, set[str]] = {}
    for table in Base.metadata.sorted_tables:
        found = {f"pk_{table.name}"}
        for constraint in table.constraints:
            columns = [column.name for column in constraint.columns]
            if constraint.__class__.__name__ == "UniqueConstraint":
                found.add(f"uq_{table.name}_{'_'.join(columns)}")
            elif constraint.__class__.__name__ == "ForeignKeyConstraint":
                referred = constraint.referred_table.name  # type: ignore[attr-defined]
                found.add(f"fk_{table.name}_{columns[0]}_{referred}")
        for column in table.columns:  # unique=True on a column
            if column.unique:
                found.add(f"uq_{table.name}_{column.name}")
        names[table.name] = found
    return names


def reflected(connection: Connection) -> dict[str, set[str | None]]:
    inspector = inspect(connection)
    names: dict[str, set[str | None]] = {}
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        found = {inspector.get_pk_constraint(table).get("name")}
        found |= {unique.get("name") for unique in inspector.get_unique_constraints(table)}
        found |= {key.get("name") for key in inspector.get_foreign_keys(table)}
        names[table] = found
    return names


async def test_constraints_are_named_by_the_convention_after_upgrade(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(database_url)
    try:
        # A database created before the convention: Alembic names what migrations create after
        # the models' convention, so the old code's (none) stands in while 0001..0014 run.
        with monkeypatch.context() as before:
            before.setattr(Base.metadata, "naming_convention", DEFAULT_NAMING_CONVENTION)
            async with db.engine.begin() as connection:
                await connection.run_sync(_upgrade_to("0014"))
            async with db.engine.connect() as connection:
                assert await connection.run_sync(reflected) != expected()
        async with db.session() as session:  # rows that reference others, across the swap
            await registered_official(session, 71001, "Ana")
            await session.execute(text("UPDATE people SET region_code = 'puno'"))
        await upgrade(db.engine)
        async with db.engine.connect() as connection:
            assert await connection.run_sync(reflected) == expected()
            count = await connection.scalar(text("SELECT count(*) FROM people"))
            region = await connection.scalar(text("SELECT region_code FROM people"))
            if db.engine.dialect.name == "sqlite":
                assert (await connection.execute(text("PRAGMA foreign_key_check"))).all() == []
        assert (count, region) == (1, "puno")
    finally:
        await db.dispose()

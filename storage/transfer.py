"""Copy every table of one Minka database into another (`python -m bot db migrar-a URL`):
the move from SQLite to PostgreSQL.

Both databases are brought to the newest schema first; the target must look freshly created
(only the rows the migrations themselves seed), so nothing is ever merged or overwritten.
Tables are copied parents first (the foreign keys' order), in batches, values passing through
the column types (SQLite's text dates become PostgreSQL timestamps); PostgreSQL's id sequences
then continue after the copied ids, and each table's row count is compared at the end.
"""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Integer, Table, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import create_engine
from storage.migrate import upgrade
from storage.models import Base

BATCH = 2000
# Which processes are running right now: meaningless in another database, and a copied row
# would count as a live replica there for a while.
SKIPPED = frozenset({"replicas"})
ALIVE_WITHIN = timedelta(seconds=60)


class TransferError(Exception):
    """Why the copy was refused or failed, in Spanish, for the person moving the data."""


@dataclass(frozen=True)
class Copied:
    table: str
    rows: int


def tables() -> list[Table]:
    """Every table, each after the tables its foreign keys point to."""
    return [t for t in Base.metadata.sorted_tables if t.name not in SKIPPED]


async def _counts(connection: AsyncConnection) -> dict[str, int]:
    return {
        table.name: await connection.scalar(select(func.count()).select_from(table)) or 0
        for table in tables()
    }


async def _fresh_counts() -> dict[str, int]:
    """Rows a freshly migrated database holds (the regions the migrations seed)."""
    with tempfile.TemporaryDirectory(prefix="minka-fresh-") as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(folder) / 'fresh.sqlite3'}")
        try:
            await upgrade(engine)
            async with engine.connect() as connection:
                return await _counts(connection)
        finally:
            await engine.dispose()


async def _refuse_if_running(source: AsyncEngine, now: datetime) -> None:
    """`now`: Minka's clock, which its heartbeats (`replicas.seen_at`) are written on."""
    async with source.connect() as connection:
        alive = await connection.scalar(
            select(func.count())
            .select_from(Base.metadata.tables["replicas"])
            .where(Base.metadata.tables["replicas"].c.seen_at > now - ALIVE_WITHIN)
        )
    if alive:
        raise TransferError(
            "Minka está en marcha sobre la base de origen (un proceso dio señales de vida hace "
            "menos de un minuto): deténgalo (sudo systemctl stop minka) y repita la orden."
        )


async def _refuse_if_not_empty(target: AsyncEngine) -> None:
    fresh = await _fresh_counts()
    async with target.connect() as connection:
        counts = await _counts(connection)
    filled = [name for name, count in counts.items() if count != fresh.get(name, 0)]
    if filled:
        raise TransferError(
            "la base de destino ya tiene datos (tablas " + ", ".join(filled) + "): use una "
            "base nueva y vacía (createdb -O usuario minka) para no mezclar datos."
        )


async def _reset_sequences(connection: AsyncConnection) -> None:
    """PostgreSQL: new ids continue after the copied ones."""
    for table in tables():
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, Integer):
            continue
        column = key[0].name
        await connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column}'), "
                f"COALESCE(MAX({column}), 1), MAX({column}) IS NOT NULL) FROM {table.name}"
            )
        )


async def _copy_table(table: Table, reading: AsyncConnection, writing: AsyncConnection) -> int:
    """Copy in primary-key order, BATCH rows at a time (a million article views never sit in
    memory at once)."""
    [key] = table.primary_key.columns  # every table of Minka has a one-column key
    rows, last = 0, None
    while True:
        query = select(table).order_by(key).limit(BATCH)
        if last is not None:
            query = query.where(key > last)
        batch = [dict(row) for row in (await reading.execute(query)).mappings()]
        if not batch:
            return rows
        await writing.execute(insert(table), batch)
        rows += len(batch)
        last = batch[-1][key.name]


async def transfer(
    source: AsyncEngine,
    target: AsyncEngine,
    now: datetime,
    progress: Callable[[Copied], Awaitable[None]] | None = None,
) -> list[Copied]:
    """Copy every table from `source` into the empty `target` (refused while Minka runs on
    `source`, at `now` on Minka's clock); the copied row counts."""
    await upgrade(source)
    await _refuse_if_running(source, now)
    await upgrade(target)
    await _refuse_if_not_empty(target)
    copied: list[Copied] = []
    async with source.connect() as reading, target.begin() as writing:
        for table in reversed(tables()):  # the seeded rows go, to come back with the source's
            await writing.execute(delete(table))
        for table in tables():
            rows = await _copy_table(table, reading, writing)
            copied.append(Copied(table.name, rows))
            if progress is not None:
                await progress(copied[-1])
        if target.dialect.name == "postgresql":
            await _reset_sequences(writing)
        written = await _counts(writing)
        expected = await _counts(reading)
        wrong = [n for n in expected if written.get(n) != expected[n]]
        if wrong:  # the transaction rolls back: the target stays as it was
            raise TransferError(
                "las cantidades de filas no coinciden en "
                + ", ".join(
                    f"{n} ({expected[n]} en origen, {written.get(n)} copiadas)" for n in wrong
                )
                + "; no se copió nada."
            )
    return copied

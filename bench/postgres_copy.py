"""A throwaway PostgreSQL copy of the bench's SQLite database (`bench.indicators --postgres`).

The server is the tests' own (`tests.postgres`: initdb/pg_ctl on 127.0.0.1, fsync off, run as
the `postgres` OS user when we are root), its data folder removed when it stops. The schema comes
from the project's migrations; the rows go in with COPY (asyncpg's `copy_records_to_table`),
converting what SQLite stores differently: `UTCDateTime`'s naive-UTC strings become aware UTC
datetimes and 0/1 become booleans where PostgreSQL's column is boolean. As in the seeder, the
migrated secondary indexes are dropped meanwhile and created again by their own definitions;
foreign keys are not checked (the SQLite file was written with them on). Then every id sequence
is moved past the copied ids and VACUUM ANALYZE gives the planner its statistics (and spares the
timings an autovacuum run).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg

from storage.db import Database
from storage.migrate import upgrade
from tests.postgres import PostgresServer, start_server

DATABASE = "minka_bench"
WORKERS = 3  # tables copied at once: Python converts one while PostgreSQL writes another
SKIP = {"alembic_version"}  # the migrations wrote it


# What SQLite holds -> what asyncpg's binary COPY wants, by PostgreSQL's column type. A
# `UTCDateTime` is read as SQLite's naive-UTC text with "+00:00" appended by the SELECT itself
# (NULL stays NULL), so one C call turns it into an aware UTC datetime.
UTC_SUFFIX = "+00:00"
CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "timestamp with time zone": datetime.fromisoformat,
    "timestamp without time zone": datetime.fromisoformat,
    "date": date.fromisoformat,
    "boolean": bool,
    "numeric": lambda value: Decimal(str(value)),
}

COLUMNS_SQL = """
SELECT table_name, column_name, data_type FROM information_schema.columns
WHERE table_schema = 'public' ORDER BY table_name, ordinal_position
"""
INDEXES_SQL = """
SELECT i.indexname, i.indexdef FROM pg_indexes i
WHERE i.schemaname = 'public' AND NOT EXISTS (
    SELECT 1 FROM pg_constraint c
    WHERE c.conindid = format('%I.%I', 'public', i.indexname)::regclass
)
"""
SEQUENCES_SQL = """
SELECT table_name, column_name, pg_get_serial_sequence(format('%I', table_name), column_name)
FROM information_schema.columns WHERE table_schema = 'public'
    AND pg_get_serial_sequence(format('%I', table_name), column_name) IS NOT NULL
"""


@contextmanager
def server() -> Iterator[PostgresServer]:
    """A running server, stopped (and its data folder deleted) on the way out."""
    started = start_server()
    if isinstance(started, str):
        raise RuntimeError(started)
    try:
        yield started
    finally:
        started.stop()


class Copy:
    """Rows and seconds per table, once `run` has copied them."""

    def __init__(self, source: Path, server: PostgresServer) -> None:
        self.source = source
        self.server = server
        self.url = server.url(DATABASE)
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def connect(self, database: str = DATABASE) -> Any:
        server = self.server
        return asyncpg.connect(
            host="127.0.0.1", port=server.port, user=server.user, database=database
        )

    async def run(self) -> None:
        started = time.perf_counter()
        admin = await self.connect("postgres")
        try:
            await admin.execute(f'CREATE DATABASE "{DATABASE}"')
        finally:
            await admin.close()
        database = Database(self.url)
        try:
            await upgrade(database.engine)
        finally:
            await database.dispose()
        self.seconds["(migrations)"] = time.perf_counter() - started
        connection = await self.connect()
        try:
            columns: dict[str, list[tuple[str, str]]] = {}
            for table, column, kind in await connection.fetch(COLUMNS_SQL):
                columns.setdefault(table, []).append((column, kind))
            tables = self.tables(columns)
            await connection.execute(f"TRUNCATE {', '.join(tables)} CASCADE")  # migrations' rows
            indexes = await connection.fetch(INDEXES_SQL)
            for name, _definition in indexes:
                await connection.execute(f'DROP INDEX "{name}"')
            await self.copy_all(tables, columns)
            await self.timed("(indexes)", connection, [sql for _name, sql in indexes])
            sequences = [
                f"SELECT setval('{sequence}', coalesce(max({column}), 0) + 1, false) FROM {table}"
                for table, column, sequence in await connection.fetch(SEQUENCES_SQL)
            ]
            await self.timed("(sequences)", connection, sequences)
            await self.timed("(vacuum analyze)", connection, ["VACUUM ANALYZE"])
        finally:
            await connection.close()

    def tables(self, columns: dict[str, list[tuple[str, str]]]) -> list[str]:
        """The tables both sides have, largest first (so the long copies start at once)."""
        source = sqlite3.connect(f"file:{self.source}?mode=ro", uri=True)
        try:
            names = [
                name
                for (name,) in source.execute("SELECT name FROM sqlite_master WHERE type='table'")
                if name in columns and name not in SKIP
            ]
            sizes = {
                name: source.execute(f'SELECT max(rowid) FROM "{name}"').fetchone()[0] or 0
                for name in names
            }
        finally:
            source.close()
        return sorted(names, key=lambda name: -sizes[name])

    async def timed(self, label: str, connection: Any, statements: list[str]) -> None:
        started = time.perf_counter()
        for sql in statements:
            await connection.execute(sql)
        self.seconds[label] = time.perf_counter() - started

    async def copy_all(self, tables: list[str], columns: dict[str, list[tuple[str, str]]]) -> None:
        queue: asyncio.Queue[str] = asyncio.Queue()
        for table in tables:
            queue.put_nowait(table)

        async def worker() -> None:
            connection = await self.connect()
            source = sqlite3.connect(f"file:{self.source}?mode=ro", uri=True)
            try:
                # Foreign keys are PostgreSQL triggers: off for this session, like pg_restore's
                # --disable-triggers. The SQLite file was written with them checked.
                await connection.execute("SET session_replication_role = replica")
                while not queue.empty():
                    table = queue.get_nowait()
                    await self.copy_table(connection, source, table, columns[table])
            finally:
                source.close()
                await connection.close()

        await asyncio.gather(*(worker() for _ in range(WORKERS)))

    async def copy_table(
        self, connection: Any, source: sqlite3.Connection, table: str, kinds: list[tuple[str, str]]
    ) -> None:
        started = time.perf_counter()
        present = {row[1] for row in source.execute(f'PRAGMA table_info("{table}")')}
        kinds = [(name, kind) for name, kind in kinds if name in present]
        names = [name for name, _kind in kinds]
        convert = [
            (i, CONVERTERS[kind]) for i, (_n, kind) in enumerate(kinds) if kind in CONVERTERS
        ]
        quoted = ", ".join(
            f"\"{name}\" || '{UTC_SUFFIX}'" if kind == "timestamp with time zone" else f'"{name}"'
            for name, kind in kinds
        )
        select = f'SELECT {quoted} FROM "{table}"'
        count = 0

        def rows() -> Iterator[Any]:
            nonlocal count
            for row in source.execute(select):
                count += 1
                if not convert:
                    yield row
                    continue
                values = list(row)
                for index, function in convert:
                    if values[index] is not None:
                        values[index] = function(values[index])
                yield values

        await connection.copy_records_to_table(table, records=rows(), columns=names)
        self.counts[table] = count
        self.seconds[table] = time.perf_counter() - started

    def summary(self) -> str:
        lines = []
        for label, seconds in sorted(self.seconds.items(), key=lambda item: -item[1]):
            rows = f"{self.counts[label]:>11,}" if label in self.counts else " " * 11
            lines.append(f"  {label:<22}{rows}{seconds:>8.1f} s")
        return "\n".join(lines)

"""Migrated template databases, one of each kind per test process.

Running the migrations took each end-to-end and storage test 0.5 CPU s of its own and about
2 s of wall time on a loaded two-core box (PostgreSQL's work included): a third of the suite.
A test that asks for a migrated database (`db`, or Minka running: `app`) now starts from a
copy of a database migrated once by the same `storage.migrate.upgrade`: a file copy for
SQLite, `CREATE DATABASE … TEMPLATE` for PostgreSQL. Minka still runs `upgrade` at start and
finds the schema at head. The migrations from an empty database are still exercised: here,
once per process, and by every test that asks for `database_url` alone (test_memory,
test_upgrade_lock, test_erasure_migration, the CLI tests…), which gets an empty database."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import asyncpg

from storage.db import Database
from storage.migrate import upgrade
from tests.postgres import PostgresServer

TEMPLATE = "minka_template"


class _Made:
    """What this process has migrated already."""

    def __init__(self) -> None:
        self.sqlite: Path | None = None
        self.postgres: set[Path] = set()  # the servers (by their folder) holding a template


_made = _Made()


async def _migrate(url: str) -> None:
    database = Database(url)
    try:
        await upgrade(database.engine)
    finally:
        await database.dispose()


async def copy_sqlite(target: Path, folder: Path) -> None:
    """A migrated SQLite database at `target` (which must not exist yet); the template is
    made in `folder` the first time."""
    if _made.sqlite is None:
        path = folder / "minka-template.sqlite3"
        await _migrate(f"sqlite+aiosqlite:///{path}")
        connection = sqlite3.connect(path)  # all of it in the main file: copy that alone
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
        _made.sqlite = path
    shutil.copy(_made.sqlite, target)  # keeps the owner-only mode Minka created it with


async def create_postgres(server: PostgresServer, name: str, *, migrated: bool) -> None:
    """CREATE DATABASE `name`: empty, or a copy of the migrated template."""
    if migrated and server.root not in _made.postgres:
        await _create(server, TEMPLATE, "")
        await _migrate(server.url(TEMPLATE))
        _made.postgres.add(server.root)
    # FILE_COPY: a copy of the folder (checkpoints are cheap with fsync off), 4x faster here than
    # PostgreSQL 15's default WAL_LOG, which writes every page to the WAL too.
    await _create(server, name, f' TEMPLATE "{TEMPLATE}" STRATEGY FILE_COPY' if migrated else "")


async def _create(server: PostgresServer, name: str, template: str) -> None:
    await _execute(server, f'CREATE DATABASE "{name}"{template}')


async def drop_postgres(server: PostgresServer, name: str) -> None:
    """DROP DATABASE `name`, closing whatever connection a test left open to it."""
    await _execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _execute(server: PostgresServer, statement: str) -> None:
    connection = await asyncpg.connect(
        host="127.0.0.1", port=server.port, user=server.user, database="postgres"
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()

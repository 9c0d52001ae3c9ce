"""Apply Alembic migrations from inside Minka (CLI `db upgrade`, `run`, the demo and tests).

Replicas upgrade at start, so several processes may upgrade the same database at once: on a
fresh database both would see no tables and both would create them, and one would die. The
upgrade therefore runs under a lock that only migrating processes take: a PostgreSQL advisory
lock (held by the upgrade's own transaction, released when it commits), and for SQLite an
exclusive `flock` on a `<database>.migrate.lock` file beside the database. The process that
waited then finds the schema at head and does nothing.
"""

from __future__ import annotations

import ast
import asyncio
import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.problems import sqlite_path

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# pg_advisory_xact_lock's key for "migrating Minka's schema": the two-int form, a key space
# apart from the one-bigint form the per-person locks use (storage/repositories/updates.py).
UPGRADE_LOCK = (0x4D494E4B, 1)  # "MINK", 1


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _upgrade(connection: Connection, config: Config) -> None:
    from alembic import command

    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def current_revision(connection: Connection) -> str | None:
    """The database's schema revision (None: no schema yet), read without Alembic."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows[0] if len(rows) == 1 else None


def head_revision() -> str | None:
    """The newest migration's revision, read from the files' `revision` and `down_revision`
    without Alembic (7.6 MB of memory, with Mako and Pygments, in a process that only needs
    to know there is nothing to migrate). None when they do not end in exactly one head."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found: dict[str, object] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            else:
                continue
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                try:
                    found[target.id] = ast.literal_eval(value)
                except ValueError:
                    return None
        revision, parent = found.get("revision"), found.get("down_revision")
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        parents.update(parent if isinstance(parent, tuple) else [parent] if parent else [])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


async def at_head(engine: AsyncEngine) -> bool:
    """True when the database's schema is the newest (nothing to migrate)."""
    head = head_revision()
    if head is None:
        return False
    async with engine.connect() as connection:
        return await connection.run_sync(current_revision) == head


def lock_path(engine: AsyncEngine) -> Path | None:
    """The SQLite database's migration lock file (None: PostgreSQL, or SQLite in memory)."""
    if engine.dialect.name != "sqlite":
        return None
    path = sqlite_path(engine.url)
    return None if path is None else path.with_name(path.name + ".migrate.lock")


@asynccontextmanager
async def _file_lock(path: Path | None) -> AsyncIterator[None]:
    """Hold an exclusive flock on `path`, waited for in a thread so the loop keeps running.
    A folder that does not exist takes no lock: opening the database then fails with its own
    clear line (storage.problems)."""
    if path is None or not path.parent.is_dir():
        yield
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        await asyncio.to_thread(fcntl.flock, descriptor, fcntl.LOCK_EX)
        yield  # closing the descriptor releases the lock
    finally:
        os.close(descriptor)


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the database to the newest schema; a no-op when it is already there (Alembic is
    not even loaded), and safe to run from several processes at once (see the module's
    docstring)."""
    if await at_head(engine):
        return
    if engine.dialect.name == "sqlite":
        async with _file_lock(lock_path(engine)), engine.connect() as connection:
            await _upgrade_sqlite(connection)
        return
    async with engine.begin() as connection:
        # Waiting for another replica's migration, or a long one, is not a stuck handler.
        await connection.execute(text("SET LOCAL lock_timeout = 0"))
        await connection.execute(text("SET LOCAL statement_timeout = 0"))
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(:space, :key)"),
            {"space": UPGRADE_LOCK[0], "key": UPGRADE_LOCK[1]},
        )
        await connection.run_sync(_upgrade, alembic_config())


async def _upgrade_sqlite(connection: AsyncConnection) -> None:
    """Batch mode rebuilds a table by copying it, dropping the old one and renaming the copy;
    dropping a table others refer to fails while SQLite enforces foreign keys. As Alembic
    advises, they are off during the migration (SQLite only changes that outside a
    transaction), checked all at once before the commit, and on again afterwards."""
    await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    await connection.commit()
    try:
        async with connection.begin():
            await connection.run_sync(_upgrade, alembic_config())
            broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
            if broken:
                raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
    finally:
        await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        await connection.commit()


async def pending(engine: AsyncEngine) -> bool:
    """True when the database is behind the code's newest migration."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    async with engine.connect() as connection:
        return await connection.run_sync(current_revision) != head

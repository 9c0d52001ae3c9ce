"""SQLite write turns (storage/sqlite_turns.py): many writers in one process never meet "database is
locked", a turn ends with its commit or rollback, and another process holding the lock is
waited out on the database thread while the event loop goes on serving everyone else."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text

from storage.db import Database
from storage.migrate import upgrade
from storage.models import ProcessedUpdate
from storage.repositories import updates
from storage.sqlite_in_place import ON_THREAD, is_write
from storage.types import utcnow


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'turns.sqlite3'}")
    await upgrade(database.engine)
    yield database  # type: ignore[misc]
    await database.dispose()


async def _count(db: Database) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(ProcessedUpdate)) or 0


async def test_concurrent_writers_all_land(db: Database) -> None:
    async def write(n: int) -> None:
        async with db.session() as session:
            await updates.claim(session, f"{n}:a", utcnow())
            await asyncio.sleep(0)  # hand the loop to the others mid-transaction
            await updates.claim(session, f"{n}:b", utcnow())

    await asyncio.gather(*(write(n) for n in range(60)))
    assert await _count(db) == 120


async def test_a_rolled_back_turn_lets_the_next_writer_in(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.session() as session:
            await updates.claim(session, "lost", utcnow())
            raise RuntimeError("the handler failed")
    async with asyncio.timeout(5), db.session() as session:
        assert await updates.claim(session, "kept", utcnow())
    async with db.session() as session:
        keys = (await session.scalars(select(ProcessedUpdate.key))).all()
    assert keys == ["kept"]


async def test_a_duplicate_key_keeps_the_first_and_frees_the_turn(db: Database) -> None:
    async with db.session() as session:
        assert await updates.claim(session, "once", utcnow())
    async with db.session() as session:
        assert not await updates.claim(session, "once", utcnow())
    async with asyncio.timeout(5), db.session() as session:
        assert await updates.claim(session, "twice", utcnow())
    assert await _count(db) == 2


async def test_another_process_holding_the_lock_does_not_stop_the_loop(
    db: Database, tmp_path: Path
) -> None:
    """The CLI (here a plain sqlite3 connection on a thread) holds the write lock until the
    loop proves it is still serving: the bot's write waits for the lock without blocking."""
    path = tmp_path / "turns.sqlite3"
    holding, loop_alive = threading.Event(), threading.Event()
    outcome: dict[str, bool] = {}

    def hold_the_lock() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO processed_updates (key, at) VALUES ('cli', '2026-11-26')")
        holding.set()
        outcome["loop_stayed_alive"] = loop_alive.wait(timeout=4)
        other.execute("COMMIT")
        other.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    await asyncio.to_thread(holding.wait, 5)

    async def write() -> None:
        async with db.session() as session:
            await updates.claim(session, "bot", utcnow())

    writer = asyncio.create_task(write())
    async with db.session() as session:  # a reader is served while the writer waits
        await session.execute(text("SELECT 1"))
    await asyncio.sleep(0.05)
    assert not writer.done()  # still waiting for the other process's lock
    loop_alive.set()
    await asyncio.wait_for(writer, 5)
    await asyncio.to_thread(holder.join, 5)
    assert outcome == {"loop_stayed_alive": True}
    async with db.session() as session:
        keys = set((await session.scalars(select(ProcessedUpdate.key))).all())
    assert keys == {"cli", "bot"}


def _thread_names(db: Database) -> None:
    """`thread_name()` in SQL: the thread that runs the statement (loop's or database's)."""

    def add(dbapi_connection: object, _record: object) -> None:
        driver = dbapi_connection.driver_connection._conn  # type: ignore[attr-defined]
        driver.create_function("thread_name", 0, lambda: threading.current_thread().name)

    event.listen(db.engine.sync_engine, "connect", add)


async def test_short_reads_and_first_writes_run_in_place(tmp_path: Path) -> None:
    """A short read and a transaction's first write run on the loop's thread (no trip to the
    database thread); a read longer than READ_STEPS is interrupted there and run again on the
    database thread, whole. (A first write that finds another process's lock goes there to
    wait: the test above.)"""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'places.sqlite3'}")
    _thread_names(db)
    await upgrade(db.engine)
    loop_thread = threading.current_thread().name
    long_read = text(
        "SELECT count(*), thread_name() FROM (WITH RECURSIVE n(i) AS "
        "(SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) SELECT i FROM n)"
    )
    try:
        async with db.session() as session:
            here = await session.scalar(text("SELECT thread_name()"))
            counted, there = (await session.execute(long_read)).one()
            await session.execute(
                text("INSERT INTO processed_updates (key, at) VALUES (thread_name(), '2026')")
            )
        async with db.session() as session:
            written = await session.scalar(select(ProcessedUpdate.key))
    finally:
        await db.dispose()
    assert here == written == loop_thread
    assert there != loop_thread and counted == 100_000


async def test_a_bulk_write_runs_on_the_database_thread_holding_the_turn(tmp_path: Path) -> None:
    """A statement marked ON_THREAD (a broadcast's 500 copies) runs on the database thread,
    where SQLite's work leaves the event loop free; as a first write it takes the write turn,
    and the transaction's next write runs in place, behind it."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bulk.sqlite3'}")
    _thread_names(db)
    await upgrade(db.engine)
    loop_thread = threading.current_thread().name
    insert = "INSERT {} INTO processed_updates (key, at) VALUES (thread_name() || '{}', '2026')"

    async def other_writer() -> None:
        async with db.session() as session:
            await session.execute(text(insert.format("", "-other")))

    try:
        async with db.session() as session:
            await session.execute(text(insert.format(ON_THREAD, "-bulk")))
            other = asyncio.create_task(other_writer())
            await asyncio.sleep(0.1)
            assert not other.done()  # the turn is this transaction's until its commit
            await session.execute(text(insert.format("", "-after")))
        await other
        async with db.session() as session:
            keys = set(await session.scalars(select(ProcessedUpdate.key)))
    finally:
        await db.dispose()
    bulk = next(key for key in keys if key.endswith("-bulk"))
    assert bulk != f"{loop_thread}-bulk" and f"{loop_thread}-after" in keys


def test_writes_are_told_from_reads() -> None:
    assert is_write("  insert into t values (1)") and is_write("UPDATE t SET a = 1")
    assert not any(is_write(sql) for sql in ("", "   ", "SELECT 1", "PRAGMA foreign_keys=ON"))


def _size(path: str) -> int:
    return os.stat(path).st_size


async def test_commits_leave_the_checkpoint_to_the_job(db: Database) -> None:
    """A commit past SQLite's default 1,000 WAL pages used to copy them into the database
    file (4 MB and an fsync) while every writer waited; now the bot's job does it, outside
    the write turn, even while a writer holds it."""
    async with db.session() as session:
        await session.execute(text("CREATE TABLE filler (blob BLOB)"))
    for _ in range(6):  # ~1,500 pages of 4 KB, one commit each
        async with db.session() as session:
            await session.execute(text("INSERT INTO filler VALUES (zeroblob(4000))"), [{}] * 250)
    path = db.engine.url.database or ""
    assert _size(path) < 2_000_000  # the commits copied nothing back (6 MB written)
    async with db.session() as writing:
        await updates.claim(writing, "holds the write turn", utcnow())
        frames, copied = await asyncio.wait_for(db.checkpoint(), 5) or (0, -1)
    assert frames == copied > 1000
    assert _size(path) > 6_000_000

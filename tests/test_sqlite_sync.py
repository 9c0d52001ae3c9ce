"""SQLite commits made durable together (storage/sqlite_wal.py, `WalSync`): a commit writes the
WAL without an fsync and hands the write turn on at once, then waits for an fdatasync of the WAL
that began after it; one fdatasync serves the commits made while the one before ran. The disk
here is the operating system's call, slowed down or counted; nothing of Minka's is replaced."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from storage.db import Database
from storage.migrate import upgrade
from storage.models import ProcessedUpdate
from storage.repositories import updates
from storage.types import utcnow


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'sync.sqlite3'}")
    await upgrade(database.engine)
    yield database  # type: ignore[misc]
    await database.dispose()


class Disk:
    """os.fdatasync and os.fsync, recorded (which file, in order) and, while `held` is
    clear, made to wait: a slow disk."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.synced: list[str] = []
        self.held = threading.Event()
        self.held.set()
        self.entered = threading.Event()
        for name in ("fdatasync", "fsync"):
            monkeypatch.setattr(os, name, self._wrap(getattr(os, name)))

    def _wrap(self, call: Callable[[int], None]) -> Callable[[int], None]:
        def sync(fd: int) -> None:
            self.entered.set()
            assert self.held.wait(10)
            call(fd)
            self.synced.append(os.readlink(f"/proc/self/fd/{fd}"))

        return sync

    def wal_syncs(self, db: Database) -> int:
        return self.synced.count(f"{db.engine.url.database}-wal")


def _committed(db: Database) -> int:
    """As another process sees it (a session of this one would wait for the disk)."""
    other = sqlite3.connect(db.engine.url.database or "")
    try:
        return other.execute("SELECT count(*) FROM processed_updates").fetchone()[0]
    finally:
        other.close()


def _wal_size(db: Database) -> int:
    return Path(f"{db.engine.url.database}-wal").stat().st_size


async def _keys(db: Database) -> set[str]:
    async with db.session() as session:
        return set((await session.scalars(select(ProcessedUpdate.key))).all())


async def test_a_commit_returns_once_the_wal_is_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = Disk(monkeypatch)
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'new.sqlite3'}")
    try:
        await upgrade(db.engine)
        # The WAL is new to this process: its folder is synced too, once.
        assert disk.synced.count(str(tmp_path)) == 1
        before = disk.wal_syncs(db)
        assert before >= 1
        async with db.session() as session:
            await updates.claim(session, "first", utcnow())
        assert disk.wal_syncs(db) == before + 1
        async with db.session() as session:
            await updates.claim(session, "second", utcnow())
        assert disk.wal_syncs(db) == before + 2
        assert disk.synced.count(str(tmp_path)) == 1
    finally:
        await db.dispose()


async def test_a_slow_disk_holds_the_committer_but_not_the_write_turn(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the first commit's fdatasync is stuck, others write and commit (their rows are
    visible), and none of them returns before a sync that began after its commit."""
    disk = Disk(monkeypatch)
    disk.held.clear()
    returned: list[str] = []

    async def write(key: str) -> None:
        async with db.session() as session:
            await updates.claim(session, key, utcnow())
        returned.append(key)

    first = asyncio.create_task(write("first"))
    await asyncio.to_thread(disk.entered.wait, 5)
    others = [asyncio.create_task(write(f"other {n}")) for n in range(10)]  # within the pool
    for _ in range(500):  # all committed while the disk is stuck
        if _committed(db) == 11:
            break
        await asyncio.sleep(0.01)
    assert _committed(db) == 11
    assert returned == []  # but nobody was told so
    disk.held.set()
    await asyncio.wait_for(asyncio.gather(first, *others), 10)
    assert len(returned) == 11
    # One fdatasync for the first commit, one for the ten made while it ran.
    assert disk.wal_syncs(db) == 2


async def test_a_reader_of_a_commit_not_yet_on_disk_waits_for_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a transaction read can be told to someone only once it is durable: a reader that
    ends while a commit waits for the disk waits too."""
    disk = Disk(monkeypatch)
    async with db.session() as session:  # the WAL's first sync (and its folder's) out of the way
        await updates.claim(session, "before", utcnow())
    disk.entered.clear()
    disk.held.clear()

    async def write() -> None:
        async with db.session() as session:
            await updates.claim(session, "slow to reach the disk", utcnow())

    async def read() -> int:
        async with db.session() as session:
            return await session.scalar(select(func.count()).select_from(ProcessedUpdate)) or 0

    writer = asyncio.create_task(write())
    await asyncio.to_thread(disk.entered.wait, 5)
    reader = asyncio.create_task(read())
    await asyncio.sleep(0.2)
    assert not reader.done()
    disk.held.set()
    assert await asyncio.wait_for(reader, 5) == 2
    await asyncio.wait_for(writer, 5)


async def test_a_failed_sync_fails_its_commits(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An I/O error on the WAL's fdatasync reaches the update (it is not told it succeeded);
    the next commit syncs again."""
    async with db.session() as session:
        await updates.claim(session, "before", utcnow())
    real = os.fdatasync

    def failing(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fdatasync", failing)
    with pytest.raises(OSError, match="Input/output error"):
        async with db.session() as session:
            await updates.claim(session, "unsure", utcnow())
    monkeypatch.setattr(os, "fdatasync", real)
    async with asyncio.timeout(5), db.session() as session:
        assert await updates.claim(session, "after", utcnow())
    assert {"before", "after"} <= await _keys(db)


async def test_a_write_that_changed_no_row_waits_for_no_sync_of_its_own(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An outbox round with nothing stale or due runs its UPDATEs and commits: nothing reaches
    the WAL, so no fdatasync is made for it (each one delayed the replies' commits). A write
    that changes a row still gets one; a schema change too, which total_changes does not
    count."""
    disk = Disk(monkeypatch)
    async with db.session() as session:  # the WAL's first sync (and its folder's) out of the way
        await updates.claim(session, "before", utcnow())
    syncs, size = disk.wal_syncs(db), _wal_size(db)
    async with db.session() as session:
        moved = await session.execute(
            update(ProcessedUpdate).where(ProcessedUpdate.key == "nobody").values(key="x")
        )
        assert moved.rowcount == 0
    assert (disk.wal_syncs(db), _wal_size(db)) == (syncs, size)
    async with db.session() as session:
        await session.execute(
            update(ProcessedUpdate).where(ProcessedUpdate.key == "before").values(key="after")
        )
        await session.execute(  # a second write, of the same row: still one commit, one sync
            update(ProcessedUpdate).where(ProcessedUpdate.key == "nobody").values(key="x")
        )
    assert disk.wal_syncs(db) == syncs + 1
    assert await _keys(db) == {"after"}
    async with db.session() as session:
        await session.execute(
            update(ProcessedUpdate).where(ProcessedUpdate.key == "nobody").values(key="x")
        )
        await session.execute(text("CREATE TABLE scratch (id INTEGER PRIMARY KEY)"))
    assert disk.wal_syncs(db) == syncs + 2
    assert _committed(db) == 1

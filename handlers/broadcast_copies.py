"""A broadcast's copies written into the outbox: the first batch at «Enviar», the rest in the
background a batch at a time so that other people's replies take the database in between,
and what a stop interrupted written at the next start. Split from `handlers/broadcasts.py`
(the /difundir conversation), which calls `start_copies`."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from handlers import audiences
from storage.db import Database
from storage.repositories import broadcasts as repo

log = logging.getLogger(__name__)
# Seconds between the batches of a broadcast's copies written after the first: the outbox
# sends at most 30 a second (Telegram's limit), so a batch of 100 every 0.2 s (500 a second)
# keeps it fed many times over, and SQLite's writer and the disk are the replies' in between.
# Written back to back, 10,000 copies put 5 MB through the one writer and the WAL's fsyncs in
# 0.4 s (on PostgreSQL a backend busy 1.4 s on the same two cores), and every reply of that
# moment waited behind a batch for the turn and for an fsync carrying one (#17). Small batches
# often rather than large ones seldom: each holds the turn for a fifth as long.
PAUSE = 0.2
_writing: set[asyncio.Task[None]] = set()  # copies being written: kept referenced until done


async def start_copies(
    db: Database,
    broadcast: repo.BroadcastRecord,
    audience: dict[str, Any],
    stop: asyncio.Event | None = None,
) -> None:
    """After the confirming update's commit: the first batch at once (the sending starts,
    and an audience of one batch is all written before the coordinator reads the progress),
    the rest in the background, `PAUSE` s apart (`write_copies`), until `stop` is set (the
    process stopping: `resume` writes the rest at the next start). The coordinator's next
    update does not wait for them."""
    after = await _batch(db, broadcast, audience, 0)
    if after is None:
        await _written(db, broadcast)
        return
    task = asyncio.get_running_loop().create_task(_rest(db, broadcast, audience, after, stop))
    _writing.add(task)
    task.add_done_callback(_done)


async def _rest(
    db: Database,
    broadcast: repo.BroadcastRecord,
    audience: dict[str, Any],
    after: int,
    stop: asyncio.Event | None,
) -> None:
    await asyncio.sleep(PAUSE)
    await write_copies(db, broadcast, audience, after=after, pause=PAUSE, stop=stop)


async def stopped() -> None:
    """Wait for the copies being written in the background to end (at the batch after
    `stop` is set): before the database is closed, not cancelled inside a transaction."""
    loop = asyncio.get_running_loop()
    await asyncio.gather(*(t for t in _writing if t.get_loop() is loop), return_exceptions=True)


def _done(task: asyncio.Task[None]) -> None:
    _writing.discard(task)
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("broadcast copies left unwritten until the next start: %r", error)


async def write_copies(
    db: Database,
    broadcast: repo.BroadcastRecord,
    audience: dict[str, Any],
    *,
    after: int = 0,
    pause: float = 0.0,
    stop: asyncio.Event | None = None,
) -> None:
    """The copies for the `audience*` answers of the people after the id `after`,
    `repo.BATCH` per transaction, `pause` s apart, each made by the database from the
    people's table (by id: `audiences.batch_end`): each holds SQLite's write turn a few
    milliseconds, and other people's updates take their turns in between; the ids of 10,000
    people never come to Python (loading them held the loop 15 ms, in the summary and again
    in the confirming update). The broadcast is 'preparing' (never reported finished) until
    the last batch; if the process stops before (`stop`, checked between batches),
    `resume` writes the rest at the next start (a copy already written is kept)."""
    while (last := await _batch(db, broadcast, audience, after)) is not None:
        after = last
        await asyncio.sleep(pause)
        if stop is not None and stop.is_set():
            log.info(
                "broadcast %s: stopping, the rest of its copies at the next start", broadcast.id
            )
            return
    await _written(db, broadcast)


async def _batch(
    db: Database, broadcast: repo.BroadcastRecord, audience: dict[str, Any], after: int
) -> int | None:
    """One batch of copies, after the id `after`; the id it ended at (None: the last)."""
    async with db.session() as session:
        last = await audiences.batch_end(session, audience, after, repo.BATCH)
        await repo.add_copies(session, broadcast, audiences.ids_in(audience, after, last))
    return last


async def _written(db: Database, broadcast: repo.BroadcastRecord) -> None:
    async with db.session() as session:
        written = await repo.ready(session, broadcast.id)
    log.info("broadcast %s: %s copies written", broadcast.id, written)


async def resume(db: Database) -> None:
    """At start-up: broadcasts whose copies a stopped process had not finished writing get
    them now, for their audience as it is now (copies already written are kept)."""
    async with db.session() as session:
        unfinished = await repo.preparing(session)
    for broadcast in unfinished:
        log.warning("broadcast %s: writing the copies a stop interrupted", broadcast.id)
        await write_copies(db, broadcast, broadcast.audience or {})

"""A broadcast's copies are written in batches after the confirming update: the first at once,
the rest in the background, `PAUSE` s apart; a question asked meanwhile is answered before the
last batch, a stop halfway is finished at the next start, and the first copies sent never mark
a broadcast still being written as finished."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select

from handlers.broadcast_copies import PAUSE, resume, start_copies, stopped, write_copies
from storage.db import Database
from storage.models import Broadcast, OutboxMessage, Person
from storage.repositories import broadcasts as repo
from storage.repositories import updates
from storage.types import utcnow

PEOPLE = 3_000  # six batches


async def _people(db: Database) -> list[int]:
    now = utcnow()
    rows = [
        {
            "telegram_id": 70_000_000 + n,
            "telegram_name": f"P{n}",
            "full_name": f"Persona {n}",
            "role": "official",
            "locale": "es",
            "consent_at": now,
            "registered_at": now,
            "active": True,
            "created_at": now,
        }
        for n in range(PEOPLE)
    ]
    async with db.session() as session:
        await session.execute(insert(Person), rows)
        return sorted(await session.scalars(select(Person.id)))


async def _copies(db: Database, broadcast_id: int) -> int:
    async with db.session() as session:
        query = select(func.count(OutboxMessage.id)).where(
            OutboxMessage.broadcast_id == broadcast_id
        )
        return await session.scalar(query) or 0


async def _start(db: Database, total: int) -> repo.BroadcastRecord:
    async with db.session() as session:
        return await repo.start(
            session,
            text="Aviso",
            audience={"audience": "everyone"},
            scheduled_at=utcnow(),
            total=total,
            created_by=None,
        )


async def test_a_question_is_answered_between_the_batches(db: Database) -> None:
    people = await _people(db)
    broadcast = await _start(db, len(people))
    writing = asyncio.create_task(write_copies(db, broadcast, {"audience": "everyone"}))
    for _ in range(10_000):  # until the first batch is in
        if await _copies(db, broadcast.id):
            break
    async with asyncio.timeout(10), db.session() as session:  # an update's own transaction
        assert await updates.claim(session, "a question meanwhile", utcnow())
    written_when_answered = await _copies(db, broadcast.id)
    await writing
    assert 0 < written_when_answered < len(people)
    async with db.session() as session:
        done = await session.get(Broadcast, broadcast.id)
        assert done is not None and (done.status, done.total) == ("queued", len(people))
    assert await _copies(db, broadcast.id) == len(people)


async def test_after_the_first_batch_the_rest_follow_a_pause_apart(db: Database) -> None:
    """«Enviar» writes one batch (the sending starts) and the coordinator's update goes on; the
    others follow in the background, `PAUSE` s apart, so that people's replies have SQLite's
    writer and the disk between them: written back to back (10,000 copies in 0.4 s), every
    reply of that moment waited behind a batch for the write turn and for a WAL fsync
    carrying one (#17). The broadcast is finished only once the last is in."""
    people = await _people(db)
    broadcast = await _start(db, len(people))
    loop = asyncio.get_running_loop()
    began = loop.time()
    await start_copies(db, broadcast, {"audience": "everyone"})
    assert await _copies(db, broadcast.id) == repo.BATCH
    status = "preparing"
    async with asyncio.timeout(60):
        while status == "preparing":
            await asyncio.sleep(0.05)
            async with db.session() as session:
                done = await session.get(Broadcast, broadcast.id)
                assert done is not None
                status, total = done.status, done.total
                copies = await _copies(db, broadcast.id)
            assert copies % repo.BATCH == 0 or copies == len(people)  # whole batches
    batches = -(-len(people) // repo.BATCH)
    assert loop.time() - began >= (batches - 1) * PAUSE  # a pause before each but the first
    assert (status, total, copies) == ("queued", len(people), len(people))


async def test_a_stop_halfway_is_finished_at_the_next_start(db: Database) -> None:
    people = await _people(db)
    broadcast = await _start(db, len(people))
    async with db.session() as session:  # the process stopped after one batch
        await repo.add_copies(session, broadcast, people[: repo.BATCH])
    await resume(db)
    assert await _copies(db, broadcast.id) == len(people)
    async with db.session() as session:
        assert await repo.preparing(session) == []
        done = await session.get(Broadcast, broadcast.id)
        assert done is not None and (done.status, done.total) == ("queued", len(people))


async def test_the_writing_stops_with_the_process_and_resumes_at_the_next_start(
    db: Database,
) -> None:
    """SIGTERM while the copies are written in the background: the writer ends at its next
    batch (`stopped` waits for it, before the database is closed), the broadcast stays
    'preparing' and the next start writes the rest."""
    people = await _people(db)
    broadcast = await _start(db, len(people))
    stop = asyncio.Event()
    await start_copies(db, broadcast, {"audience": "everyone"}, stop)
    stop.set()
    async with asyncio.timeout(PAUSE + 10):
        await stopped()
    written = await _copies(db, broadcast.id)
    assert repo.BATCH <= written <= 2 * repo.BATCH < len(people)
    async with db.session() as session:
        assert [b.id for b in await repo.preparing(session)] == [broadcast.id]
    await resume(db)
    assert await _copies(db, broadcast.id) == len(people)
    async with db.session() as session:
        done = await session.get(Broadcast, broadcast.id)
        assert done is not None and (done.status, done.total) == ("queued", len(people))


async def test_a_batch_of_copies_is_one_statement_built_by_the_database(db: Database) -> None:
    """The rows are made by the database from the batch's ids (one statement, one set of
    parameters): built in Python they cost 15 µs each on the event loop, with every reply
    waiting (bench.broadcast, 10,000 people: 3-9 ms of the loop per 100 copies). Each copy is
    what a resumed write and the outbox expect: its key, its broadcast, due when it is."""
    people = await _people(db)
    broadcast = await _start(db, len(people))
    statements: list[tuple[str, object]] = []

    def seen(*args: Any) -> None:  # (conn, cursor, statement, parameters, context, many)
        statement, executemany = args[2], args[5]
        if statement.lstrip().upper().startswith("INSERT"):
            statements.append((statement, executemany))

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with db.session() as session:
            await repo.add_copies(session, broadcast, people[: repo.BATCH])
            await repo.add_copies(session, broadcast, people[:2])  # again: kept as they were
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", seen)
    assert len(statements) == 2 and not any(many for _, many in statements)
    async with db.session() as session:
        rows = (
            await session.execute(
                select(
                    OutboxMessage.kind,
                    OutboxMessage.dedupe_key,
                    OutboxMessage.person_id,
                    OutboxMessage.payload,
                    OutboxMessage.due_at,
                    OutboxMessage.state,
                    OutboxMessage.attempts,
                    OutboxMessage.broadcast_id,
                ).order_by(OutboxMessage.id)
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        (
            "broadcast",
            f"broadcast:{broadcast.id}:{person}",
            person,
            {"broadcast_id": broadcast.id},
            broadcast.scheduled_at,
            "pending",
            0,
            broadcast.id,
        )
        for person in people[: repo.BATCH]
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_batch_is_written_in_place_on_the_event_loops_thread(db: Database) -> None:
    """SQLite: a batch of copies (`repo.BATCH`) is written where a reply's writes are, on the
    event loop's thread, holding the write turn only while SQLite works (1-2 ms). Sent to the
    database thread, each batch held the turn for the trip there and back, the loop's whole
    round in between: on a busy box 30-150 ms, with replies waiting behind it (#17)."""
    people = await _people(db)
    broadcast = await _start(db, len(people))
    threads: set[int] = set()

    def traced(sql: str) -> None:  # SQLite calls it on the thread that runs the statement
        if sql.lstrip().upper().startswith("INSERT") and "outbox" in sql:
            threads.add(threading.get_ident())

    def connected(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection._conn.set_trace_callback(traced)

    event.listen(db.engine.sync_engine, "connect", connected)
    await db.engine.dispose()  # the pool's connections opened again, traced
    await write_copies(db, broadcast, {"audience": "everyone"})
    assert await _copies(db, broadcast.id) == len(people)
    assert threads == {threading.get_ident()}

"""The outbox's marks are written in groups (issue #17): «sending» and «sent» asked for while
a write is under way go together in the next transaction, instead of one each (a broadcast's
twelve concurrent sends filled SQLite's write turn and every reply waited behind them); a
message's «sending» is committed before `start` returns, as before; and claiming due
messages on SQLite reads the partial index of pending rows in order, with the chats in hand
listed once, instead of sorting every pending row and checking each against every message in
hand (1 s on the event loop for 7,000 pending copies and 100 in hand)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from bot.ledger import Ledger
from storage.db import Database
from storage.models import OutboxMessage
from storage.repositories import outbox, outbox_marks
from storage.types import utcnow
from tests.helpers import registered_official


async def _owed(db: Database, count: int, first_id: int = 40000) -> list[int]:
    """`count` people with one due message each; their outbox ids."""
    async with db.session() as session:
        for number in range(count):
            person = await registered_official(session, first_id + number, f"P{number}")
            await outbox.enqueue(
                session,
                kind="broadcast",
                dedupe_key=f"broadcast:1:{person}",
                person_id=person,
                payload={"broadcast_id": 1},
                due_at=utcnow() - timedelta(seconds=number),
            )
    async with db.session() as session:
        return [m.id for m in await outbox.claim_due(session, utcnow(), count)]


async def _states(db: Database) -> dict[int, str]:
    async with db.session() as session:
        return dict((await session.execute(select(OutboxMessage.id, OutboxMessage.state))).all())


async def test_marks_asked_during_a_write_share_the_next_one(db: Database) -> None:
    first, *others, done_a, done_b = await _owed(db, 6)
    async with db.session() as session:  # as sent by an earlier round of this ledger
        await outbox_marks.start_sending(session, [(done_a, 1), (done_b, 1)], utcnow())
    commits: list[int] = []
    event.listen(db.engine.sync_engine, "commit", lambda _connection: commits.append(1))
    ledger = Ledger(db, utcnow)
    async with db.session() as blocker:  # holds SQLite's write turn, or the row's lock
        await blocker.execute(
            update(OutboxMessage).where(OutboxMessage.id == first).values(last_error=None)
        )
        starting = [asyncio.create_task(ledger.start(first, 1))]
        await asyncio.sleep(0.3)  # the first write is under way, waiting for the blocker
        starting += [asyncio.create_task(ledger.start(id_, 1)) for id_ in others]
        ledger.sent(done_a, utcnow(), True)
        ledger.sent(done_b, utcnow(), False)
        await asyncio.sleep(0.1)
        assert not any(task.done() for task in starting), "«sending» returned before its commit"
        commits.clear()  # what follows: the blocker's commit, then the ledger's
    assert all(await asyncio.gather(*starting))
    await ledger.flush()
    assert len(commits) == 1 + 2, f"{len(commits) - 1} transactions for 4 «sending», 2 «sent»"
    states = await _states(db)
    assert [states[id_] for id_ in (first, *others)] == ["sending"] * 4
    assert states[done_a] == states[done_b] == "sent"


async def test_a_claim_taken_over_is_not_started(db: Database) -> None:
    mine, taken = await _owed(db, 2)
    ledger = Ledger(db, utcnow)
    # Another process found the claim stale, queued the message again and claimed it anew.
    assert await ledger.start(mine, 1) is True
    assert await ledger.start(taken, 0) is False
    assert (await _states(db))[taken] == "claimed"


async def test_claiming_reads_pending_rows_in_order_on_sqlite(
    db: Database, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's plan: tests/test_outbox_indexes.py")
    in_hand = await _owed(db, 30, first_id=41000)  # claimed: their chats are busy
    async with db.session() as session:
        await outbox_marks.start_sending(session, [(id_, 1) for id_ in in_hand[:10]], utcnow())
    await _owed(db, 0)
    statements: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        if statement.startswith("UPDATE outbox SET state"):
            statements.append((statement, parameters))

    async with db.session() as session:
        for number in range(300):
            person = await registered_official(session, 42000 + number, f"Q{number}")
            await outbox.enqueue(
                session,
                kind="broadcast",
                dedupe_key=f"broadcast:2:{person}",
                person_id=person,
                payload={"broadcast_id": 2},
                due_at=utcnow() - timedelta(minutes=1),
            )
    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    async with db.session() as session:
        assert len(await outbox.claim_due(session, utcnow(), 50)) == 50
        await session.rollback()
    ((statement, parameters),) = statements
    path = db.engine.url.database
    with sqlite3.connect(path) as connection:
        plan = [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + statement, parameters)]
    assert any("ix_outbox_pending_due" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), f"every pending row sorted: {plan}"
    assert any(step.startswith("LIST SUBQUERY") for step in plan), f"chats in hand: {plan}"

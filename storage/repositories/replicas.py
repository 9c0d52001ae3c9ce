"""Which Minka processes are alive (see storage.models.Replica)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Replica

SILENT_BEATS = 3  # a replica not heard from for this many heartbeats is gone
_INSERT = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


async def beat(
    session: AsyncSession, replica_id: str, now: datetime, stale_before: datetime
) -> int:
    """Record that `replica_id` is alive, forget the silent ones; how many are alive.

    Two replicas beat at once without a deadlock (tests/test_replica_beats_at_once.py). Its
    own row is written first, in one statement (an upsert: another beat may have deleted it
    as silent a moment ago; read, then updated, that failed with StaleDataError); the silent
    rows go only if no one holds them (SKIP LOCKED). A held row is one a replica is writing
    right now, alive then: waiting for it made two replicas whose rows both looked silent
    (after an outage, a stall or a clock jump) each hold its own row and wait for the
    other's. So a beat waits only in its first statement, holding nothing, and whoever it
    waits for never waits: no cycle. A silent row another beat is deleting at the same
    moment counts once more here; the next beat no longer sees it."""
    insert = _INSERT[session.bind.dialect.name](Replica).values(id=replica_id, seen_at=now)
    await session.execute(
        insert.on_conflict_do_update(index_elements=[Replica.id], set_={"seen_at": now})
    )
    silent = select(Replica.id).where(Replica.seen_at < stale_before)
    await session.execute(
        delete(Replica).where(Replica.id.in_(silent.with_for_update(skip_locked=True))),
        execution_options={"synchronize_session": False},
    )
    return await session.scalar(select(func.count()).select_from(Replica)) or 1


async def leave(session: AsyncSession, replica_id: str) -> None:
    await session.execute(delete(Replica).where(Replica.id == replica_id))


async def alive(session: AsyncSession, seen_since: datetime) -> int:
    """How many replicas recorded a heartbeat since `seen_since`."""
    statement = select(func.count()).select_from(Replica).where(Replica.seen_at >= seen_since)
    return await session.scalar(statement) or 0

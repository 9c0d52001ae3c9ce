"""Which Minka processes are alive (see storage.models.Replica)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Replica

SILENT_BEATS = 3  # a replica not heard from for this many heartbeats is gone


async def beat(
    session: AsyncSession, replica_id: str, now: datetime, stale_before: datetime
) -> int:
    """Record that `replica_id` is alive, forget the silent ones; how many are alive."""
    row = await session.get(Replica, replica_id)
    if row is None:
        session.add(Replica(id=replica_id, seen_at=now))
    else:
        row.seen_at = now
    await session.execute(delete(Replica).where(Replica.seen_at < stale_before))
    return await session.scalar(select(func.count()).select_from(Replica)) or 1


async def leave(session: AsyncSession, replica_id: str) -> None:
    await session.execute(delete(Replica).where(Replica.id == replica_id))


async def alive(session: AsyncSession, seen_since: datetime) -> int:
    """How many replicas recorded a heartbeat since `seen_since`."""
    statement = select(func.count()).select_from(Replica).where(Replica.seen_at >= seen_since)
    return await session.scalar(statement) or 0

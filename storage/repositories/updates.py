"""Processed updates: the record that makes handling an update idempotent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedUpdate

# Run on every update: built once per dialect, on the table (no ORM bookkeeping).
_CLAIM = {
    dialect: insert(ProcessedUpdate.__table__)
    .values(key=bindparam("key"), at=bindparam("at"))
    .on_conflict_do_nothing()
    for dialect, insert in (("postgresql", postgresql_insert), ("sqlite", sqlite_insert))
}


async def claim(session: AsyncSession, key: str, now: datetime) -> bool:
    """Record `key` in this transaction; False when it was already recorded. A concurrent
    claim of the same key (another replica) waits for the first transaction and then loses."""
    statement = _CLAIM[session.bind.dialect.name]
    result = await session.execute(statement, {"key": key, "at": now})
    return result.rowcount == 1


_PERSON_LOCK = select(func.pg_advisory_xact_lock(bindparam("telegram_id", type_=BigInteger)))


async def one_at_a_time(session: AsyncSession, telegram_id: int) -> None:
    """On PostgreSQL, hold a per-person lock until this transaction ends, so that replicas
    handle one person's updates one after another, as a single process does. (SQLite has a
    single writer anyway.)"""
    if session.bind.dialect.name == "postgresql":
        await session.execute(_PERSON_LOCK, {"telegram_id": telegram_id})


async def prune(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.at < before))
    return result.rowcount or 0

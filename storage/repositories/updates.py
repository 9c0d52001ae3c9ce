"""Processed updates: the record that makes handling an update idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.direct import Direct
from storage.models import ProcessedUpdate
from storage.pg_begin import SAFE_KEY, begin_with

# Run on every update: built once per dialect, on the table (no ORM bookkeeping).
_CLAIM = {
    dialect: insert(ProcessedUpdate.__table__)
    .values(key=bindparam("key"), at=bindparam("at"))
    .on_conflict_do_nothing()
    for dialect, insert in (("postgresql", postgresql_insert), ("sqlite", sqlite_insert))
}
_CLAIM_SQLITE = Direct(_CLAIM["sqlite"])  # at the driver (storage.direct)


async def claim(session: AsyncSession, key: str, now: datetime) -> bool:
    """Record `key` in this transaction; False when it was already recorded. A concurrent
    claim of the same key (another replica) waits for the first transaction and then loses."""
    values = {"key": key, "at": now}
    if session.bind.dialect.name == "sqlite":
        return (await _CLAIM_SQLITE.run(session, values)).rowcount == 1
    result = await session.execute(_CLAIM[session.bind.dialect.name], values)
    return result.rowcount == 1


# PostgreSQL: the person's lock, then the claim, in one statement (one round trip). The CTE's
# row is what the INSERT inserts, so the lock is held before the key is looked up.
_LOCKED = select(
    func.pg_advisory_xact_lock(bindparam("telegram_id", type_=BigInteger)).label("locked")
).cte("locked")
_LOCK_AND_CLAIM = (
    postgresql_insert(ProcessedUpdate.__table__)
    .from_select(
        ["key", "at"],
        select(
            bindparam("key", type_=ProcessedUpdate.__table__.c.key.type),
            bindparam("at", type_=ProcessedUpdate.__table__.c.at.type),
        ).select_from(_LOCKED),
    )
    .on_conflict_do_nothing()
)


async def begin(session: AsyncSession, telegram_id: int, key: str, now: datetime) -> bool:
    """The start of an update's transaction; False when `key` was handled already.

    On PostgreSQL, hold a per-person lock until this transaction ends, so that replicas
    handle one person's updates one after another, as a single process does, and claim
    `key` at once: one statement. A repeat then stops before doing anything, and the claim
    still rolls back with the update's effects should the update fail.

    On SQLite nothing happens here: a single writer orders the updates, and the claim comes
    last (`end`) so that the write turn is taken only for the end of the transaction."""
    if session.bind.dialect.name != "postgresql":
        return True
    if SAFE_KEY.fullmatch(key):  # with BEGIN, in the same round trip (storage.pg_begin)
        status = await begin_with(
            session,
            f"SELECT pg_advisory_xact_lock({int(telegram_id)}); "
            "INSERT INTO processed_updates (key, at) "
            f"VALUES ('{key}', '{now.astimezone(UTC).isoformat()}') ON CONFLICT DO NOTHING",
        )
        if status is not None:
            return status == "INSERT 0 1"
    result = await session.execute(
        _LOCK_AND_CLAIM, {"telegram_id": telegram_id, "key": key, "at": now}
    )
    return result.rowcount == 1


async def person_turn(session: AsyncSession, telegram_id: int) -> None:
    """On PostgreSQL, wait for the person's lock (`begin`'s) and hold it until this transaction
    ends: a write made for them after their update's commit (a reply held by flood control)
    then comes wholly before or after another replica's update of theirs, their erasure."""
    if session.bind.dialect.name == "postgresql":
        lock = func.pg_advisory_xact_lock(bindparam("telegram_id", telegram_id, type_=BigInteger))
        await session.execute(select(lock))


async def end(session: AsyncSession, key: str, now: datetime) -> bool:
    """The end of an update's transaction: on SQLite, the claim (False for a repeat, whose
    effects then roll back); on PostgreSQL `begin` claimed it."""
    if session.bind.dialect.name == "postgresql":
        return True
    return await claim(session, key, now)


async def prune(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.at < before))
    return result.rowcount or 0

"""Waiting, in a PostgreSQL test, until another transaction's statement is blocked by a lock:
what makes a race happen in the same order on every run."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from storage.db import Database


async def until_waiting_for_a_lock(db: Database, task: asyncio.Task, table: str) -> None:
    """Until another backend's statement on `table` waits for a lock (PostgreSQL's own view),
    or `task` ended."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND query ILIKE :like"
    )
    async with db.engine.connect() as watcher:
        while not task.done() and not await watcher.scalar(query, {"like": f"%{table}%"}):
            await watcher.rollback()  # the view is a snapshot kept for the transaction
            await asyncio.sleep(0.01)

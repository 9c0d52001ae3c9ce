"""The outbox: messages Minka owes people, claimed atomically and sent once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, Person


@dataclass(frozen=True, slots=True)
class OwedMessage:
    id: int
    kind: str
    person_id: int
    telegram_id: int | None
    locale: str
    payload: dict[str, Any]
    attempts: int


async def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    dedupe_key: str,
    person_id: int,
    payload: dict[str, Any],
    due_at: datetime,
) -> int:
    """Add the message unless one with the same key exists; returns 1 if added, else 0."""
    exists = await session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    )
    if exists is not None:
        return 0
    session.add(
        OutboxMessage(
            kind=kind, dedupe_key=dedupe_key, person_id=person_id, payload=payload, due_at=due_at
        )
    )
    await session.flush()
    return 1


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> list[OwedMessage]:
    """Mark up to `limit` due messages as 'sending' and return them.

    PostgreSQL: rows locked by another process are skipped (FOR UPDATE SKIP LOCKED), so two
    Minka processes never claim the same message. SQLite serialises writers, so the claim in
    one transaction is atomic there too."""
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.state == "pending", OutboxMessage.due_at <= now)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
    )
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(await session.scalars(query))
    if not ids:
        return []
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.state == "pending")
        .values(state="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
    )
    rows = await session.execute(
        select(OutboxMessage, Person.telegram_id, Person.locale)
        .join(Person, Person.id == OutboxMessage.person_id)
        .where(OutboxMessage.id.in_(ids))
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    )
    return [
        OwedMessage(
            row.id, row.kind, row.person_id, telegram_id, locale, dict(row.payload), row.attempts
        )
        for row, telegram_id, locale in rows
    ]


async def finish(
    session: AsyncSession,
    message_id: int,
    state: str,
    at: datetime,
    *,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    """Record the outcome: 'sent', 'failed', 'skipped', or back to 'pending' for `retry_at`."""
    values: dict[str, Any] = {"state": state, "last_error": error[:300] if error else None}
    if state == "sent":
        values["sent_at"] = at
    if retry_at is not None:
        values["due_at"] = retry_at
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
    )


async def abandon_stale(session: AsyncSession, claimed_before: datetime) -> int:
    """Messages left 'sending' by a process that died: Telegram may or may not have them, so
    they are marked 'unknown' rather than sent again (no one gets a message twice)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == "sending", OutboxMessage.claimed_at < claimed_before)
        .values(state="unknown")
    )
    return result.rowcount or 0

"""The outbox: messages Minka owes people, claimed atomically and sent once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, Person


@dataclass(frozen=True, slots=True)
class OwedMessage:
    id: int
    kind: str
    person_id: int | None
    telegram_id: int | None  # where it goes; None: the person blocked Minka or is gone
    locale: str
    payload: dict[str, Any]
    attempts: int


async def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    dedupe_key: str,
    person_id: int | None,
    payload: dict[str, Any],
    due_at: datetime,
    meeting_id: int | None = None,
    workshop_id: int | None = None,
    chat_id: int | None = None,
) -> int:
    """Add the message unless one with the same key exists; returns 1 if added, else 0.
    `meeting_id`/`workshop_id` name what it belongs to (to cancel or count it by that). It
    goes to the person's private chat, or to `chat_id` when given."""
    exists = await session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    )
    if exists is not None:
        return 0
    session.add(
        OutboxMessage(
            kind=kind,
            dedupe_key=dedupe_key,
            person_id=person_id,
            chat_id=chat_id,
            payload=payload,
            due_at=due_at,
            meeting_id=meeting_id,
            workshop_id=workshop_id,
        )
    )
    await session.flush()
    return 1


UNSENT = ("pending", "claimed", "sending")


async def last_due_for_chat(session: AsyncSession, kind: str, chat_id: int) -> datetime | None:
    """When the chat's last unsent message of `kind` is due: a new one must not be due
    earlier, or it would overtake it."""
    return await session.scalar(
        select(func.max(OutboxMessage.due_at)).where(
            OutboxMessage.kind == kind,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.state.in_(UNSENT),
        )
    )


async def chats_waiting(session: AsyncSession, kind: str) -> set[int]:
    """Chats with messages of `kind` not sent yet."""
    rows = await session.scalars(
        select(OutboxMessage.chat_id)
        .where(OutboxMessage.kind == kind, OutboxMessage.state.in_(UNSENT))
        .distinct()
    )
    return {chat_id for chat_id in rows if chat_id is not None}


async def next_due(session: AsyncSession, kind: str) -> datetime | None:
    """When the next pending message of `kind` is due."""
    return await session.scalar(
        select(func.min(OutboxMessage.due_at)).where(
            OutboxMessage.kind == kind, OutboxMessage.state == "pending"
        )
    )


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> list[OwedMessage]:
    """Mark up to `limit` due messages as 'claimed' and return exactly those.

    The UPDATE ... RETURNING only reports rows this transaction changed from 'pending', so two
    processes never get the same message; on PostgreSQL, rows another process has locked are
    skipped (FOR UPDATE SKIP LOCKED) instead of waited for, and locked in a statement of their
    own: as a sub-select of the UPDATE, PostgreSQL may run them again for each row (nested-loop
    semi-join), skip the rows the UPDATE just changed and take new ones, so a broadcast's
    thousands of rows were all claimed at once, whatever the limit."""
    candidates = (
        select(OutboxMessage.id)
        .where(OutboxMessage.state == "pending", OutboxMessage.due_at <= now)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
    )
    if session.bind.dialect.name == "postgresql":
        chosen = list(await session.scalars(candidates.with_for_update(skip_locked=True)))
        if not chosen:
            return []
        which = OutboxMessage.id.in_(chosen)
    else:  # SQLite evaluates the sub-select once; one statement keeps it a single write
        which = OutboxMessage.id.in_(candidates.scalar_subquery())
    claimed = list(
        await session.scalars(
            update(OutboxMessage)
            .where(which, OutboxMessage.state == "pending")
            .values(state="claimed", claimed_at=now, attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage.id)
        )
    )
    if not claimed:
        return []
    rows = await session.execute(
        select(OutboxMessage, Person.telegram_id, Person.locale, Person.active)
        .outerjoin(Person, Person.id == OutboxMessage.person_id)
        .where(OutboxMessage.id.in_(claimed))
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    )
    return [
        OwedMessage(
            row.id,
            row.kind,
            row.person_id,
            row.chat_id if row.chat_id is not None else telegram_id if active else None,
            locale or "es",
            dict(row.payload),
            row.attempts,
        )
        for row, telegram_id, locale, active in rows
    ]


async def start_sending(
    session: AsyncSession, message_id: int, at: datetime, *, attempt: int | None = None
) -> bool:
    """Recorded just before the HTTP call: from here on a crash leaves the outcome unknown.

    False when the claim is no longer ours: `attempt` (the claim's `attempts`) changed because
    another process found it stale, queued it again and claimed it; then only that one sends."""
    mine = [OutboxMessage.id == message_id, OutboxMessage.state == "claimed"]
    if attempt is not None:
        mine.append(OutboxMessage.attempts == attempt)
    result = await session.execute(
        update(OutboxMessage).where(*mine).values(state="sending", claimed_at=at)
    )
    return bool(result.rowcount)


async def finish(
    session: AsyncSession,
    message_id: int,
    state: str,
    at: datetime,
    *,
    error: str | None = None,
    retry_at: datetime | None = None,
    forget: bool = False,
) -> None:
    """Record the outcome: 'sent', 'failed', 'skipped', or back to 'pending' for `retry_at`.
    A finished message held as a copy of its text (`forget`) keeps none of it."""
    values: dict[str, Any] = {"state": state, "last_error": error[:300] if error else None}
    if forget and state != "pending":
        values["payload"] = {}
    if state == "sent":
        values["sent_at"] = at
    if retry_at is not None:
        values["due_at"] = retry_at
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
    )


async def recover_stale(session: AsyncSession, claimed_before: datetime) -> tuple[int, int]:
    """After a process died: messages it claimed but never started sending go back to
    'pending' (safe to send); those it was sending become 'unknown' (Telegram may have them,
    so they are not sent again). Returns (requeued, unknown)."""
    requeued = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == "claimed", OutboxMessage.claimed_at < claimed_before)
        .values(state="pending")
    )
    unknown = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == "sending", OutboxMessage.claimed_at < claimed_before)
        .values(state="unknown")
    )
    return requeued.rowcount or 0, unknown.rowcount or 0


FINISHED = ("sent", "failed", "skipped", "unknown")


async def prune(session: AsyncSession, before: datetime) -> int:
    """Forget finished messages sent (or due, if never sent) before `before`; owed ones stay."""
    result = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.state.in_(FINISHED),
            func.coalesce(OutboxMessage.sent_at, OutboxMessage.due_at) < before,
        )
    )
    return result.rowcount or 0


async def counts(session: AsyncSession) -> dict[tuple[str, str], int]:
    """(kind, state) → rows: the metrics' view of what is owed, sent and failed."""
    rows = await session.execute(
        select(OutboxMessage.kind, OutboxMessage.state, func.count()).group_by(
            OutboxMessage.kind, OutboxMessage.state
        )
    )
    return {(kind, state): count for kind, state, count in rows}

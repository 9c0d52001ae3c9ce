"""Owed messages that go only if nobody renews them in time (bot/cut_short.py: the notice of
work cut short by a stop), found by their `dedupe_key`. Apart from the outbox's queue
(`storage.repositories.outbox`), whose rows are sent when due, because these move a pending
row's due time while its work runs, or withdraw it once the work is done."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage
from storage.repositories.outbox_marks import forgotten


async def due_again(session: AsyncSession, dedupe_keys: list[str], due: datetime) -> None:
    """The messages named by `dedupe_keys`, if still pending, due at `due` instead (a lease
    kept fresh, or run out at once: bot/cut_short.py)."""
    if dedupe_keys:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key.in_(dedupe_keys), OutboxMessage.state == "pending")
            .values(due_at=due)
        )


async def withdraw(session: AsyncSession, dedupe_key: str) -> None:
    """The message named `dedupe_key`, if still pending, is owed no more ('skipped'): it
    keeps nothing of it, nor its chat's id once no person has it (an erased staff member's
    menu taken away: the last row naming their chat)."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.dedupe_key == dedupe_key, OutboxMessage.state == "pending")
        .values(state="skipped", **forgotten(OutboxMessage.chat_id))
    )

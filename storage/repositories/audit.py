"""The audit log: append-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


@dataclass(frozen=True, slots=True)
class AuditRecord:
    at: datetime
    actor_telegram_id: int | None
    actor_pseudonym: str | None  # set instead of the id once the actor erased their data
    action: str
    outcome: str
    target: str | None
    detail: str | None


async def append(
    session: AsyncSession,
    *,
    actor_telegram_id: int | None,
    action: str,
    outcome: str,
    target: str | None = None,
    detail: str | None = None,
    actor_pseudonym: str | None = None,
    at: datetime,
) -> None:
    """`at`: Minka's clock, as the retention (bot/retention.py) that deletes entries reads it."""
    session.add(
        AuditEntry(
            actor_telegram_id=actor_telegram_id,
            actor_pseudonym=actor_pseudonym,
            action=action,
            outcome=outcome,
            target=target,
            detail=detail,
            at=at,
        )
    )
    await session.flush()


def _record(row: AuditEntry) -> AuditRecord:
    return AuditRecord(
        row.at,
        row.actor_telegram_id,
        row.actor_pseudonym,
        row.action,
        row.outcome,
        row.target,
        row.detail,
    )


async def recent(session: AsyncSession, limit: int = 20) -> list[AuditRecord]:
    rows = await session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
    return [_record(row) for row in rows]


async def about(session: AsyncSession, telegram_id: int, username: str | None) -> list[AuditRecord]:
    """Entries where the person acted or was the target (by id or @username)."""
    about_them = [
        AuditEntry.actor_telegram_id == telegram_id,
        AuditEntry.target == str(telegram_id),
    ]
    if username:
        about_them.append(func.lower(AuditEntry.target) == f"@{username.lower()}")
    rows = await session.scalars(select(AuditEntry).where(or_(*about_them)).order_by(AuditEntry.id))
    return [_record(row) for row in rows]


async def prune(session: AsyncSession, before: datetime) -> int:
    """Forget entries recorded before `before` (the retention period has passed)."""
    result = await session.execute(delete(AuditEntry).where(AuditEntry.at < before))
    return result.rowcount or 0

"""The audit log: append-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


@dataclass(frozen=True, slots=True)
class AuditRecord:
    at: datetime
    actor_telegram_id: int | None
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
) -> None:
    session.add(
        AuditEntry(
            actor_telegram_id=actor_telegram_id,
            action=action,
            outcome=outcome,
            target=target,
            detail=detail,
        )
    )
    await session.flush()


def _record(row: AuditEntry) -> AuditRecord:
    return AuditRecord(
        row.at, row.actor_telegram_id, row.action, row.outcome, row.target, row.detail
    )


async def recent(session: AsyncSession, limit: int = 20) -> list[AuditRecord]:
    rows = await session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
    return [_record(row) for row in rows]


async def by_actor(session: AsyncSession, telegram_id: int) -> list[AuditRecord]:
    rows = await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.actor_telegram_id == telegram_id)
        .order_by(AuditEntry.id)
    )
    return [_record(row) for row in rows]


async def prune(session: AsyncSession, before: datetime) -> int:
    """Forget entries recorded before `before` (the retention period has passed)."""
    result = await session.execute(delete(AuditEntry).where(AuditEntry.at < before))
    return result.rowcount or 0

"""Conversation state per person: which guided form they are in and what they typed so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationState


@dataclass(frozen=True, slots=True)
class StateRecord:
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


async def get_state(session: AsyncSession, telegram_id: int) -> StateRecord | None:
    row = await session.get(ConversationState, telegram_id)
    return StateRecord(row.flow, row.step, dict(row.data)) if row else None


async def set_state(
    session: AsyncSession, telegram_id: int, flow: str, step: str, data: dict[str, Any]
) -> None:
    row = await session.get(ConversationState, telegram_id)
    if row is None:
        session.add(ConversationState(telegram_id=telegram_id, flow=flow, step=step, data=data))
    else:
        row.flow, row.step, row.data = flow, step, dict(data)
    await session.flush()


async def clear_state(session: AsyncSession, telegram_id: int) -> None:
    """Forget the person's form, if any. Looked up first: most people have none, and a
    DELETE would take SQLite's write turn for the rest of the update for nothing."""
    row = await session.get(ConversationState, telegram_id)
    if row is not None:
        await session.delete(row)
        await session.flush()

"""Conversation state per person: which guided form they are in and what they typed so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationState


@dataclass(frozen=True, slots=True)
class StateRecord:
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


_states = ConversationState.__table__
# Read on every typed message: plain columns, no ORM object, built once. The writers below
# flush at once, so this never misses a change made earlier in the same transaction.
_STATE = select(_states.c.flow, _states.c.step, _states.c.data).where(
    _states.c.telegram_id == bindparam("telegram_id")
)


async def get_state(session: AsyncSession, telegram_id: int) -> StateRecord | None:
    row = (await session.execute(_STATE, {"telegram_id": telegram_id})).first()
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

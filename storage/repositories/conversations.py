"""Conversation state per person: which guided form they are in and what they typed so far.

A registration paused with /cancelar (bot/services/profile.py) is not a form, and a form
begun meanwhile (an error report, a broadcast) does not throw it away: its answers ride in
that form's data and are back in place, paused, when the form ends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationState

REGISTRATION = "registration"
REGISTRATION_PAUSED = "registration_paused"
_ASIDE = "_paused_registration"  # in another form's data: {"step": ..., "data": {...}}


@dataclass(frozen=True, slots=True)
class StateRecord:
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    # A paused registration kept while this other form is filled: (its step, its answers).
    paused: tuple[str, dict[str, Any]] | None = None


def state_record(flow: str, step: str, data: dict[str, Any] | None) -> StateRecord:
    """The stored row as forms read it: a paused registration kept aside is not an answer."""
    answers = dict(data or {})
    aside = answers.pop(_ASIDE, None)
    paused = (str(aside["step"]), dict(aside["data"])) if isinstance(aside, dict) else None
    return StateRecord(flow, step, answers, paused)


def _aside(row: ConversationState) -> dict[str, Any] | None:
    """The paused registration a row holds: the row itself, or one kept aside in it."""
    if row.flow == REGISTRATION_PAUSED:
        return {"step": row.step, "data": dict(row.data or {})}
    aside = (row.data or {}).get(_ASIDE)
    return aside if isinstance(aside, dict) else None


_states = ConversationState.__table__
# Read on every typed message: plain columns, no ORM object, built once. The writers below
# flush at once, so this never misses a change made earlier in the same transaction.
_STATE = select(_states.c.flow, _states.c.step, _states.c.data).where(
    _states.c.telegram_id == bindparam("telegram_id")
)


async def get_state(session: AsyncSession, telegram_id: int) -> StateRecord | None:
    row = (await session.execute(_STATE, {"telegram_id": telegram_id})).first()
    return state_record(row.flow, row.step, row.data) if row else None


async def set_state(
    session: AsyncSession, telegram_id: int, flow: str, step: str, data: dict[str, Any]
) -> None:
    """Begin or go on with a form. Another form than registration keeps a paused
    registration aside (registration itself resumes it: bot/services/profile.py)."""
    row = await session.get(ConversationState, telegram_id)
    data = {key: value for key, value in data.items() if key != _ASIDE}
    if row is None:
        session.add(ConversationState(telegram_id=telegram_id, flow=flow, step=step, data=data))
    else:
        if flow not in (REGISTRATION, REGISTRATION_PAUSED) and (aside := _aside(row)):
            data[_ASIDE] = aside
        row.flow, row.step, row.data = flow, step, data
    await session.flush()


async def clear_state(session: AsyncSession, telegram_id: int) -> None:
    """Forget the person's form, if any: a paused registration is not one (it stays, and one
    the form kept aside is paused again). Looked up first: most people have none, and a
    DELETE would take SQLite's write turn for the rest of the update for nothing."""
    row = await session.get(ConversationState, telegram_id)
    if row is None or row.flow == REGISTRATION_PAUSED:
        return
    if (aside := _aside(row)) is not None:
        row.flow, row.step, row.data = REGISTRATION_PAUSED, aside["step"], dict(aside["data"])
    else:
        await session.delete(row)
    await session.flush()

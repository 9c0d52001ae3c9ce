"""Giving roles: an admin names coordinators, from the chat or from the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.roles import Role
from storage.repositories import audit, people


@dataclass(frozen=True, slots=True)
class Grant:
    telegram_id: int
    applied_now: bool  # False: the person has not accepted the notice yet; applied when they do
    name: str | None


async def grant_role(
    session: AsyncSession, telegram_id: int, role: Role, *, granted_by: int | None
) -> Grant:
    person = await people.get(session, telegram_id)
    if person is None:
        await people.grant_role_later(session, telegram_id, role.value, granted_by)
    else:
        await people.set_role(session, telegram_id, role.value)
    await audit.append(
        session,
        actor_telegram_id=granted_by,
        action=f"grant_{role.value}",
        outcome="done",
        target=str(telegram_id),
    )
    return Grant(telegram_id, person is not None, person.full_name if person else None)


async def resolve_target(session: AsyncSession, text: str) -> int | None:
    """A numeric Telegram id, or the id of a known person by @username."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 15:  # Telegram ids fit in 52 bits
        return int(text)
    if text.startswith("@") and len(text) > 1:
        person = await people.find_by_username(session, text[1:])
        return person.telegram_id if person else None
    return None

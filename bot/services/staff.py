"""Giving and taking away roles: an admin names coordinators (with the regions they cover) and
specialists, from the chat or from the CLI, and can take a role back or cancel a grant that
still waits for the person to register. Every change is written to the audit log."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.services import access
from bot.services.roles import Role, effective_role
from bot.telegram_limits import parse_telegram_id
from storage.repositories import audit, outbox, people
from storage.repositories.people import PersonRecord

# The owed "message" that sets a person's command menu to their role (rendered by
# handlers/command_menu.py): owed in the transaction that changes the role, from the chat or
# the CLI, it is sent by the outbox in the chat's order, and a lasting flood control delays
# it instead of leaving the person with the menu of a role they no longer have.
MENU = "menu"


async def owe_menu(
    session: AsyncSession,
    person: PersonRecord,
    role: Role | None = None,
    *,
    admin_ids: Collection[int],
    now: datetime,
) -> None:
    """The person's command menu, in their language, owed to their chat from `now` (Minka's
    clock, the outbox's): what `role` (None: their stored one) allows, their registration and
    their Equipo Regional let them use. An administrator from the configuration (`admin_ids`)
    keeps an administrator's menu whatever role is stored for them, as at start-up."""
    role = effective_role(person.telegram_id, role or person.role, admin_ids)
    team = person.is_registered and await access.in_team(session, person.id)
    await outbox.enqueue(
        session,
        kind=MENU,
        dedupe_key=f"{MENU}:{uuid4().hex}",  # each change its own; the last one sent wins
        person_id=person.id,
        chat_id=person.telegram_id,
        payload={
            "role": role.value,
            "language": person.locale,
            "registered": person.is_registered,
            "team": team,
        },
        due_at=now,
    )


async def owe_menu_of(
    session: AsyncSession, telegram_id: int | None, admin_ids: Collection[int], now: datetime
) -> None:
    """`owe_menu` for the person as stored now (after their registration, language or team
    changed); administrators from the configuration keep theirs."""
    person = await people.get(session, telegram_id) if telegram_id is not None else None
    if person is not None:
        await owe_menu(session, person, admin_ids=admin_ids, now=now)


@dataclass(frozen=True, slots=True)
class Grant:
    telegram_id: int
    applied_now: bool  # False: the person has not accepted the notice yet; applied when they do
    name: str | None
    configured: bool = False  # refused: an administrator from BOT_ADMIN_IDS; nothing stored


# What the admin reads (chat or CLI) when a role is refused to a configured administrator.
CONFIGURED_GRANT = N_(
    "{who} is an administrator through BOT_ADMIN_IDS and can already do everything: no role was "
    "stored. To give them another role, remove them from BOT_ADMIN_IDS first."
)


async def _refuse_configured(
    session: AsyncSession, telegram_id: int, action: str, actor: int | None, now: datetime
) -> None:
    """Audit a role given to, or taken from, an administrator of the configuration: their
    powers come from BOT_ADMIN_IDS, so a stored role would change nothing and only mislead."""
    await audit.append(
        session,
        actor_telegram_id=actor,
        action=action,
        outcome="denied",
        target=str(telegram_id),
        detail="BOT_ADMIN_IDS",
        at=now,
    )


async def grant_role(
    session: AsyncSession,
    telegram_id: int,
    role: Role,
    *,
    granted_by: int | None,
    admin_ids: Collection[int],
    now: datetime,
    coverage: str | None = None,
) -> Grant:
    """Give `role`; a coordinator's `coverage` (bot.services.coverage) is stored with it and
    replaces any earlier one. Other roles carry no coverage. Refused (`configured`, audited)
    for an administrator of the configuration, registered or not, as `revoke_role` is: the
    role would be stored and announced yet change nothing they may do."""
    scope = coverage if role is Role.COORDINATOR else None
    person = await people.get(session, telegram_id)
    if telegram_id in admin_ids:
        await _refuse_configured(session, telegram_id, f"grant_{role.value}", granted_by, now)
        return Grant(telegram_id, False, person.full_name if person else None, configured=True)
    if person is None:
        await people.grant_role_later(session, telegram_id, role.value, granted_by, scope)
    else:
        await people.set_role(session, telegram_id, role.value, scope)
        await owe_menu(session, person, role, admin_ids=admin_ids, now=now)
    await audit.append(
        session,
        actor_telegram_id=granted_by,
        action=f"grant_{role.value}",
        outcome="done",
        target=str(telegram_id),
        detail=f"coverage={scope}" if scope else None,
        at=now,
    )
    return Grant(telegram_id, person is not None, person.full_name if person else None)


class Revoked(StrEnum):
    ROLE = "role"  # a registered person is an official again
    GRANT = "grant"  # a grant waiting for registration was cancelled
    NOTHING = "nothing"  # no role above official and no waiting grant
    CONFIGURED = "configured"  # an administrator from BOT_ADMIN_IDS: change the configuration


@dataclass(frozen=True, slots=True)
class Revocation:
    outcome: Revoked
    name: str | None
    role: Role | None  # the role taken away or cancelled


async def revoke_role(
    session: AsyncSession,
    telegram_id: int,
    *,
    revoked_by: int | None,
    admin_ids: Collection[int],
    now: datetime,
) -> Revocation:
    """Take away the role of `telegram_id` (official again, coverage gone), or cancel the
    grant waiting for them; audited either way, and so is a refusal (an administrator of the
    configuration)."""
    if telegram_id in admin_ids:
        await _refuse_configured(session, telegram_id, "revoke_role", revoked_by, now)
        return Revocation(Revoked.CONFIGURED, None, Role.ADMIN)
    person = await people.get(session, telegram_id)
    if person is not None and person.role != Role.OFFICIAL.value:
        await people.set_role(session, telegram_id, Role.OFFICIAL.value)
        await owe_menu(session, person, Role.OFFICIAL, admin_ids=admin_ids, now=now)
        outcome, name, role = Revoked.ROLE, person.full_name, person.role
    elif person is None and (grant := await people.take_role_grant(session, telegram_id)):
        outcome, name, role = Revoked.GRANT, None, grant[0]
    else:
        return Revocation(Revoked.NOTHING, person.full_name if person else None, None)
    await audit.append(
        session,
        actor_telegram_id=revoked_by,
        action="revoke_role" if outcome is Revoked.ROLE else "cancel_grant",
        outcome="done",
        target=str(telegram_id),
        detail=f"role={role}",
        at=now,
    )
    return Revocation(outcome, name, Role(role))


async def resolve_target(session: AsyncSession, text: str) -> int | None:
    """A numeric Telegram id, or the id of a known person by @username."""
    text = text.strip()
    if (number := parse_telegram_id(text)) is not None:
        return number
    if text.startswith("@") and len(text) > 1:
        person = await people.find_by_username(session, text[1:])
        return person.telegram_id if person else None
    return None

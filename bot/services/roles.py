"""Roles and the single place where Minka decides who may do what.

Every refusal is written to the audit log, so that a coordinator can see who tried what.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from storage.repositories import audit


class Role(StrEnum):
    OFFICIAL = "official"
    SPECIALIST = "specialist"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


# Each role may do everything the roles before it may do.
_RANK = {Role.OFFICIAL: 0, Role.SPECIALIST: 1, Role.COORDINATOR: 2, Role.ADMIN: 3}

ROLE_LABELS: dict[Role, str] = {
    Role.OFFICIAL: N_("Official"),
    Role.SPECIALIST: N_("Specialist"),
    Role.COORDINATOR: N_("Coordinator"),
    Role.ADMIN: N_("Administrator"),
}


def effective_role(telegram_id: int, stored_role: str | None, admin_ids: Collection[int]) -> Role:
    """Admins come from the configuration (BOT_ADMIN_IDS); everyone else from the database."""
    if telegram_id in admin_ids:
        return Role.ADMIN
    try:
        return Role(stored_role) if stored_role else Role.OFFICIAL
    except ValueError:
        return Role.OFFICIAL


def allows(role: Role, required: Role) -> bool:
    return _RANK[role] >= _RANK[required]


async def authorize(
    session: AsyncSession,
    *,
    telegram_id: int,
    role: Role,
    required: Role,
    action: str,
    now: datetime,
) -> bool:
    """True when `role` suffices for `action`; otherwise audit the refusal and return False."""
    if allows(role, required):
        return True
    await audit.append(
        session,
        actor_telegram_id=telegram_id,
        action=action,
        outcome="denied",
        detail=f"role={role.value} required={required.value}",
        at=now,
    )
    return False

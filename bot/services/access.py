"""What a person can use besides what their role allows: some commands need a finished
registration, one needs membership of an Equipo Regional (appointed by a coordinator or an
administrator, never a field of the profile). /ayuda and Telegram's command menus list only
what the person can use, so nobody is offered a command that only refuses."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.roles import Role, allows
from storage.direct import Direct
from storage.models import TeamMember
from storage.repositories.people import PersonRecord


class Needs(StrEnum):
    ANYONE = "anyone"  # even before accepting the privacy notice
    REGISTERED = "registered"  # a finished registration
    TEAM = "team"  # a member of an Equipo Regional


@dataclass(frozen=True, slots=True)
class Access:
    role: Role
    registered: bool = False
    team: bool = False

    @property
    def own_menu(self) -> bool:
        """Whether the person's command menu differs from everyone's (a newcomer's)."""
        return self.registered or self.role is not Role.OFFICIAL


def may_use(access: Access | None, role: Role | None, needs: Needs) -> bool:
    """`access` None: someone Minka does not know yet (Telegram's menu for every chat)."""
    if access is None:
        return role is None and needs is Needs.ANYONE
    if role is not None and not allows(access.role, role):
        return False
    if needs is Needs.REGISTERED:
        return access.registered
    if needs is Needs.TEAM:
        return access.team
    return True


# Read by /ayuda and the menu's help on every press: built once, run at the driver
# (storage.direct).
_MEMBER = Direct(
    select(TeamMember.__table__.c.person_id).where(
        TeamMember.__table__.c.person_id == bindparam("person_id")
    )
)


async def in_team(session: AsyncSession, person_id: int) -> bool:
    return bool((await _MEMBER.run(session, {"person_id": person_id})).rows)


async def access_of(session: AsyncSession, person: PersonRecord | None, role: Role) -> Access:
    """The person's access now: `role` as the dispatcher decided it (admins from the
    configuration), registration and team membership from the database."""
    if person is None or not person.is_registered:
        return Access(role)
    return Access(role, registered=True, team=await in_team(session, person.id))

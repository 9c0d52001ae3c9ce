"""Which regions a staff member answers for, and so what they may see and change: cases,
workshops, meetings and indicator reports. The one place where scope is decided.

Coverage comes only from what an administrator granted with the coordinator role
(`/coordinador ID Puno, Cusco` or `/coordinador ID nacional` in the chat,
`python -m bot admin agregar-coordinador ID --region Puno` or `--nacional` in the shell) and is
stored with the role (people.coverage, or role_grants.coverage while the grant waits for the
person to register). The region in the person's own profile, which they edit themselves,
never widens or narrows it.

- Administrators (BOT_ADMIN_IDS) and national coordinators cover every region.
- A regional coordinator covers the granted regions only; a coordinator with no granted
  coverage covers none until an administrator names them again.
- Officials and specialists cover none: they see only what they registered themselves.

What an item belongs to:
- a case: its region;
- a workshop: its region; a national or virtual one (no region) belongs to the national level;
- a meeting or a study visit: the regions of its invitees plus the regions named in its
  audience; one addressed to everyone, an institution or a role, or with nobody invited, is
  national;
- an indicator report: its region, or all regions.
A regional coordinator may see or change an item only when they cover every region it
belongs to, and may create workshops, invite to meetings and broadcast only within the regions
they cover (an audience of one of their regions, or the participants of a workshop or meeting
they cover); a refusal is written to the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.services.meetings import Audience
from bot.services.regions import match_region, normalize
from bot.services.roles import Role, allows, effective_role
from storage.repositories import audit, people, regions
from storage.repositories import meetings as meeting_repo
from storage.repositories import visits as visit_repo
from storage.repositories.meetings import MeetingRecord
from storage.repositories.visits import VisitRecord
from storage.repositories.workshops import WorkshopRecord

NATIONAL = "*"  # stored coverage of a national coordinator
CENTRAL = "minem"  # MINEM's central level: a place in profiles, not a region one can cover
NATIONAL_WORDS = frozenset({"nacional", "todas", "todo el pais", "national", "all"})


@dataclass(frozen=True, slots=True)
class Coverage:
    """The regions someone oversees; `regions` None means every region."""

    regions: frozenset[str] | None

    @property
    def national(self) -> bool:
        return self.regions is None

    def covers(self, region: str | None) -> bool:
        """True when `region` is covered; None (all regions, or national items) needs
        national coverage."""
        if self.regions is None:
            return True
        return region is not None and region in self.regions

    def covers_all(self, regions: Collection[str | None]) -> bool:
        """True when every region an item belongs to is covered (nothing: national)."""
        if self.regions is None:
            return True
        return bool(regions) and all(self.covers(region) for region in regions)


def parse(stored: str | None) -> frozenset[str] | None:
    """The stored text of a grant: None for national, otherwise its region codes."""
    if stored == NATIONAL:
        return None
    return frozenset(code for code in (stored or "").split(",") if code)


def store(regions: frozenset[str] | None) -> str:
    return NATIONAL if regions is None else ",".join(sorted(regions))


def of(role: Role, granted: str | None) -> Coverage:
    """What someone with `role` and the coverage `granted` with it oversees."""
    if role is Role.ADMIN:
        return Coverage(None)
    if not allows(role, Role.COORDINATOR):
        return Coverage(frozenset())
    return Coverage(parse(granted))


def within(narrow: Coverage, wide: Coverage) -> bool:
    """Whether `wide` covers every region `narrow` does."""
    if wide.regions is None:
        return True
    return narrow.regions is not None and narrow.regions <= wide.regions


async def held_now(
    session: AsyncSession, telegram_id: int, admin_ids: Collection[int]
) -> tuple[Role, Coverage]:
    """What someone holds at this moment: their role (BOT_ADMIN_IDS, else stored; nobody
    stored: an official) and its coverage, for work that acts on a press made earlier."""
    person = await people.get(session, telegram_id)
    role = effective_role(telegram_id, person.role if person else None, admin_ids)
    return role, of(role, person.coverage if person else None)


def questions_of(role: Role, covered: Coverage) -> frozenset[str] | None:
    """The regions whose questions to the specialists (and error reports) someone sees and
    answers, by the asker's region: a specialist every region's (their service is
    national), a coordinator those they cover (None: every region)."""
    return None if role is Role.SPECIALIST else covered.regions


def covered_regions(role: Role, granted: str | None) -> frozenset[str] | None:
    """None: every region; otherwise the set of region codes (empty for non-coordinators)."""
    return of(role, granted).regions


class CoverageError(ValueError):
    """Typed coverage that cannot be granted; `message` is a msgid formatted with `params`."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


async def read_grant(session: AsyncSession, text: str) -> str:
    """The stored coverage for what an admin typed: «nacional», or region names separated by
    commas («Puno, Cusco»). Accents and case do not matter; MINEM is not a region."""
    parts = [part.strip() for part in re.split(r",|;|\by\b", text) if part.strip()]
    if not parts:
        raise CoverageError(N_("Say which regions («Puno, Cusco») or «nacional»."))
    if len(parts) == 1 and normalize(parts[0]) in NATIONAL_WORDS:
        return NATIONAL
    known = [r for r in await regions.list_regions(session) if r.code != CENTRAL]
    codes = set()
    for part in parts:
        match = match_region(part, known)
        if match.region is None:
            raise CoverageError(
                N_("I don't know the region «{region}». For the whole country write «nacional»."),
                region=part[:40],
            )
        codes.add(match.region.code)
    return store(frozenset(codes))


async def region_names(session: AsyncSession, coverage: Coverage) -> list[str] | None:
    """The names of the covered regions, in the usual order; None for national coverage."""
    if coverage.regions is None:
        return None
    return [r.name for r in await regions.list_regions(session) if r.code in coverage.regions]


async def stored_names(session: AsyncSession, stored: str | None) -> list[str] | None:
    """The names of a stored grant's regions (None: national)."""
    return await region_names(session, Coverage(parse(stored)))


# --- what items belong to --------------------------------------------------------------------


def may_see_workshop(coverage: Coverage, workshop: WorkshopRecord) -> bool:
    return coverage.covers(workshop.region_code)


def visible_workshops(coverage: Coverage, workshops: Iterable[WorkshopRecord]) -> list:
    return [w for w in workshops if may_see_workshop(coverage, w)]


def _audience_regions(item: MeetingRecord | VisitRecord) -> set[str | None]:
    audience = item.audience or {}
    found: set[str | None] = set(audience.get("regions") or [])
    if audience.get("everyone") or audience.get("institutions") or audience.get("roles"):
        found.add(None)  # addressed beyond regions: national
    return found


async def visible_meetings(
    session: AsyncSession, coverage: Coverage, meetings: list[MeetingRecord]
) -> list[MeetingRecord]:
    """The meetings `coverage` may see, with one query for all of them."""
    if coverage.national:
        return meetings
    invited = await meeting_repo.invitee_regions(session, [m.id for m in meetings])
    return [
        m for m in meetings if coverage.covers_all(invited.get(m.id, set()) | _audience_regions(m))
    ]


async def may_see_meeting(
    session: AsyncSession, coverage: Coverage, meeting: MeetingRecord
) -> bool:
    return bool(await visible_meetings(session, coverage, [meeting]))


async def visible_visits(
    session: AsyncSession, coverage: Coverage, visits: list[VisitRecord]
) -> list[VisitRecord]:
    """A study visit belongs, as a meeting, to its invitees' regions and its audience's."""
    if coverage.national:
        return visits
    invited = await visit_repo.participant_regions(session, [v.id for v in visits])
    return [
        v for v in visits if coverage.covers_all(invited.get(v.id, set()) | _audience_regions(v))
    ]


async def may_see_visit(session: AsyncSession, coverage: Coverage, visit: VisitRecord) -> bool:
    return bool(await visible_visits(session, coverage, [visit]))


def may_address(coverage: Coverage, audience: Audience) -> bool:
    """Whether `coverage` may invite or write to `audience`: national coverage anyone; a
    regional coordinator only people chosen by regions that they all cover."""
    if coverage.national:
        return True
    beyond = audience.everyone or audience.institutions or audience.roles or audience.telegram_ids
    return not beyond and coverage.covers_all(audience.regions)


async def refused(
    session: AsyncSession, *, telegram_id: int, action: str, target: str, now: datetime
) -> None:
    """Write an out-of-scope attempt to the audit log (action «scope»)."""
    await audit.append(
        session,
        actor_telegram_id=telegram_id,
        action="scope",
        outcome="denied",
        target=target[:120],
        detail=action[:200],
        at=now,
    )

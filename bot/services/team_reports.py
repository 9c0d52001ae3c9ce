"""Regional Team monthly reports: who must report, the month's case count that prefills the
form, the reminders (the 25th, and the 3rd of the next month to those still missing), and
who has reported.

A member of a region's Equipo Regional is a registered person an administrator made one
(`python -m bot admin agregar-equipo ID --region R`) or a coordinator who covers the region
(`/equipo ID Región` in the chat), a row of `team_members`; never someone whose own profile
says so. A report is on time when it arrives
by the end of the 3rd of the following month (Lima), the day of the second reminder.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services import staff
from storage.models import Case, Person, TeamMember, TeamReport
from storage.repositories import app_state, outbox

KIND = "team_report_reminder"
FIRST_DAY, SECOND_DAY = 25, 3  # reminders: the 25th of the month, the 3rd of the next
REMIND_AT = time(9, 0)
TEXT_LIMIT = 1000
FIELDS = ("activities", "difficulties", "support", "next_steps")


@dataclass(frozen=True, slots=True)
class Member:
    person_id: int
    telegram_id: int | None
    name: str | None
    region_code: str


@dataclass(frozen=True, slots=True)
class ReportRecord:
    person_id: int
    region_code: str
    month: str
    cases: int
    activities: str
    difficulties: str | None
    support: str | None
    next_steps: str | None
    submitted_at: datetime


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


def previous(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def first_day(month: str) -> date:
    return date(int(month[:4]), int(month[5:]), 1)


def month_name(t: Translator, month: str) -> str:
    """'Diciembre 2026' for '2026-12'."""
    first = first_day(month)
    return t.month(first.year, first.month)


def next_first(month: str) -> date:
    start = first_day(month)
    return date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)


def deadline(month: str, zone: ZoneInfo) -> datetime:
    """The first moment after which a report of `month` is late: the 4th of the next, 00:00."""
    return datetime.combine(next_first(month) + timedelta(days=SECOND_DAY), time(), tzinfo=zone)


def on_time(report: ReportRecord, zone: ZoneInfo) -> bool:
    return report.submitted_at < deadline(report.month, zone)


async def members(session: AsyncSession, regions: frozenset[str] | None = None) -> list[Member]:
    """Registered, not erased members of the Equipos Regionales (`regions` None: all)."""
    region = TeamMember.region_code
    statement = (
        select(Person.id, Person.telegram_id, Person.full_name, region)
        .join(TeamMember, TeamMember.person_id == Person.id)
        .where(Person.registered_at.is_not(None), Person.erased_at.is_(None))
    )
    if regions is not None:
        statement = statement.where(region.in_(regions))
    rows = await session.execute(statement.order_by(region, Person.full_name))
    return [Member(*row) for row in rows.all()]


async def appoint(
    session: AsyncSession,
    person_id: int,
    region_code: str,
    now: datetime,
    *,
    admin_ids: Collection[int] = (),
) -> None:
    """Make the person a member of `region_code`'s Equipo Regional (replacing another); their
    menu now offers /informe_mensual."""
    member = await session.get(TeamMember, person_id)
    if member is None:
        session.add(TeamMember(person_id=person_id, region_code=region_code, granted_at=now))
    else:
        member.region_code, member.granted_at = region_code, now
    await session.flush()
    await staff.owe_menu_of(session, await _telegram_id(session, person_id), admin_ids, now)


async def _telegram_id(session: AsyncSession, person_id: int) -> int | None:
    return await session.scalar(select(Person.telegram_id).where(Person.id == person_id))


async def region_of(session: AsyncSession, person_id: int) -> str | None:
    """The region of the person's Equipo Regional, or None if they belong to none."""
    return await session.scalar(
        select(TeamMember.region_code).where(TeamMember.person_id == person_id)
    )


def may_change(covered: Callable[[str], bool], current: str | None, wanted: str | None) -> bool:
    """A coordinator sets a membership only within the regions they cover: the region it
    goes to and the one it leaves (moving someone out of another region's team is a change
    to that team too)."""
    return all(covered(region) for region in (current, wanted) if region is not None)


async def dismiss(
    session: AsyncSession, person_id: int, now: datetime, *, admin_ids: Collection[int] = ()
) -> bool:
    """End the person's membership (and /informe_mensual in their menu); False if they were
    not a member."""
    result = await session.execute(delete(TeamMember).where(TeamMember.person_id == person_id))
    if not result.rowcount:
        return False
    await staff.owe_menu_of(session, await _telegram_id(session, person_id), admin_ids, now)
    return True


async def cases_registered(session: AsyncSession, region: str, month: str, zone: ZoneInfo) -> int:
    """Cases registered for the region in the month (Lima): what prefills the form."""
    start = datetime.combine(first_day(month), time(), tzinfo=zone)
    end = datetime.combine(next_first(month), time(), tzinfo=zone)
    return (
        await session.scalar(
            select(func.count()).where(
                Case.region_code == region, Case.created_at >= start, Case.created_at < end
            )
        )
        or 0
    )


async def reports(
    session: AsyncSession, month: str, regions: frozenset[str] | None = None
) -> list[ReportRecord]:
    statement = select(
        TeamReport.person_id,
        TeamReport.region_code,
        TeamReport.month,
        TeamReport.cases,
        TeamReport.activities,
        TeamReport.difficulties,
        TeamReport.support,
        TeamReport.next_steps,
        TeamReport.submitted_at,
    ).where(TeamReport.month == month)
    if regions is not None:
        statement = statement.where(TeamReport.region_code.in_(regions))
    return [ReportRecord(*row) for row in (await session.execute(statement)).all()]


async def save(
    session: AsyncSession,
    member: Member,
    month: str,
    *,
    cases: int,
    texts: dict[str, str | None],
    now: datetime,
) -> None:
    """The member's report of the month; sending it again replaces what it says, not when it
    was first sent nor its region: a report sent on time and again after its quarter's end
    turned late, moving the ended quarter's «Sent on time» by one person's act, which two
    readings, subtracted, told of a region that hides it (tests/test_team_reports_after_end)."""
    row = await session.scalar(
        select(TeamReport).where(
            TeamReport.person_id == member.person_id, TeamReport.month == month
        )
    )
    if row is None:
        row = TeamReport(
            person_id=member.person_id, month=month, region_code=member.region_code,
            submitted_at=now,
        )  # fmt: skip
        session.add(row)
    row.cases = cases
    row.activities = texts["activities"] or ""
    row.difficulties = texts.get("difficulties")
    row.support = texts.get("support")
    row.next_steps = texts.get("next_steps")
    await session.flush()


def due_round(now: datetime, zone: ZoneInfo) -> tuple[str, int] | None:
    """Which reminder is due now: (month, 1) from the 25th at 09:00 Lima, (previous month, 2)
    from the 3rd at 09:00; None on the 1st and 2nd and before 09:00."""
    local = now.astimezone(zone)
    if local.time() < REMIND_AT and local.day in (FIRST_DAY, SECOND_DAY):
        return None
    if local.day >= FIRST_DAY:
        return month_of(local.date()), 1
    if local.day >= SECOND_DAY:
        return previous(month_of(local.date())), 2
    return None


async def schedule_due(session: AsyncSession, now: datetime, zone: ZoneInfo) -> int:
    """Owe this round's reminder to every member without a report (once per round: a flag in
    app_state spares the scheduler a look at every member every few seconds)."""
    due = due_round(now, zone)
    if due is None:
        return 0
    month, number = due
    flag = f"team-reminders:{month}:{number}"
    if await app_state.get(session, flag) is not None:
        return 0
    reported = {report.person_id for report in await reports(session, month)}
    owed = 0
    for member in await members(session):
        if member.person_id in reported:
            continue
        owed += await outbox.enqueue(
            session,
            kind=KIND,
            dedupe_key=f"team-report:{month}:{member.person_id}:{number}",
            person_id=member.person_id,
            payload={"month": month, "round": number},
            due_at=now,
        )
    await app_state.put(session, flag, now.isoformat())
    return owed


async def has_reported(session: AsyncSession, person_id: int, month: str) -> bool:
    found = await session.scalar(
        select(TeamReport.id).where(TeamReport.person_id == person_id, TeamReport.month == month)
    )
    return found is not None

"""A meeting's record for coordinators: who was invited, who answered what, who came.

Counts are computed in the database with GROUP BY queries (a fixed handful per report however
many people were invited) and count people, never invitation rows or button presses. The
invitee list names everyone with their region, answer and attendance, because the record
exists to show who took part; it does not show their sex, nor counts by sex: beside the list,
«Hombre: no asistirán 1» named the one man who declined, and a meeting's counts by sex are the
inner cells of a table (meeting × region × sex) whose margins the indicators show (invited
and attended by sex, national and regional), so hiding one meeting's small ones left them to
subtraction: the national men less the other meetings' men. Indicator 1 counts meetings'
people by sex under one rule (`bot.services.indicators.sex_rule`). Counts by region add
nothing to the list and are shown whole. Nothing here knows about Telegram, so the same
report feeds a chat message or a spreadsheet.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from storage.models import MeetingInvitation, Person, Region
from storage.repositories import meetings as repo
from storage.repositories.meetings import MeetingRecord

# The answers an invitation can hold, in the order reports show them.
ANSWERS: dict[str, str] = {
    "yes": N_("Confirmed"),
    "no": N_("Declined"),
    "delegate": N_("Delegated"),
    "pending": N_("No answer"),
}
STATUSES: dict[str, str] = {
    "scheduled": N_("Scheduled"),
    "cancelled": N_("Cancelled"),
}


@dataclass(frozen=True, slots=True)
class Counts:
    """People invited, by answer, and those who attended (whatever they had answered)."""

    invited: int = 0
    confirmed: int = 0
    declined: int = 0
    delegated: int = 0
    pending: int = 0
    attended: int = 0


@dataclass(frozen=True, slots=True)
class GroupCounts:
    """One region of the breakdown, by name; None means "not given"."""

    key: str | None
    counts: Counts


@dataclass(frozen=True, slots=True)
class Delegate:
    """An invitee who sent someone in their place."""

    name: str | None
    delegate_name: str | None
    delegate_position: str | None


@dataclass(frozen=True, slots=True)
class Invitee:
    """One line of the invitee list; `name` is None for someone who erased their data."""

    person_id: int
    name: str | None
    region_name: str | None
    rsvp: str
    delegate_name: str | None
    delegate_position: str | None
    attended: bool


@dataclass(frozen=True, slots=True)
class MeetingReport:
    meeting: MeetingRecord
    totals: Counts
    by_region: list[GroupCounts]
    delegates: list[Delegate]
    invitees: list[Invitee]
    agreements: str | None


def _count_columns() -> list[Any]:
    """COUNT(DISTINCT person) overall, per answer and for attendance: one row per group."""
    person = MeetingInvitation.person_id

    def where(condition: Any) -> Any:
        return func.count(func.distinct(case((condition, person))))

    return [
        func.count(func.distinct(person)),
        where(MeetingInvitation.rsvp == "yes"),
        where(MeetingInvitation.rsvp == "no"),
        where(MeetingInvitation.rsvp == "delegate"),
        where(MeetingInvitation.rsvp == "pending"),
        where(MeetingInvitation.attended_at.is_not(None)),
    ]


def _counts(values: Any) -> Counts:
    return Counts(*(int(value or 0) for value in values))


async def _totals(session: AsyncSession, meeting_id: int) -> Counts:
    row = (
        await session.execute(
            select(*_count_columns()).where(MeetingInvitation.meeting_id == meeting_id)
        )
    ).one()
    return _counts(row)


async def _by_region(session: AsyncSession, meeting_id: int) -> list[GroupCounts]:
    """By the region each invitee had when invited (the invitation's), in the official list
    order; "not given" last: a later move in /perfil does not change a meeting's report."""
    rows = await session.execute(
        select(Region.name, Region.sort_order, *_count_columns())
        .select_from(MeetingInvitation)
        .outerjoin(Region, Region.code == MeetingInvitation.region_code)
        .where(MeetingInvitation.meeting_id == meeting_id)
        .group_by(Region.name, Region.sort_order)
    )
    groups = sorted(rows, key=lambda row: (row[0] is None, row[1] or 0, row[0] or ""))
    return [GroupCounts(name, _counts(values)) for name, _order, *values in groups]


def _fold(text: str) -> str:
    """Accent- and case-blind sort key, so "Álvarez" sorts with the A's on every database."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


async def _invitees(session: AsyncSession, meeting_id: int) -> list[Invitee]:
    """Everyone invited, by the region they were invited as (official order, none last) then
    name (none last).

    Sorted here rather than in SQL: SQLite and PostgreSQL disagree on where NULLs go and
    on how accented names collate.
    """
    rows = await session.execute(
        select(
            MeetingInvitation.person_id,
            func.coalesce(Person.full_name, Person.telegram_name),
            Region.name,
            Region.sort_order,
            MeetingInvitation.rsvp,
            MeetingInvitation.delegate_name,
            MeetingInvitation.delegate_position,
            MeetingInvitation.attended_at,
        )
        .join(Person, Person.id == MeetingInvitation.person_id)
        .outerjoin(Region, Region.code == MeetingInvitation.region_code)
        .where(MeetingInvitation.meeting_id == meeting_id)
    )
    ordered = sorted(
        rows,
        key=lambda r: (r[2] is None, r[3] or 0, r[1] is None, _fold(r[1] or ""), r[0]),
    )
    return [
        Invitee(
            person_id=person_id,
            name=name,
            region_name=region,
            rsvp=rsvp,
            delegate_name=delegate_name,
            delegate_position=delegate_position,
            attended=attended_at is not None,
        )
        for (
            person_id,
            name,
            region,
            _order,
            rsvp,
            delegate_name,
            delegate_position,
            attended_at,
        ) in ordered
    ]


async def build_report(session: AsyncSession, meeting_id: int) -> MeetingReport | None:
    """The whole report, or None for an unknown meeting."""
    meeting = await repo.get(session, meeting_id)
    if meeting is None:
        return None
    invitees = await _invitees(session, meeting_id)
    return MeetingReport(
        meeting=meeting,
        totals=await _totals(session, meeting_id),
        by_region=await _by_region(session, meeting_id),
        delegates=[
            Delegate(i.name, i.delegate_name, i.delegate_position)
            for i in invitees
            if i.rsvp == "delegate"
        ],
        invitees=invitees,
        agreements=meeting.agreements.strip() if meeting.agreements else None,
    )

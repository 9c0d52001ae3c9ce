"""Indicator 2: how many coordination meetings there are, and how regularly they happen.

Meetings (a few hundred a year) are the only rows read here; the agreements due in the
period come from `agreements`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import func, select

from bot.i18n import N_
from bot.services.indicators.agreements import agreement_figures
from bot.services.indicators.common import (
    TOTAL,
    Chart,
    Column,
    Headline,
    Indicator,
    Kind,
    Query,
    Table,
    scoped,
)
from bot.services.indicators.meetings import (
    MEETINGS,
    day_label,
    held,
    local_day,
)
from bot.services.indicators.months import month_label
from bot.services.meetings import KINDS
from storage.models import Meeting, MeetingInvitation, Region

REGULARITY_TITLE = N_("Number and regularity of MINEM–GR coordination meetings")
REGULARITY_DEFINITION = N_(
    "Meetings of every kind that start in the period (Lima dates, first and last day included) "
    "and were not cancelled, by kind and by month of their start. Days between meetings: "
    "calendar days between the Lima dates of consecutive meetings, averaged; the longest gap "
    "is the largest of them. A meeting concerns a region when at least one person from that "
    "region was invited to it; for a single region only the meetings that concern it are "
    "counted. Regional governments without a meeting: those with no meeting concerning them "
    "in the 12 months that end with the period, with the date of their last meeting before. "
    "Meetings are not people, so there is no breakdown by sex. Agreements, each as it stood "
    "at the period's end (a year's: its quarters' together, each as it stood at its "
    "quarter's end): those recorded for follow-up in meetings not cancelled by then, "
    "whose due date falls in the period, by the kind of their meeting (for a single region, "
    "those whose responsible person was from it "
    "when invited to the meeting). Fulfilled on time: marked fulfilled no later than the due "
    "date (Lima); late: fulfilled after it, by the period's end; not fulfilled: not "
    "fulfilled by the period's end (for a period in progress, when the report is made). The "
    "share fulfilled on time is over the agreements due; a kind whose "
    "agreements rest on fewer than 3 responsible people shows only how many were due."
)
LAST_MEETING = N_("Last meeting")
AVERAGE_GAP = N_("Average days between meetings")
LONGEST_GAP = N_("Longest gap (days)")


def _gaps(days: Iterable[date]) -> list[int]:
    return [(later - earlier).days for earlier, later in pairwise(sorted(days))]


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _year_before(q: Query) -> datetime:
    """The start of the 12 months that end with the period."""
    after = q.period.last + timedelta(days=1)
    try:
        first = after.replace(year=after.year - 1)
    except ValueError:  # 29 February
        first = after.replace(year=after.year - 1, day=28)
    return datetime.combine(first, datetime.min.time(), tzinfo=q.t.timezone)


async def _held_meetings(q: Query) -> list[tuple[int, str, date]]:
    statement = select(Meeting.id, Meeting.kind, Meeting.starts_at).where(*held(q))
    if q.region is not None:  # the meetings with at least one invitee from the region
        invited = select(MeetingInvitation.meeting_id)
        statement = statement.where(
            Meeting.id.in_(scoped(q, invited, MeetingInvitation.region_code))
        )
    rows = await q.session.execute(statement.order_by(Meeting.starts_at, Meeting.id))
    return [(meeting_id, kind, local_day(q, starts_at)) for meeting_id, kind, starts_at in rows]


def _kind_table(q: Query, kinds: list[str]) -> Table:
    order = [*KINDS, *sorted(set(kinds) - set(KINDS))]
    rows = [(q._(KINDS.get(kind, kind)), kinds.count(kind)) for kind in order]
    rows.append((q._(TOTAL), len(kinds)))
    columns = (Column(q._(N_("Kind")), Kind.TEXT), Column(q._(MEETINGS)))
    return Table(q._(N_("Meetings by kind")), columns, tuple(rows), total_row=True)


def _month_table(q: Query, meetings: list[tuple[int, str, date]]) -> Table:
    kinds = [*KINDS, *sorted({kind for _, kind, _ in meetings} - set(KINDS))]
    rows = []
    for year, month in q.period.months():
        held_kinds = [kind for _, kind, day in meetings if (day.year, day.month) == (year, month)]
        per_kind = [held_kinds.count(kind) for kind in kinds]
        rows.append((month_label(q, year, month), *per_kind, len(held_kinds)))
    all_kinds = [kind for _, kind, _ in meetings]
    rows.append((q._(TOTAL), *(all_kinds.count(kind) for kind in kinds), len(meetings)))
    columns = (
        Column(q._(N_("Month")), Kind.TEXT),
        *(Column(q._(KINDS.get(kind, kind))) for kind in kinds),
        Column(q._(TOTAL)),
    )
    return Table(q._(N_("Meetings by month")), columns, tuple(rows), total_row=True)


async def _region_table(q: Query, meetings: list[tuple[int, str, date]]) -> Table:
    day_of = {meeting_id: day for meeting_id, _, day in meetings}
    pairs = await q.session.execute(
        scoped(
            q,
            select(MeetingInvitation.region_code, MeetingInvitation.meeting_id)
            .join(Meeting, Meeting.id == MeetingInvitation.meeting_id)
            .where(*held(q), MeetingInvitation.region_code.is_not(None)),
            MeetingInvitation.region_code,
        ).distinct()
    )
    days: dict[str, list[date]] = {}
    for region, meeting_id in pairs:
        days.setdefault(region, []).append(day_of[meeting_id])
    order = [code for code in q.regions if code in days]
    order += sorted(code for code in days if code not in q.regions)

    def row(label: str, region_days: list[date]) -> tuple[Any, ...]:
        last = max(region_days, default=None)
        return (label, len(region_days), day_label(q, last), _mean(_gaps(region_days)))

    rows = [row(q.region_name(code), days[code]) for code in order]
    rows.append(row(q._(TOTAL), list(day_of.values())))
    columns = (
        Column(q._(N_("Region")), Kind.TEXT),
        Column(q._(MEETINGS)),
        Column(q._(LAST_MEETING), Kind.TEXT),
        Column(q._(AVERAGE_GAP), Kind.NUMBER),
    )
    title = q._(N_("Meetings concerning each region"))
    return Table(title, columns, tuple(rows), total_row=True)


async def _without_meetings(q: Query) -> Table:
    """Regional governments with no meeting in the 12 months that end with the period."""
    last_rows = await q.session.execute(
        select(MeetingInvitation.region_code, func.max(Meeting.starts_at))
        .select_from(MeetingInvitation)
        .join(Meeting, Meeting.id == MeetingInvitation.meeting_id)
        .where(Meeting.status != "cancelled", Meeting.starts_at < q.end)
        .where(MeetingInvitation.region_code.is_not(None))
        .group_by(MeetingInvitation.region_code)
    )
    last = {code: moment for code, moment in last_rows}
    governments = await q.session.execute(
        scoped(
            q,
            select(Region.code, Region.name).where(Region.kind == "regional_government"),
            Region.code,
        ).order_by(Region.sort_order)
    )
    since = _year_before(q)
    rows = tuple(
        (name, day_label(q, local_day(q, last[code])) if code in last else None)
        for code, name in governments
        if code not in last or last[code] < since
    )
    columns = (Column(q._(N_("Region")), Kind.TEXT), Column(q._(LAST_MEETING), Kind.TEXT))
    title = q._(N_("Regional governments without a meeting in the last 12 months"))
    return Table(title, columns, rows)


async def meeting_regularity(q: Query) -> Indicator:
    """Meetings of every kind that start in the period (Lima dates, first and last day
    included) and were not cancelled, by kind and by month of their start. Days between
    meetings: calendar days between the Lima dates of consecutive meetings, averaged; the
    longest gap is the largest of them. A meeting concerns a region when at least one person
    from that region was invited to it; for a single region only the meetings that concern it
    are counted. Regional governments without a meeting: those with no meeting concerning
    them in the 12 months that end with the period, with the date of their last meeting
    before. Meetings are not people, so there is no breakdown by sex. Agreements, each as it
    stood at the period's end (a year's: its quarters' together, each as it stood at its
    quarter's end): those recorded for follow-up in meetings not cancelled by then, whose
    due date falls in the period, by the kind of their meeting (for a single region, those
    whose responsible person was from it when invited to the meeting). Fulfilled on time:
    marked fulfilled no later than the due date (Lima); late: fulfilled after it, by the
    period's end; not fulfilled: not fulfilled by the period's end (for a period in
    progress, when the report is made). The share fulfilled on time is over the agreements
    due; a kind whose agreements rest on fewer than 3 responsible people shows only how many
    were due.
    """
    meetings = await _held_meetings(q)
    kinds = [kind for _, kind, _ in meetings]
    gaps = _gaps(day for _, _, day in meetings)
    without = await _without_meetings(q)
    on_time, agreements = await agreement_figures(q)
    headlines = (
        Headline(q._(N_("Meetings held")), len(meetings)),
        Headline(q._(KINDS["coordinacion"]), kinds.count("coordinacion")),
        Headline(q._(AVERAGE_GAP), _mean(gaps), Kind.NUMBER, harmless=not gaps),
        Headline(q._(LONGEST_GAP), max(gaps, default=None), harmless=not gaps),
        Headline(q._(N_("Regional governments without a meeting in 12 months")), len(without.rows)),
        on_time,
    )
    month_table = _month_table(q, meetings)
    tables = (
        _kind_table(q, kinds),
        month_table,
        await _region_table(q, meetings),
        without,
        agreements,
    )
    charts = (
        Chart(q._(N_("Meetings per month")), 1, (len(month_table.columns) - 1,)),
        Chart(q._(N_("Meetings by kind")), 0, (1,)),
    )
    return Indicator(
        2, q._(REGULARITY_TITLE), q._(REGULARITY_DEFINITION), headlines, tables, charts
    )

"""Indicators 1 and 2: who takes part in coordination meetings, and how regularly they happen.

People are counted once each through their (region, sex) cell: invitations are grouped by
person in the database first. Meetings (a few hundred a year) are the only rows read here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import case, func, select

from bot import workers
from bot.i18n import N_
from bot.services.indicators.agreements import agreement_figures
from bot.services.indicators.common import (
    TOTAL,
    Cells,
    Chart,
    Column,
    Headline,
    Indicator,
    Kind,
    Query,
    Table,
    Value,
    add,
    by_region,
    by_sex,
    count,
    in_scope,
    month_label,
    ratio,
    scoped,
    sex_code,
    share,
)
from bot.services.indicators.meeting_rule import Invitation, MeetingHides
from bot.services.meetings import KINDS
from bot.services.profile import SEXES
from storage.models import Meeting, MeetingInvitation, Person, Region

RULE = "bot.services.indicators.meeting_rule:meeting_hides"
PARTICIPATION_TITLE = N_("Participation of regional leaders in coordination meetings")
PARTICIPATION_DEFINITION = N_(
    "People invited to the meetings that start in the period (Lima dates, first and last day "
    "included) and were not cancelled; each person is counted once, however many of those "
    "meetings they were invited to. Confirmed: answered yes, or sent a delegate, for at least "
    "one of them; sent a delegate: did so at least once; attended: their attendance was "
    "recorded at least once. The confirmation and attendance rates are over the people "
    "invited, and are not shown (—) when fewer than 3 people were invited. People are grouped "
    "by their own region and sex; the per-meeting table counts each meeting's invitees."
)
REGULARITY_TITLE = N_("Number and regularity of MINEM–GR coordination meetings")
REGULARITY_DEFINITION = N_(
    "Meetings of every kind that start in the period (Lima dates, first and last day included) "
    "and were not cancelled, by kind and by month of their start. Days between meetings: "
    "calendar days between the Lima dates of consecutive meetings, averaged; the longest gap "
    "is the largest of them. A meeting concerns a region when at least one person from that "
    "region was invited to it; for a single region only the meetings that concern it are "
    "counted. Regional governments without a meeting: those with no meeting concerning them "
    "in the 12 months that end with the period, with the date of their last meeting before. "
    "Meetings are not people, so there is no breakdown by sex. Agreements: those recorded for "
    "follow-up in meetings that were not cancelled, whose due date falls in the period, by the "
    "kind of their meeting (for a single region, those whose responsible person is from it). "
    "Fulfilled on time: marked fulfilled no later than the due date (Lima); late: fulfilled "
    "after it; not fulfilled: pending or in progress when the report is made. The share "
    "fulfilled on time is over the agreements due; a kind whose agreements rest on fewer than "
    "3 responsible people shows only how many were due."
)
CONFIRMED = N_("Confirmed (in person or by delegate)")
SENT_DELEGATE = N_("Sent a delegate")
ANSWERED_NO = N_("Answered no")
INVITED = N_("Invited")
ATTENDED = N_("Attended")
CONFIRMATION_RATE = N_("Confirmation rate")
ATTENDANCE_RATE = N_("Attendance rate")
MEETINGS = N_("Meetings")
LAST_MEETING = N_("Last meeting")
AVERAGE_GAP = N_("Average days between meetings")
LONGEST_GAP = N_("Longest gap (days)")


def held(q: Query) -> tuple[Any, ...]:
    """Meetings that start in the period and were not cancelled."""
    return (
        Meeting.status != "cancelled",
        Meeting.starts_at >= q.start,
        Meeting.starts_at < q.end,
    )


def add_many(cells: Cells, rows: Iterable[Sequence[Any]], keys: Sequence[str]) -> Cells:
    """Add query rows (region, sex, a whole number for each key) to `cells`. PostgreSQL sums
    integers as NUMERIC: made int here, so averages are the same floats on both databases."""
    rows = list(rows)
    for index, key in enumerate(keys, start=2):
        add(cells, ((row[0], row[1], int(row[index] or 0)) for row in rows), key)
    return cells


def local_day(q: Query, moment: datetime) -> date:
    return moment.astimezone(q.t.timezone).date()


def day_label(q: Query, day: date | None) -> str | None:
    """'10 de enero de 2026' in a table's cell (text, so that CSV and XLSX read alike)."""
    return None if day is None else q.t.date(day)


# --- Indicator 1 -------------------------------------------------------------------------------


def people_in_scope(q: Query, statement: Any, person: Any) -> Any:
    """`statement` limited to people of the report's region: a semi-join on a list built once,
    much cheaper than joining every row to its person."""
    if q.region is None:
        return statement
    return statement.where(person.in_(scoped(q, select(Person.id), Person.region_code)))


def _flag(condition: Any) -> Any:
    return func.max(case((condition, 1), else_=0))


async def invitation_cells(q: Query) -> Cells:
    """People invited to the period's meetings, per (region, sex): invited, confirmed (yes or
    delegate), delegated, attended. Each person counted once: grouped by person first."""
    invitation = MeetingInvitation
    person = (
        select(
            invitation.person_id.label("person_id"),
            _flag(invitation.rsvp.in_(("yes", "delegate"))).label("confirmed"),
            _flag(invitation.rsvp == "delegate").label("delegated"),
            _flag(invitation.attended_at.is_not(None)).label("attended"),
        )
        .join(Meeting, Meeting.id == invitation.meeting_id)
        .where(*held(q))
        .group_by(invitation.person_id)
        .subquery()
    )
    statement = (
        select(
            Person.region_code,
            Person.sex,
            func.count(),
            func.sum(person.c.confirmed),
            func.sum(person.c.delegated),
            func.sum(person.c.attended),
        )
        .select_from(person)
        .join(Person, Person.id == person.c.person_id)
        .group_by(Person.region_code, Person.sex)
    )
    rows = await q.session.execute(scoped(q, statement, Person.region_code))
    return add_many({}, rows, ("invited", "confirmed", "delegated", "attended"))


def _answer_counts() -> list[Any]:
    """Invited, confirmed, delegated, declined and attended people of one meeting (one
    invitation per person and meeting, so rows are people)."""

    def who(condition: Any) -> Any:
        return func.count(case((condition, 1)))

    return [
        func.count(),
        who(MeetingInvitation.rsvp.in_(("yes", "delegate"))),
        who(MeetingInvitation.rsvp == "delegate"),
        who(MeetingInvitation.rsvp == "no"),
        who(MeetingInvitation.attended_at.is_not(None)),
    ]


async def _invitations(q: Query) -> list[Invitation]:
    """Every invitation to the period's meetings, in every region (what each region's report
    may show depends on the others: `meeting_rule`)."""
    rows = await q.session.execute(
        select(
            MeetingInvitation.person_id,
            MeetingInvitation.meeting_id,
            Person.region_code,
            Person.sex,
        )
        .join(Meeting, Meeting.id == MeetingInvitation.meeting_id)
        .join(Person, Person.id == MeetingInvitation.person_id)
        .where(*held(q))
    )
    return [(person, meeting, region, sex_code(sex)) for person, meeting, region, sex in rows]


async def _per_meeting(q: Query, hidden: frozenset[Any]) -> Table:
    meetings = await q.session.execute(
        select(Meeting.id, Meeting.starts_at, Meeting.title, Meeting.kind)
        .where(*held(q))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    per_meeting = (
        select(MeetingInvitation.meeting_id, *_answer_counts())
        .join(Meeting, Meeting.id == MeetingInvitation.meeting_id)
        .where(*held(q))
        .group_by(MeetingInvitation.meeting_id)
    )
    counts = {
        meeting_id: values
        for meeting_id, *values in await q.session.execute(
            people_in_scope(q, per_meeting, MeetingInvitation.person_id)
        )
    }
    rows = []
    for meeting_id, starts_at, title, kind in meetings:
        if q.region is not None and meeting_id not in counts:
            continue  # the meeting does not concern the region
        # invited, confirmed, delegated, answered no, attended; then the attendance rate
        invited, *answers = [int(n or 0) for n in counts.get(meeting_id, (0, 0, 0, 0, 0))]
        shown: list[Value] = [*answers, ratio(answers[-1], invited)]
        if meeting_id in hidden:  # answers of fewer than 3 people, or what would reveal them
            shown = [None] * len(shown)
        day = day_label(q, local_day(q, starts_at))
        kind_name = q._(KINDS.get(kind, kind))
        rows.append((day, title, kind_name, invited, *shown))
    columns = (
        Column(q._(N_("Date")), Kind.TEXT),
        Column(q._(N_("Title")), Kind.TEXT),
        Column(q._(N_("Kind")), Kind.TEXT),
        Column(q._(INVITED)),
        Column(q._(CONFIRMED)),
        Column(q._(SENT_DELEGATE)),
        Column(q._(ANSWERED_NO)),
        Column(q._(ATTENDED)),
        Column(q._(ATTENDANCE_RATE), Kind.SHARE),
    )
    return Table(q._(N_("Each meeting")), columns, tuple(rows))


async def participation(q: Query) -> Indicator:
    """People invited to the meetings that start in the period (Lima dates, first and last day
    included) and were not cancelled; each person is counted once, however many of those
    meetings they were invited to. Confirmed: answered yes, or sent a delegate, for at least
    one of them; sent a delegate: did so at least once; attended: their attendance was
    recorded at least once. The confirmation and attendance rates are over the people
    invited, and are not shown (—) when fewer than 3 people were invited. People are grouped
    by their own region and sex; the per-meeting table counts each meeting's invitees.
    """
    national = await invitation_cells(replace(q, region=None))
    cells = {key: values for key, values in national.items() if in_scope(q, key[0])}
    # In a worker process: the exact check is up to seconds of CPU no reply should wait for.
    hides: MeetingHides = await workers.run(RULE, await _invitations(q))
    people, meeting_rows = hides.people, hides.meetings
    if q.region is not None:
        people, meeting_rows = hides.region(q.region, [*SEXES, None])
    measures = (
        count(q._(INVITED), "invited"),
        count(q._(CONFIRMED), "confirmed", "invited"),
        count(q._(SENT_DELEGATE), "delegated", "invited"),
        count(q._(ATTENDED), "attended", "invited"),
        share(q._(CONFIRMATION_RATE), "confirmed", "invited"),
        share(q._(ATTENDANCE_RATE), "attended", "invited"),
    )
    meetings = await _per_meeting(q, meeting_rows)
    given = {"invited": people}
    regions = by_region(q, q._(N_("Invited people by region")), cells, measures, hides=given)
    headlines = (
        Headline(q._(MEETINGS), len(meetings.rows)),
        *(
            Headline(m.label, value, m.kind)
            for m, value in zip(measures, regions.rows[-1][1:], strict=True)
        ),
    )
    tables = (
        regions,
        by_sex(q, q._(N_("Invited people by sex")), cells, measures, hides=given),
        meetings,
    )
    charts = (
        Chart(q._(N_("Invited, confirmed and attended, by region")), 0, (1, 2, 4), True),
        Chart(q._(N_("Confirmation and attendance rates by sex")), 1, (5, 6)),
    )
    return Indicator(
        1, q._(PARTICIPATION_TITLE), q._(PARTICIPATION_DEFINITION), headlines, tables, charts
    )


# --- Indicator 2 -------------------------------------------------------------------------------


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
            Meeting.id.in_(people_in_scope(q, invited, MeetingInvitation.person_id))
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
            select(Person.region_code, MeetingInvitation.meeting_id)
            .join(Meeting, Meeting.id == MeetingInvitation.meeting_id)
            .join(Person, Person.id == MeetingInvitation.person_id)
            .where(*held(q), Person.region_code.is_not(None)),
            Person.region_code,
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
        select(Person.region_code, func.max(Meeting.starts_at))
        .select_from(MeetingInvitation)
        .join(Meeting, Meeting.id == MeetingInvitation.meeting_id)
        .join(Person, Person.id == MeetingInvitation.person_id)
        .where(Meeting.status != "cancelled", Meeting.starts_at < q.end)
        .where(Person.region_code.is_not(None))
        .group_by(Person.region_code)
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
    before. Meetings are not people, so there is no breakdown by sex. Agreements: those
    recorded for follow-up in meetings that were not cancelled, whose due date falls in the
    period, by the kind of their meeting (for a single region, those whose responsible person
    is from it). Fulfilled on time: marked fulfilled no later than the due date (Lima); late:
    fulfilled after it; not fulfilled: pending or in progress when the report is made. The
    share fulfilled on time is over the agreements due; a kind whose agreements rest on fewer
    than 3 responsible people shows only how many were due.
    """
    meetings = await _held_meetings(q)
    kinds = [kind for _, kind, _ in meetings]
    gaps = _gaps(day for _, _, day in meetings)
    without = await _without_meetings(q)
    on_time, agreements = await agreement_figures(q)
    headlines = (
        Headline(q._(N_("Meetings held")), len(meetings)),
        Headline(q._(KINDS["coordinacion"]), kinds.count("coordinacion")),
        Headline(q._(AVERAGE_GAP), _mean(gaps), Kind.NUMBER),
        Headline(q._(LONGEST_GAP), max(gaps, default=None)),
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

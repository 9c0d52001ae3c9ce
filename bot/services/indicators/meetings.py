"""What the meeting indicators (1 participation, 2 regularity) share, and 3 and 7 borrow.

Meetings held in the period, and people invited per (region, sex), each counted once per
(region, sex) they were invited as: invitations keep the region and sex their person had when
invited (`MeetingInvitation.region_code`/`sex`), so a later move in /perfil changes no cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from bot.i18n import N_
from bot.services.indicators.common import Cells, Query, add, scoped
from storage.models import Meeting, MeetingInvitation

MEETINGS = N_("Meetings")


def held(q: Query) -> tuple[Any, ...]:
    """Meetings that start in the period and were not cancelled by its end. A meeting can be
    cancelled only before it starts (`bot.services.meetings.closed`); one cancelled later all
    the same (a direct write) would take its invitees out of an ended period, and two readings
    would tell who (tests/test_cancel_after_end). Cancelled at an unknown time (before
    revision 0033): left out."""
    return (
        or_(Meeting.status != "cancelled", Meeting.cancelled_at >= q.end),
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


def attended(q: Query) -> Any:
    """An invitee marked present before the period's end. The staff may mark attendance at
    any time (/reunion's list); a mark made after the end would enter an ended period then,
    and two readings of it, subtracted, would tell who was marked, by region and sex
    (tests/test_attendance_after_end)."""
    return and_(MeetingInvitation.attended_at.is_not(None), MeetingInvitation.attended_at < q.end)


def _flag(condition: Any) -> Any:
    return func.max(case((condition, 1), else_=0))


async def invitation_cells(q: Query) -> Cells:
    """People invited to the period's meetings, per (region, sex) they were invited as:
    invited, confirmed (yes or delegate), delegated, attended. Each person counted once per
    (region, sex): grouped by person and snapshot first (someone whose profile changed between
    two meetings of the period counts once with each)."""
    invitation = MeetingInvitation
    person = (
        select(
            invitation.person_id.label("person_id"),
            invitation.region_code.label("region_code"),
            invitation.sex.label("sex"),
            _flag(invitation.rsvp.in_(("yes", "delegate"))).label("confirmed"),
            _flag(invitation.rsvp == "delegate").label("delegated"),
            _flag(attended(q)).label("attended"),
        )
        .join(Meeting, Meeting.id == invitation.meeting_id)
        .where(*held(q))
        .group_by(invitation.person_id, invitation.region_code, invitation.sex)
        .subquery()
    )
    statement = (
        select(
            person.c.region_code,
            person.c.sex,
            func.count(),
            func.sum(person.c.confirmed),
            func.sum(person.c.delegated),
            func.sum(person.c.attended),
        )
        .select_from(person)
        .group_by(person.c.region_code, person.c.sex)
    )
    rows = await q.session.execute(scoped(q, statement, person.c.region_code))
    return add_many({}, rows, ("invited", "confirmed", "delegated", "attended"))

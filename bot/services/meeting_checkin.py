"""Check-in at a meeting's door (handlers/meeting_checkin): when it is open, what it records.

It opens an hour before the start and closes 12 hours after the end, and at the latest when
the quarter the meeting was held in ends (Lima). A check-in invites whoever was not invited
and marks her present; after the quarter's end that invitation would enter an ended quarter's
invitees by region and sex, and two readings of it, subtracted, would tell who came
(tests/test_attendance_after_end: a meeting of 31 March, a check-in at 02:00 on 1 April)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.indicators.periods import Period
from storage.repositories import meetings as repo
from storage.repositories.meetings import MeetingRecord

OPENS_BEFORE = timedelta(hours=1)
CLOSES_AFTER = timedelta(hours=12)


class CheckIn(StrEnum):
    DONE = "done"
    ALREADY = "already"
    TOO_EARLY = "too_early"
    CLOSED = "closed"  # 12 hours after the end
    QUARTER_ENDED = "quarter_ended"  # its quarter ended first


def its_quarter(meeting: MeetingRecord, zone: ZoneInfo) -> Period:
    """The calendar quarter the meeting starts in, on `zone`'s calendar."""
    day = meeting.starts_at.astimezone(zone).date()
    return Period.quarter(day.year, (day.month - 1) // 3 + 1)


async def check_in(
    session: AsyncSession, meeting: MeetingRecord, person_id: int, now: datetime, zone: ZoneInfo
) -> CheckIn:
    """Mark the person present (invited or not) if the door is open at `now`."""
    invitation = await repo.invitation(session, meeting.id, person_id)
    if invitation is not None and invitation.attended_at is not None:
        return CheckIn.ALREADY
    if now < meeting.starts_at - OPENS_BEFORE:
        return CheckIn.TOO_EARLY
    if now > meeting.ends_at + CLOSES_AFTER:
        return CheckIn.CLOSED
    if now >= datetime.combine(its_quarter(meeting, zone).last, time(), zone) + timedelta(days=1):
        return CheckIn.QUARTER_ENDED
    await repo.invite(session, meeting.id, [person_id])  # present without invitation
    await repo.mark_attended(session, meeting.id, person_id, now)
    return CheckIn.DONE

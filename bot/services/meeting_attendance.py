"""A meeting's attendance: check-in at its door (handlers/meeting_checkin) and the staff's
marks (/reunion's list, handlers/meeting_admin): when each may be recorded, and what.

The door opens an hour before the start and closes 12 hours after the end, and at the latest
when the quarter the meeting was held in ends (Lima); the staff may mark or unmark until that
quarter ends. A check-in invites whoever was not invited and marks her present, and an
unmark takes a person out of the attended: after the quarter's end either would move an
ended quarter's figures by region and sex, and two readings of it, subtracted, would tell who
(tests/test_attendance_after_end: a check-in at 02:00 on 1 April after a meeting of 31 March;
a mark undone on 10 April). A mark made after the end would not move it (an attendance counts
when marked before a period's end, `indicators.meetings.attended`), but it waits for no one:
closed with the rest, a quarter's attendance reads the same in its report and its year's."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import quarter_close
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


async def toggle(
    session: AsyncSession, meeting: MeetingRecord, person_id: int, now: datetime, zone: ZoneInfo
) -> bool | None:
    """The staff's press on an invitee: mark her present, or undo her mark. None when she
    was not invited, False when the meeting's quarter has ended (nothing changes)."""
    invitation = await repo.invitation(session, meeting.id, person_id)
    if invitation is None:
        return None
    if quarter_close.closed(meeting.starts_at, now, zone):
        return False
    at = None if invitation.attended_at else now
    return await repo.mark_attended(session, meeting.id, person_id, at)


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
    if quarter_close.closed(meeting.starts_at, now, zone):
        return CheckIn.QUARTER_ENDED
    await repo.invite(session, meeting.id, [person_id])  # present without invitation
    await repo.mark_attended(session, meeting.id, person_id, now)
    return CheckIn.DONE

"""Coordination meetings: invitees (answer, delegate, attendance) and agreements."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.models.people import fill_snapshot
from storage.types import utcnow


class Meeting(Base):
    """A coordination meeting (MINEM–GR, high-level committee, technical...).

    `version` grows with every change of time or place, so reminders owed for an old time are
    recognised and dropped."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(String(500))
    agenda: Mapped[str | None] = mapped_column(Text)
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reminder_offsets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    # When: indicators count a meeting as it stood at a period's end (None: cancelled before
    # revision 0033, when unknown, and left out as before)
    cancelled_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    agreements: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # shown, never compared


class MeetingInvitation(Base):
    """One invitee of one meeting: their answer (RSVP), delegate and attendance."""

    __tablename__ = "meeting_invitations"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    rsvp: Mapped[str] = mapped_column(String(20), default="pending")
    delegate_name: Mapped[str | None] = mapped_column(String(120))
    delegate_position: Mapped[str | None] = mapped_column(String(120))
    responded_at: Mapped[datetime | None]
    attended_at: Mapped[datetime | None]
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)  # never read
    # The invitee's region and sex when she was invited (`take_snapshot`): reports group her
    # by them, so a later move in /perfil does not carry her to another row.
    region_code: Mapped[str | None] = mapped_column(String(40))
    sex: Mapped[str | None] = mapped_column(String(20))


@event.listens_for(MeetingInvitation, "before_insert")
def take_snapshot(_mapper: Any, connection: Any, row: MeetingInvitation) -> None:
    """Give a new invitation the region and sex its person has at the invitation, unless
    given. At the invitation, not at the answer: every figure of a person (confirmed,
    delegated, attended) is a subset of her invitation, so one snapshot per row keeps them all
    in the cell she was invited in, and nothing that happens later (an answer, a move in
    /perfil) moves her from one row of a closed period to another
    (tests/test_profile_move_reports.py). Written here, so that no writer (the bot, an
    import, a test) can leave it out."""
    fill_snapshot(connection, row)


class MeetingAgreement(Base):
    """An agreement of a meeting to follow up: who answers for it (an invitee), by when, and
    how far it got. «Overdue» is not stored: it is a pending or started agreement whose due
    date has passed (Lima), so it never lags behind the calendar."""

    __tablename__ = "meeting_agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    responsible_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|in_progress|done
    done_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # shown, never compared
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)  # set on each change; shown only


class MeetingAgreementChange(Base):
    """An agreement's terms just before one change of them (`repositories.agreements`): who
    answered for it, by when, and when it was fulfilled (None: not fulfilled then). An ended
    period reads each agreement as it stood at its end, the terms before the first change
    after it: reopened, re-dated or given to someone else later, it moves no ended period
    (tests/test_agreement_changed_after_end)."""

    __tablename__ = "meeting_agreement_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("meeting_agreements.id"), index=True)
    changed_at: Mapped[datetime]
    responsible_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None]

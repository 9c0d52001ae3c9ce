"""A person's meetings and agreements, for their own data export (/mis_datos): the meetings
she was invited to or created, the agreements she answers for or wrote, and those she answered
for before a change of them (`meeting_agreement_changes`). Rows as in `personal_data`."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Meeting,
    MeetingAgreement,
    MeetingAgreementChange,
    MeetingInvitation,
    Person,
)
from storage.repositories.personal_data import Row


async def meetings(session: AsyncSession, person_id: int) -> dict[str, list[Row]]:
    """Meetings the person was invited to (answer, delegate, attendance) and created."""
    invited = await session.execute(
        select(Meeting, MeetingInvitation)
        .join(MeetingInvitation, MeetingInvitation.meeting_id == Meeting.id)
        .where(MeetingInvitation.person_id == person_id)
        .order_by(Meeting.starts_at)
    )
    created = await session.scalars(
        select(Meeting).where(Meeting.created_by == person_id).order_by(Meeting.starts_at)
    )
    return {
        "invited": [
            {
                "meeting": _meeting(meeting),
                "rsvp": invitation.rsvp,
                "delegate_name": invitation.delegate_name,
                "delegate_position": invitation.delegate_position,
                "responded_at": invitation.responded_at,
                "attended_at": invitation.attended_at,
            }
            for meeting, invitation in invited.all()
        ],
        "created": [_meeting(meeting) for meeting in created],
    }


def _meeting(meeting: Meeting) -> Row:
    return {
        "code": meeting.code,
        "title": meeting.title,
        "kind": meeting.kind,
        "status": meeting.status,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place,
        "agenda": meeting.agenda,
        "agreements": meeting.agreements,
        "created_at": meeting.created_at,
    }


async def agreements(session: AsyncSession, person_id: int) -> dict[str, list[Row]]:
    """The meeting agreements the person is responsible for, and those they recorded."""
    rows = await session.execute(
        select(Meeting.code, Meeting.title, Person.full_name, MeetingAgreement)
        .join(Meeting, Meeting.id == MeetingAgreement.meeting_id)
        .join(Person, Person.id == MeetingAgreement.responsible_id)
        .where(
            or_(
                MeetingAgreement.responsible_id == person_id,
                MeetingAgreement.created_by == person_id,
            )
        )
        .order_by(MeetingAgreement.id)
    )
    found: dict[str, list[Row]] = {"responsible": [], "recorded": []}
    for code, title, responsible, agreement in rows.all():
        row = {
            "meeting_code": code,
            "meeting_title": title,
            "text": agreement.text,
            "responsible": responsible,
            "due_on": agreement.due_on,
            "status": agreement.status,
            "done_at": agreement.done_at,
            "created_at": agreement.created_at,
        }
        if agreement.responsible_id == person_id:
            found["responsible"].append(row)
        if agreement.created_by == person_id:
            found["recorded"].append(row)
    return found


async def agreements_before_changes(session: AsyncSession, person_id: int) -> list[Row]:
    """The terms of an agreement the person answered for just before each change of them
    (`meeting_agreement_changes`), oldest first; `handed_over` and `redated`: whether the
    change gave it to someone else or another due date (neither: its status changed)."""
    theirs = select(MeetingAgreementChange.agreement_id).where(
        MeetingAgreementChange.responsible_id == person_id
    )
    agreements = {
        agreement.id: (code, title, agreement)
        for code, title, agreement in (
            await session.execute(
                select(Meeting.code, Meeting.title, MeetingAgreement)
                .join(Meeting, Meeting.id == MeetingAgreement.meeting_id)
                .where(MeetingAgreement.id.in_(theirs))
            )
        ).all()
    }
    changes = (
        await session.scalars(
            select(MeetingAgreementChange)
            .where(MeetingAgreementChange.agreement_id.in_(theirs))
            .order_by(MeetingAgreementChange.agreement_id, MeetingAgreementChange.id)
        )
    ).all()
    found: list[Row] = []
    for change, following in zip(changes, [*changes[1:], None], strict=False):
        if change.responsible_id != person_id:
            continue
        code, title, agreement = agreements[change.agreement_id]
        # The terms after this change: the next change's record of them, or the agreement's.
        after = following if following and following.agreement_id == agreement.id else agreement
        found.append(
            {
                "meeting_code": code,
                "meeting_title": title,
                "text": agreement.text,
                "due_on": change.due_on,
                "done_at": change.done_at,
                "changed_at": change.changed_at,
                "handed_over": after.responsible_id != person_id,
                "redated": after.due_on != change.due_on,
            }
        )
    return sorted(found, key=lambda row: row["changed_at"])

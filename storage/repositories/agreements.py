"""Meeting agreements to follow up, with their meeting and responsible person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Meeting,
    MeetingAgreement,
    MeetingAgreementChange,
    MeetingInvitation,
    OutboxMessage,
    Person,
)
from storage.types import UTCDateTime


@dataclass(frozen=True, slots=True)
class AgreementRecord:
    id: int
    meeting_id: int
    meeting_code: str
    meeting_title: str
    text: str
    responsible_id: int
    responsible_name: str | None  # None once that person erased their data
    due_on: date
    status: str  # pending | in_progress | done
    done_at: datetime | None


_COLUMNS = (
    MeetingAgreement.id,
    MeetingAgreement.meeting_id,
    Meeting.code,
    Meeting.title,
    MeetingAgreement.text,
    MeetingAgreement.responsible_id,
    Person.full_name,
    MeetingAgreement.due_on,
    MeetingAgreement.status,
    MeetingAgreement.done_at,
)


def _select() -> Any:
    return (
        select(*_COLUMNS)
        .join(Meeting, Meeting.id == MeetingAgreement.meeting_id)
        .join(Person, Person.id == MeetingAgreement.responsible_id)
    )


async def create(
    session: AsyncSession,
    *,
    meeting_id: int,
    text: str,
    responsible_id: int,
    due_on: date,
    created_by: int | None,
    now: datetime,
) -> int:
    row = MeetingAgreement(
        meeting_id=meeting_id,
        text=text,
        responsible_id=responsible_id,
        due_on=due_on,
        status="pending",
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return row.id


async def get(session: AsyncSession, agreement_id: int) -> AgreementRecord | None:
    row = (await session.execute(_select().where(MeetingAgreement.id == agreement_id))).first()
    return AgreementRecord(*row) if row is not None else None


async def of_meeting(session: AsyncSession, meeting_id: int) -> list[AgreementRecord]:
    rows = await session.execute(
        _select().where(MeetingAgreement.meeting_id == meeting_id).order_by(MeetingAgreement.id)
    )
    return [AgreementRecord(*row) for row in rows.all()]


async def _remember(session: AsyncSession, agreement_id: int, now: datetime) -> None:
    """Keep the terms the agreement has before a change of them: an ended period reads it as
    it stood at its end (indicators.agreements). Its row locked first (PostgreSQL): under
    READ COMMITTED a second edit at once copied the terms as last committed, before the first
    edit's change, and only its UPDATE waited, so both kept the same «before»
    (tests/test_agreement_edits_at_once). SQLite's write turn already orders them."""
    locked = select(MeetingAgreement.id).where(MeetingAgreement.id == agreement_id)
    await session.execute(locked.with_for_update())
    terms = select(
        MeetingAgreement.id,
        literal(now, UTCDateTime()),
        MeetingAgreement.responsible_id,
        MeetingAgreement.due_on,
        case((MeetingAgreement.status == "done", MeetingAgreement.done_at), else_=None),
    ).where(MeetingAgreement.id == agreement_id)
    columns = ["agreement_id", "changed_at", "responsible_id", "due_on", "done_at"]
    await session.execute(insert(MeetingAgreementChange).from_select(columns, terms))


async def set_status(
    session: AsyncSession, agreement_id: int, status: str, done_at: datetime | None, now: datetime
) -> None:
    await _remember(session, agreement_id, now)
    await session.execute(
        update(MeetingAgreement)
        .where(MeetingAgreement.id == agreement_id)
        .values(status=status, done_at=done_at, updated_at=now)
    )


async def set_terms(
    session: AsyncSession, agreement_id: int, responsible_id: int, due_on: date, now: datetime
) -> None:
    await _remember(session, agreement_id, now)
    await session.execute(
        update(MeetingAgreement)
        .where(MeetingAgreement.id == agreement_id)
        .values(responsible_id=responsible_id, due_on=due_on, updated_at=now)
    )


async def cancel_reminders(session: AsyncSession, kind: str, agreement_id: int) -> None:
    """The agreement's reminders not sent yet (the first one's key, or a later edit's)."""
    key = f"agreement-reminder:{agreement_id}"
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.kind == kind,
            OutboxMessage.state == "pending",
            (OutboxMessage.dedupe_key == key) | OutboxMessage.dedupe_key.like(f"{key}:%"),
        )
        .values(state="cancelled")
    )


async def open_of_earlier(
    session: AsyncSession,
    *,
    kind: str,
    before: datetime,
    person_id: int | None,
    due_before: date,
) -> list[AgreementRecord]:
    """Agreements not fulfilled and due before `due_before`, of meetings of `kind` that
    started before `before`, not cancelled (with `person_id`: to which they were invited too)."""
    statement = _select().where(
        Meeting.kind == kind,
        Meeting.starts_at < before,
        Meeting.status != "cancelled",
        MeetingAgreement.status != "done",
        MeetingAgreement.due_on < due_before,
    )
    if person_id is not None:
        invited = select(MeetingInvitation.meeting_id).where(
            MeetingInvitation.person_id == person_id
        )
        statement = statement.where(Meeting.id.in_(invited))
    rows = await session.execute(statement.order_by(MeetingAgreement.due_on, MeetingAgreement.id))
    return [AgreementRecord(*row) for row in rows.all()]

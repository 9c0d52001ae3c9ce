"""Study visits, their invitees, answers, confirmed delegation and travel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.codes import same_code
from storage.models import Person, Region, Visit, VisitParticipant


@dataclass(frozen=True, slots=True)
class VisitRecord:
    id: int
    code: str
    title: str
    destination: str
    starts_at: datetime
    ends_at: datetime
    audience: dict[str, Any]
    reminder_offsets: tuple[int, ...]  # seconds before departure, largest first
    status: str
    version: int = 1  # grows with each change or the cancellation
    instructions: str | None = None  # schedule, documents to bring


@dataclass(frozen=True, slots=True)
class SurveyAnswers:
    usefulness: int
    learned: tuple[str, ...]
    practice: str
    equality_seen: bool
    equality_comment: str | None


@dataclass(frozen=True, slots=True)
class ParticipantRecord:
    """An invitee as the coordinator sees them (name, region, sex, position)."""

    person_id: int
    telegram_id: int | None
    name: str | None
    region_code: str | None
    region_name: str | None
    sex: str | None
    position: str | None
    answer: str  # pending | accepted | declined
    reason: str | None
    confirmed: bool
    travelled: bool
    leader: bool | None  # the coordinator's correction; None: as invited
    invited_as_leader: bool | None  # her position named a leader when invited
    survey: SurveyAnswers | None = None  # the questionnaire after the visit, once answered


def _survey(row: VisitParticipant) -> SurveyAnswers | None:
    if row.answered_survey_at is None or row.usefulness is None:
        return None
    return SurveyAnswers(
        row.usefulness,
        tuple(row.learned or ()),
        row.practice or "",
        bool(row.equality_seen),
        row.equality_comment,
    )


def _record(row: Visit) -> VisitRecord:
    offsets = tuple(int(s) for s in (row.reminder_offsets or {}).get("seconds", []))
    return VisitRecord(
        id=row.id,
        code=row.code,
        title=row.title,
        destination=row.destination,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        audience=dict(row.audience or {}),
        reminder_offsets=offsets,
        status=row.status,
        version=row.version or 1,
        instructions=row.instructions,
    )


async def code_exists(session: AsyncSession, code: str) -> bool:
    return await session.scalar(select(Visit.id).where(same_code(Visit.code, code))) is not None


async def create(session: AsyncSession, *, offsets: list[int], **fields: Any) -> VisitRecord:
    visit = Visit(reminder_offsets={"seconds": sorted(offsets, reverse=True)}, **fields)
    session.add(visit)
    await session.flush()
    return _record(visit)


async def get(session: AsyncSession, visit_id: int) -> VisitRecord | None:
    row = await session.get(Visit, visit_id)
    return _record(row) if row else None


async def get_by_code(session: AsyncSession, code: str) -> VisitRecord | None:
    row = await session.scalar(select(Visit).where(same_code(Visit.code, code)))
    return _record(row) if row else None


async def change(session: AsyncSession, visit_id: int, **fields: Any) -> VisitRecord:
    """Change dates, destination or status; a new version makes what was owed obsolete."""
    visit = await session.get(Visit, visit_id)
    assert visit is not None
    for name, value in fields.items():
        setattr(visit, name, value)
    visit.version = (visit.version or 1) + 1
    await session.flush()
    return _record(visit)


async def list_all(session: AsyncSession) -> list[VisitRecord]:
    rows = await session.scalars(select(Visit).order_by(Visit.starts_at, Visit.id))
    return [_record(row) for row in rows]


async def invite(
    session: AsyncSession,
    visit_id: int,
    person_ids: list[int],
    leader: Callable[[str | None], bool],
) -> list[int]:
    """Invite people not yet invited, each with whether `leader` finds her position names a
    regional leader now (kept: `VisitParticipant.invited_as_leader`); returns the newly
    invited person ids."""
    already = set(
        await session.scalars(
            select(VisitParticipant.person_id).where(VisitParticipant.visit_id == visit_id)
        )
    )
    new = [pid for pid in dict.fromkeys(person_ids) if pid not in already]
    positions = dict(
        (await session.execute(select(Person.id, Person.position).where(Person.id.in_(new)))).all()
    )
    session.add_all(
        VisitParticipant(
            visit_id=visit_id, person_id=pid, invited_as_leader=leader(positions.get(pid))
        )
        for pid in new
    )
    await session.flush()
    return new


async def participant(
    session: AsyncSession, visit_id: int, person_id: int
) -> ParticipantRecord | None:
    found = await participants(session, visit_id, person_id)
    return found[0] if found else None


async def participants(
    session: AsyncSession, visit_id: int, person_id: int | None = None
) -> list[ParticipantRecord]:
    """The invitees, by the region they were invited as (the participant's, not the profile's
    now: a later move changes no visit's report) and name."""
    query = (
        select(
            VisitParticipant,
            Person.telegram_id,
            Person.full_name,
            VisitParticipant.region_code,
            Region.name,
            Person.sex,
            Person.position,
        )
        .join(Person, Person.id == VisitParticipant.person_id)
        .outerjoin(Region, Region.code == VisitParticipant.region_code)
        .where(VisitParticipant.visit_id == visit_id)
        .order_by(Region.name, Person.full_name, Person.id)
    )
    if person_id is not None:
        query = query.where(VisitParticipant.person_id == person_id)
    rows = await session.execute(query)
    return [
        ParticipantRecord(
            row.person_id,
            telegram_id,
            name,
            region_code,
            region_name,
            sex,
            position,
            row.answer,
            row.reason,
            row.confirmed_at is not None,
            row.travelled_at is not None,
            row.leader,
            row.invited_as_leader,
            _survey(row),
        )
        for row, telegram_id, name, region_code, region_name, sex, position in rows
    ]


async def answer(
    session: AsyncSession,
    visit_id: int,
    person_id: int,
    value: str,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Acepto / No puedo; declining takes the person out of the confirmed delegation."""
    values: dict[str, Any] = {"answer": value, "reason": reason, "answered_at": now}
    if value == "declined":
        values["confirmed_at"] = None
    await session.execute(
        update(VisitParticipant)
        .where(VisitParticipant.visit_id == visit_id, VisitParticipant.person_id == person_id)
        .values(**values)
    )


async def set_flag(session: AsyncSession, visit_id: int, person_id: int, **values: Any) -> None:
    """Columns of one participant: confirmed_at, travelled_at, leader, the questionnaire."""
    await session.execute(
        update(VisitParticipant)
        .where(VisitParticipant.visit_id == visit_id, VisitParticipant.person_id == person_id)
        .values(**values)
    )


async def save_survey(
    session: AsyncSession, visit_id: int, person_id: int, answers: SurveyAnswers, now: datetime
) -> None:
    await set_flag(
        session,
        visit_id,
        person_id,
        usefulness=answers.usefulness,
        learned=list(answers.learned),
        practice=answers.practice,
        equality_seen=answers.equality_seen,
        equality_comment=answers.equality_comment,
        answered_survey_at=now,
    )


async def person_ids_by_telegram(session: AsyncSession, telegram_ids: list[int]) -> dict[int, int]:
    rows = await session.execute(
        select(Person.telegram_id, Person.id).where(Person.telegram_id.in_(telegram_ids))
    )
    return {telegram_id: person_id for telegram_id, person_id in rows}


async def participant_regions(
    session: AsyncSession, visit_ids: list[int]
) -> dict[int, set[str | None]]:
    """The regions each visit's invitees were invited as (the snapshot, as
    `meetings.invitee_regions`), with one query (coverage)."""
    rows = await session.execute(
        select(VisitParticipant.visit_id, VisitParticipant.region_code).where(
            VisitParticipant.visit_id.in_(visit_ids)
        )
    )
    found: dict[int, set[str | None]] = {}
    for visit_id, region in rows:
        found.setdefault(visit_id, set()).add(region)
    return found

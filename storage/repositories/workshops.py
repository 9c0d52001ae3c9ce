"""Workshops, check-ins and survey ratings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.codes import same_code
from storage.models import Person, Region, Workshop, WorkshopAttendance, WorkshopRating

CRITERIA = ("overall", "content", "facilitation", "usefulness", "organization")
IMPORTED_FIELDS = (
    "title",
    "topic",
    "starts_at",
    "ends_at",
    "region_code",
    "place",
    "facilitator",
    "capacity",
    "survey_closes_at",
)


@dataclass(frozen=True, slots=True)
class WorkshopRecord:
    id: int
    code: str
    title: str
    topic: str | None
    starts_at: datetime
    ends_at: datetime
    region_code: str | None
    region_name: str | None
    place: str | None
    facilitator: str | None
    capacity: int | None
    survey_closes_at: datetime
    surveys_sent_at: datetime | None
    reminders_sent_at: datetime | None
    results_sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class RatingRecord:
    overall: int | None
    content: int | None
    facilitation: int | None
    usefulness: int | None
    organization: int | None
    comment: str | None
    completed_at: datetime | None

    def value(self, criterion: str) -> int | None:
        return getattr(self, criterion)


def _record(row: Workshop, region_name: str | None) -> WorkshopRecord:
    return WorkshopRecord(
        id=row.id,
        code=row.code,
        title=row.title,
        topic=row.topic,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        region_code=row.region_code,
        region_name=region_name,
        place=row.place,
        facilitator=row.facilitator,
        capacity=row.capacity,
        survey_closes_at=row.survey_closes_at,
        surveys_sent_at=row.surveys_sent_at,
        reminders_sent_at=row.reminders_sent_at,
        results_sent_at=row.results_sent_at,
    )


def _with_region() -> Any:
    return select(Workshop, Region.name).outerjoin(Region, Workshop.region_code == Region.code)


async def get(session: AsyncSession, workshop_id: int) -> WorkshopRecord | None:
    row = (await session.execute(_with_region().where(Workshop.id == workshop_id))).first()
    return _record(*row) if row else None


async def get_by_code(session: AsyncSession, code: str) -> WorkshopRecord | None:
    row = (await session.execute(_with_region().where(same_code(Workshop.code, code)))).first()
    return _record(*row) if row else None


async def code_exists(session: AsyncSession, code: str) -> bool:
    found = await session.scalar(select(Workshop.id).where(same_code(Workshop.code, code)))
    return found is not None


async def create(
    session: AsyncSession, *, code: str, created_by: int | None = None, **fields: Any
) -> WorkshopRecord:
    workshop = Workshop(code=code, created_by=created_by, **fields)
    session.add(workshop)
    await session.flush()
    record = await get(session, workshop.id)
    assert record is not None
    return record


async def upsert(session: AsyncSession, code: str, **fields: Any) -> str:
    """Create or update by code: 'created', 'updated' or 'unchanged' (imports are idempotent)."""
    workshop = await session.scalar(select(Workshop).where(same_code(Workshop.code, code)))
    if workshop is None:
        session.add(Workshop(code=code, **fields))
        await session.flush()
        return "created"
    changed = False
    for name in IMPORTED_FIELDS:
        if name in fields and getattr(workshop, name) != fields[name]:
            setattr(workshop, name, fields[name])
            changed = True
    await session.flush()
    return "updated" if changed else "unchanged"


async def list_all(session: AsyncSession) -> list[WorkshopRecord]:
    rows = await session.execute(_with_region().order_by(Workshop.starts_at, Workshop.id))
    return [_record(*row) for row in rows]


async def upcoming(
    session: AsyncSession, now: datetime, region_code: str | None, limit: int = 10
) -> list[WorkshopRecord]:
    """Workshops still to end, in the person's region or without a region (virtual/national)."""
    query = _with_region().where(Workshop.ends_at >= now)
    if region_code is not None:
        query = query.where(
            (Workshop.region_code == region_code) | (Workshop.region_code.is_(None))
        )
    rows = await session.execute(query.order_by(Workshop.starts_at).limit(limit))
    return [_record(*row) for row in rows]


async def attended(session: AsyncSession, person_id: int) -> list[WorkshopRecord]:
    rows = await session.execute(
        _with_region()
        .join(WorkshopAttendance, WorkshopAttendance.workshop_id == Workshop.id)
        .where(WorkshopAttendance.person_id == person_id)
        .order_by(Workshop.starts_at.desc())
    )
    return [_record(*row) for row in rows]


async def check_in(session: AsyncSession, workshop_id: int, person_id: int, at: datetime) -> bool:
    """True for a new check-in (at `at`, Minka's clock), False when the person had already
    checked in."""
    if await is_attendee(session, workshop_id, person_id):
        return False
    session.add(WorkshopAttendance(workshop_id=workshop_id, person_id=person_id, checked_in_at=at))
    await session.flush()
    return True


async def is_attendee(session: AsyncSession, workshop_id: int, person_id: int) -> bool:
    found = await session.scalar(
        select(WorkshopAttendance.id).where(
            WorkshopAttendance.workshop_id == workshop_id,
            WorkshopAttendance.person_id == person_id,
        )
    )
    return found is not None


async def attendee_ids(session: AsyncSession, workshop_id: int) -> list[int]:
    """Person ids of the attendees who can still be written to (not erased)."""
    rows = await session.scalars(
        select(WorkshopAttendance.person_id)
        .join(Person, Person.id == WorkshopAttendance.person_id)
        .where(WorkshopAttendance.workshop_id == workshop_id, Person.telegram_id.is_not(None))
        .order_by(WorkshopAttendance.id)
    )
    return list(rows)


async def counts(session: AsyncSession) -> dict[int, tuple[int, int]]:
    """Per workshop id: (attendees, completed responses)."""
    attendance = dict(
        (
            await session.execute(
                select(WorkshopAttendance.workshop_id, func.count(WorkshopAttendance.id)).group_by(
                    WorkshopAttendance.workshop_id
                )
            )
        ).all()
    )
    responses = dict(
        (
            await session.execute(
                select(WorkshopRating.workshop_id, func.count(WorkshopRating.id))
                .where(WorkshopRating.completed_at.is_not(None))
                .group_by(WorkshopRating.workshop_id)
            )
        ).all()
    )
    return {
        wid: (attendance.get(wid, 0), responses.get(wid, 0))
        for wid in set(attendance) | set(responses)
    }


async def get_rating(
    session: AsyncSession, workshop_id: int, person_id: int
) -> RatingRecord | None:
    row = await _rating_row(session, workshop_id, person_id)
    if row is None:
        return None
    return RatingRecord(
        row.overall,
        row.content,
        row.facilitation,
        row.usefulness,
        row.organization,
        row.comment,
        row.completed_at,
    )


async def _rating_row(
    session: AsyncSession, workshop_id: int, person_id: int
) -> WorkshopRating | None:
    return await session.scalar(
        select(WorkshopRating).where(
            WorkshopRating.workshop_id == workshop_id, WorkshopRating.person_id == person_id
        )
    )


async def set_rating(
    session: AsyncSession, workshop_id: int, person_id: int, **values: Any
) -> None:
    """Set some survey fields (criteria, comment, completed_at), creating the row if needed."""
    unknown = set(values) - {*CRITERIA, "comment", "completed_at"}
    if unknown:
        raise ValueError(f"not rating fields: {sorted(unknown)}")
    row = await _rating_row(session, workshop_id, person_id)
    if row is None:
        row = WorkshopRating(workshop_id=workshop_id, person_id=person_id)
        session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    await session.flush()


async def ended_without_surveys(session: AsyncSession, now: datetime) -> list[WorkshopRecord]:
    rows = await session.execute(
        _with_region().where(Workshop.ends_at <= now, Workshop.surveys_sent_at.is_(None))
    )
    return [_record(*row) for row in rows]


async def reminders_due(session: AsyncSession, ended_before: datetime) -> list[WorkshopRecord]:
    """Workshops that ended before `ended_before` and whose reminder was not sent yet."""
    rows = await session.execute(
        _with_region().where(
            and_(
                Workshop.ends_at <= ended_before,
                Workshop.reminders_sent_at.is_(None),
                Workshop.surveys_sent_at.is_not(None),
            )
        )
    )
    return [_record(*row) for row in rows]


async def results_due(session: AsyncSession, now: datetime) -> list[WorkshopRecord]:
    rows = await session.execute(
        _with_region().where(Workshop.survey_closes_at <= now, Workshop.results_sent_at.is_(None))
    )
    return [_record(*row) for row in rows]


async def mark(session: AsyncSession, workshop_id: int, field: str, at: datetime) -> None:
    if field not in ("surveys_sent_at", "reminders_sent_at", "results_sent_at"):
        raise ValueError(field)
    workshop = await session.get(Workshop, workshop_id)
    assert workshop is not None
    setattr(workshop, field, at)
    await session.flush()


async def pending_raters(session: AsyncSession, workshop_id: int) -> list[int]:
    """Attendees (still reachable) who have not completed the survey."""
    completed = select(WorkshopRating.person_id).where(
        WorkshopRating.workshop_id == workshop_id, WorkshopRating.completed_at.is_not(None)
    )
    rows = await session.scalars(
        select(WorkshopAttendance.person_id)
        .join(Person, Person.id == WorkshopAttendance.person_id)
        .where(
            WorkshopAttendance.workshop_id == workshop_id,
            Person.telegram_id.is_not(None),
            WorkshopAttendance.person_id.not_in(completed),
        )
    )
    return list(rows)


async def open_surveys(
    session: AsyncSession, person_id: int, now: datetime
) -> list[WorkshopRecord]:
    rows = await session.execute(
        _with_region()
        .join(WorkshopAttendance, WorkshopAttendance.workshop_id == Workshop.id)
        .where(
            WorkshopAttendance.person_id == person_id,
            Workshop.ends_at <= now,
            Workshop.survey_closes_at > now,
        )
        .order_by(Workshop.ends_at.desc())
    )
    return [_record(*row) for row in rows]


async def overall_summary(session: AsyncSession, workshop_id: int) -> tuple[float | None, int]:
    """Average overall rating and the number of completed responses it rests on (those with
    an overall rating: a response recorded without one, from before «Enviar así» needed it,
    would make the average rest on fewer people than the count says)."""
    average, count = (
        await session.execute(
            select(func.avg(WorkshopRating.overall), func.count(WorkshopRating.overall)).where(
                WorkshopRating.workshop_id == workshop_id,
                WorkshopRating.completed_at.is_not(None),
            )
        )
    ).one()
    return (float(average) if average is not None else None), int(count)

"""Cases attended by the regional governments and the history of each (its events)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Case, CaseEvent, Person, Region


@dataclass(frozen=True, slots=True)
class CaseRecord:
    id: int
    person_id: int  # who registered it
    person_name: str | None  # None once that person erased their data
    region_code: str
    region_name: str
    province: str | None
    kind: str
    stratum: str
    supported: bool
    description: str
    formalization_step: str | None
    status: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class CaseEventRecord:
    id: int
    case_id: int
    kind: str  # created | status | step
    from_value: str | None
    to_value: str | None
    note: str | None
    at: datetime
    person_id: int | None
    person_name: str | None


@dataclass(frozen=True, slots=True)
class CasePage:
    cases: list[CaseRecord]
    total: int


def _name(person: Person | None) -> str | None:
    if person is None or person.erased_at is not None:
        return None
    return person.full_name or person.telegram_name


def _record(case: Case, region_name: str, person: Person | None) -> CaseRecord:
    return CaseRecord(
        id=case.id,
        person_id=case.person_id,
        person_name=_name(person),
        region_code=case.region_code,
        region_name=region_name,
        province=case.province,
        kind=case.kind,
        stratum=case.stratum,
        supported=case.supported,
        description=case.description,
        formalization_step=case.formalization_step,
        status=case.status,
        created_at=case.created_at,
        updated_at=case.updated_at,
        closed_at=case.closed_at,
    )


def _query() -> Any:
    return (
        select(Case, Region.name, Person)
        .join(Region, Case.region_code == Region.code)
        .outerjoin(Person, Case.person_id == Person.id)
        .execution_options(populate_existing=True)  # fresh after a conditional UPDATE
    )


async def create(
    session: AsyncSession,
    *,
    person_id: int,
    region_code: str,
    province: str | None,
    kind: str,
    stratum: str,
    supported: bool,
    description: str,
    formalization_step: str | None,
    now: datetime,
) -> CaseRecord:
    """A new open case, and its "created" event."""
    case = Case(
        person_id=person_id,
        region_code=region_code,
        province=province,
        kind=kind,
        stratum=stratum,
        supported=supported,
        description=description,
        formalization_step=formalization_step,
        status="open",
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    await session.flush()
    session.add(
        CaseEvent(
            case_id=case.id,
            person_id=person_id,
            kind="created",
            to_value="open",
            at=now,
        )
    )
    await session.flush()
    record = await get(session, case.id)
    assert record is not None
    return record


async def get(session: AsyncSession, case_id: int) -> CaseRecord | None:
    row = (await session.execute(_query().where(Case.id == case_id))).first()
    return _record(*row) if row else None


async def _page(session: AsyncSession, where: Any, offset: int, limit: int) -> CasePage:
    total = await session.scalar(select(func.count()).select_from(Case).where(where)) or 0
    rows = await session.execute(
        _query()
        .where(where)
        .order_by(Case.created_at.desc(), Case.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return CasePage([_record(*row) for row in rows], total)


async def list_for_person(
    session: AsyncSession, person_id: int, *, offset: int = 0, limit: int = 100
) -> CasePage:
    """The cases a person registered, newest first."""
    return await _page(session, Case.person_id == person_id, offset, limit)


async def list_for_regions(
    session: AsyncSession,
    regions: Collection[str] | None,
    *,
    offset: int = 0,
    limit: int = 100,
) -> CasePage:
    """The cases of the given regions (None: of every region), newest first."""
    where = Case.id.is_not(None) if regions is None else Case.region_code.in_(list(regions))
    return await _page(session, where, offset, limit)


async def change_status(
    session: AsyncSession,
    case_id: int,
    *,
    from_status: str,
    to_status: str,
    closed: bool,
    note: str,
    person_id: int | None,
    now: datetime,
) -> CaseRecord | None:
    """Move the case from `from_status` to `to_status` and record the event; None (nothing
    changed) when the case is no longer in `from_status` (someone else changed it first)."""
    result = await session.execute(
        update(Case)
        .where(Case.id == case_id, Case.status == from_status)
        .values(status=to_status, updated_at=now, closed_at=now if closed else None)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    session.add(
        CaseEvent(
            case_id=case_id,
            person_id=person_id,
            kind="status",
            from_value=from_status,
            to_value=to_status,
            note=note,
            at=now,
        )
    )
    await session.flush()
    return await get(session, case_id)


async def set_step(
    session: AsyncSession,
    case_id: int,
    *,
    step: str,
    person_id: int | None,
    now: datetime,
    note: str | None = None,
) -> CaseRecord:
    """Record the formalization step the case reached."""
    case = await session.get(Case, case_id, populate_existing=True)
    assert case is not None
    previous = case.formalization_step
    case.formalization_step = step
    case.updated_at = now
    session.add(
        CaseEvent(
            case_id=case_id,
            person_id=person_id,
            kind="step",
            from_value=previous,
            to_value=step,
            note=note,
            at=now,
        )
    )
    await session.flush()
    record = await get(session, case_id)
    assert record is not None
    return record


async def history(session: AsyncSession, case_id: int) -> list[CaseEventRecord]:
    """The case's events, oldest first, with who made each."""
    who = aliased(Person)
    rows = await session.execute(
        select(CaseEvent, who)
        .outerjoin(who, CaseEvent.person_id == who.id)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.at, CaseEvent.id)
    )
    return [
        CaseEventRecord(
            id=event.id,
            case_id=event.case_id,
            kind=event.kind,
            from_value=event.from_value,
            to_value=event.to_value,
            note=event.note,
            at=event.at,
            person_id=event.person_id,
            person_name=_name(person),
        )
        for event, person in rows
    ]

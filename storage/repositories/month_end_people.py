"""Who each frozen month's /registrados counts count, and as what (`MonthEndPerson`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import Date, literal, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import MonthEndPerson, Person

_INSERT = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


async def freeze(session: AsyncSession, ends: Mapping[date, datetime]) -> None:
    """For each day, the people registered before `ends[day]` with their region and sex now,
    in the transaction that freezes the day's counts (so the rows are the people counted,
    as counted). A row already written stays: another process froze the day first. One
    INSERT ... SELECT per day, in the database (no person loaded here)."""
    insert = _INSERT[session.bind.dialect.name]
    columns = ("day", "person_id", "region_code", "sex")
    for day, end in ends.items():
        people = select(literal(day, Date), Person.id, Person.region_code, Person.sex).where(
            Person.registered_at.is_not(None), Person.registered_at < end
        )
        await session.execute(
            insert(MonthEndPerson)
            .from_select(columns, people)
            .on_conflict_do_nothing(index_elements=["day", "person_id"])
        )


async def is_frozen(session: AsyncSession, day: date) -> bool:
    """Whether the day's people were written (a month not yet frozen, or nobody registered
    by then: none)."""
    found = await session.scalar(
        select(MonthEndPerson.person_id).where(MonthEndPerson.day == day).limit(1)
    )
    return found is not None

"""People registered by a period's end, as every indicator counts them: read at the month's
end /registrados reads (`bot.services.registered`), never at «now», and hidden where it
hides them. A quarter's end is a month's end, so a past quarter's report and /registrados
read the same frozen counts; the running quarter's report reads the latest month's end past,
as /registrados does, not the day it is asked (two readings a day apart would tell who
registered that day). Each date's hidden regions and sexes are chosen knowing every earlier
date's (`bot.services.registered_history`): Q1's and Q2's reports subtracted tell nothing
that either hides.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Subquery, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services.indicators.common import Query, sex_code
from bot.services.indicators.periods import Period
from bot.services.registered import Snapshot, boundary, history, latest_day
from storage.models import MonthEndPerson, Person
from storage.repositories import month_end_people


def read_on(period: Period, now: datetime, t: Translator) -> date:
    """The month's end a report of `period` reads at `now`: the last one on or before the
    period's last day, and never after the latest past."""
    last = period.last
    if (last + timedelta(days=1)).day != 1:
        last = last.replace(day=1) - timedelta(days=1)
    return min(last, latest_day(now, t.timezone))


async def snapshot_for(
    session: AsyncSession, period: Period, t: Translator, now: datetime
) -> Snapshot:
    """The counts and hides of the month's end a report of `period` reads (empty before
    anyone registered)."""
    day = read_on(period, now, t)
    for snapshot in await history(session, now, t.timezone, freeze=False):
        if snapshot.day == day:
            return snapshot
    return Snapshot(day, {}, frozenset(), frozenset())


def registered_rows(snapshot: Snapshot, region: str | None) -> list[tuple[str, str | None, int]]:
    """(region, sex, people) of `snapshot`, only `region`'s when given (`common.add`)."""
    return [
        (code, sex, n)
        for code, by_sex in snapshot.splits.items()
        if region is None or code == region
        for sex, n in by_sex.items()
        if n
    ]


async def registered_of(q: Query) -> Snapshot:
    """The report's snapshot: the one its query was given, else read now."""
    return q.registered or await snapshot_for(q.session, q.period, q.t, q.now)


async def registered_cells(q: Query) -> Counter[tuple[Any, Any]]:
    """Every region's people registered per (region, sex) as the reader knows them: the
    report's month's end, the figures /registrados and indicator 7 print, never counted live
    (a person registered since, or who changed region or sex in /perfil, is not in them: a
    check bounding a cell by the live count let through what these pin,
    tests/test_invitees_month_end). A region whose split /registrados hides is given its
    split all the same: the checks take the reader to know more, the safe side."""
    people: Counter[tuple[Any, Any]] = Counter()
    for code, sex, n in registered_rows(await registered_of(q), None):
        people[(code, sex_code(sex))] += n
    return people


async def counted_people(q: Query) -> Subquery:
    """The people the report's registered counts count (person_id, region_code, sex), each
    in the region and with the sex she is counted as there: written when the month's counts
    were frozen (`MonthEndPerson`), so a later /perfil change moves no one; a month not yet
    frozen (a report read without its handler's freeze) is counted live, and so are these."""
    day = (await registered_of(q)).day
    if await month_end_people.is_frozen(q.session, day):
        frozen = MonthEndPerson
        return (
            select(frozen.person_id, frozen.region_code, frozen.sex)
            .where(frozen.day == day)
            .subquery()
        )
    end = boundary(day, q.t.timezone).astimezone(UTC)
    return (
        select(Person.id.label("person_id"), Person.region_code, Person.sex)
        .where(Person.registered_at.is_not(None), Person.registered_at < end)
        .subquery()
    )

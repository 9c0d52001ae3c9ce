"""The regions and sexes whose people indicator 8 counts changed by a move: someone counted in
one region (or with one sex) at a month's end and in another at a later one, by a change in
/perfil.

Indicator 8 counts each person where /registrados counted her at the period's last month's
end (`registered_at`), so that its reached people are some of each cell's registered. Those
reached up to the end are a stock, and a person who moves takes hers along: Puno's woman,
reached in Q1, moved to Cusco in May; Q1 printed Puno reached 2, Q2 Puno reached 1 and
received in Q2 0, so Puno's stayers had 1 before Q2 and the one who left Puno (its registered
4, then 3) had been reached: Q1's Puno women received 1, a cell of one its reports hid
(tests/test_publications_region_move). Any earlier reading's stock, beside a later one and
the receipts between, may so tell the movers'; the regions and sexes a move touched hide
their figures resting on the registered from then on, whatever the receipts (which the
hiding would otherwise tell). Moves before the first publication was received carry
nothing (everyone's stock was 0) and count for nothing."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, date, tzinfo
from typing import Any

from sqlalchemy import Date, Subquery, distinct, func, literal, or_, select, union_all

from bot.services.indicators.common import Query, sex_code
from bot.services.registered import boundary, latest_day
from storage.models import MonthEndPerson, Person, PublicationDelivery
from storage.repositories import month_end_people

Row = tuple[int, date, str | None, str | None]  # a mover counted at a month's end: as what
# Per report (`build_report` sets it): the movers' rows found for a month's end, frozen. A
# later day's hold every earlier day's movers (two cells by then are two cells later too), so
# a year's quarters filter the year's instead of reading every month's end again (120 ms of
# CPU each for 10,000 people and 24 months on SQLite: `bench.publication_moves`).
KEPT: ContextVar[dict[date, list[Row]] | None] = ContextVar("publication_moves", default=None)


async def moved_groups(q: Query, day_read: date) -> tuple[frozenset[Any], frozenset[Any]]:
    """(regions, sexes): every region a person was counted in, and every sex she was
    counted with, among those counted in more than one at the months' ends from the last
    before the first publication received to `day_read` (the report's month's end; counted
    live when not frozen, as `counted_people` counts it)."""
    first = await q.session.scalar(select(func.min(PublicationDelivery.delivered_at)))
    if first is None:
        return frozenset(), frozenset()
    since = latest_day(first, q.t.timezone)
    live = not await month_end_people.is_frozen(q.session, day_read)
    kept = KEPT.get()
    later = [] if kept is None or live else [day for day in kept if day >= day_read]
    if later:
        rows = [row for row in kept[min(later)] if row[1] <= day_read]  # type: ignore[index]
    else:
        rows = await _movers(q, since, day_read, q.t.timezone if live else None)
        if kept is not None and not live:
            kept[day_read] = rows
    cells: dict[int, set[tuple[str | None, str | None]]] = {}
    for person, _day, code, her_sex in rows:
        cells.setdefault(person, set()).add((code, sex_code(her_sex)))
    regions, sexes = set(), set()
    for theirs in cells.values():
        if len({code for code, _sex in theirs}) > 1:
            regions |= {code for code, _sex in theirs}
        if len({s for _code, s in theirs}) > 1:
            sexes |= {s for _code, s in theirs}
    return frozenset(regions), frozenset(sexes)


async def _movers(q: Query, since: date, day_read: date, live: tzinfo | None) -> list[Row]:
    """The rows (`_rows`) of the people counted in more than one region or sex in them."""
    rows = _rows(since, day_read, live)
    region, sex = func.coalesce(rows.c.region_code, ""), func.coalesce(rows.c.sex, "")
    movers = (
        select(rows.c.person_id)
        .group_by(rows.c.person_id)
        .having(or_(func.count(distinct(region)) > 1, func.count(distinct(sex)) > 1))
    )
    found = await q.session.execute(
        select(rows.c.person_id, rows.c.day, rows.c.region_code, rows.c.sex)
        .where(rows.c.person_id.in_(movers))
        .distinct()
    )
    return [(person, day, code, her_sex) for person, day, code, her_sex in found]


def _rows(since: date, day_read: date, live: tzinfo | None) -> Subquery:
    """(person_id, day, region_code, sex) at each frozen month's end from `since` to
    `day_read`, and at `day_read` as counted live when it is not frozen (`live`: the zone of
    its end)."""
    frozen = select(
        MonthEndPerson.person_id, MonthEndPerson.day, MonthEndPerson.region_code, MonthEndPerson.sex
    ).where(MonthEndPerson.day >= since, MonthEndPerson.day <= day_read)
    if live is None:
        return frozen.subquery()
    end = boundary(day_read, live).astimezone(UTC)
    now = select(Person.id, literal(day_read, Date), Person.region_code, Person.sex).where(
        Person.registered_at.is_not(None), Person.registered_at < end
    )
    return union_all(frozen, now).subquery()

"""/registrados' figures, in one place: people registered by region and sex at each month's
end in Lima, and which regions' splits by sex each of those dates hides. The chat's command
prints the latest; the indicators' checks read what it shows beside their tables
(`bot.services.indicators.registered_zeros`), so the two cannot drift apart.

Never «now»: two readings a day apart would tell the sex of whoever registered that day
(`bot.services.registered_history`). A month's counts are frozen the first time a reader
asks for them after it ends (`app_state`, one row per month: aggregate counts, no person;
and who they count, each in the region and with the sex counted, `month_end_people`):
counted again later, a person who changed their sex or region in /perfil since would
change a figure already read, a difference of one. Counted once, the change shows at the
next month's end, as a move the rule there sees. Erased people stay counted (erasure keeps
region and sex, `people.registered_counts`), so an erasure changes no figure.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.profile import SEXES
from bot.services.registered_history import hidden_over_time
from storage.db import Database
from storage.models import Person
from storage.repositories import app_state, month_end_people

# app_state (keys of at most 60 characters, values of 300): "reg 2026-11-30" marks the month
# as counted; "reg 2026-11-30 cusco" holds a region's people by sex in ORDER ("[3, 3, 0, 0]").
PREFIX = "reg "
NO_REGION = "-"  # the key of people without a region (none registers so; older rows may)
ORDER: tuple[str | None, ...] = (*SEXES, None)  # a row's columns: each sex, then none given

Splits = dict[str | None, dict[str | None, int]]  # region code -> sex -> people registered
_Tables = tuple[tuple[tuple[str, tuple[int, ...]], ...], ...]  # each date's rows, sorted
_HIDES: dict[_Tables, tuple[list, list]] = {}  # `_hides` by the dates' counts


@dataclass(frozen=True, slots=True)
class Snapshot:
    """People registered by the end of `day` (a month's last, in Lima), by region and sex;
    the regions whose split by sex is hidden, and the sexes whose national count is."""

    day: date
    splits: Splits
    hidden: frozenset[str | None]
    sexes: frozenset[str | None]


def month_ends(first: date, today: date) -> list[date]:
    """The last day of each month from `first`'s to the one before `today`'s."""
    ends = []
    month = first.replace(day=1)
    while month < today.replace(day=1):
        following = (month + timedelta(days=32)).replace(day=1)
        ends.append(following - timedelta(days=1))
        month = following
    return ends


def boundary(day: date, zone: tzinfo) -> datetime:
    """The first moment after `day` in `zone`: registered before it, counted at `day`."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)


def latest_day(now: datetime, zone: tzinfo) -> date:
    """The date /registrados reads at `now`: the last day of the month before."""
    return now.astimezone(zone).date().replace(day=1) - timedelta(days=1)


async def history(
    session: AsyncSession, now: datetime, zone: tzinfo, *, freeze: bool = True
) -> list[Snapshot]:
    """Every month's end since the first registration, up to the latest one past, oldest
    first: each one's counts (frozen here if not yet) and what it hides. `freeze` False: a
    month not yet frozen is counted but not written (the indicator report, one long read
    transaction: a write there would hold SQLite's lock for the whole report; its handler
    freezes the months first, in a short transaction of its own)."""
    frozen = await _frozen(session)
    missing = await _missing(session, frozen, now, zone)
    if missing and not freeze:
        frozen |= await _count(session, missing, zone)
    elif missing:
        await _freeze(session, missing, zone)
        frozen = await _frozen(session)  # another process may have frozen one first: its own
    ordered = sorted(day for day in frozen if day <= latest_day(now, zone))
    tables = tuple(
        tuple(sorted(((r, tuple(row)) for r, row in _rows(frozen[day]).items()), key=str))
        for day in ordered
    )
    regions, sexes = await _hides_apart(tables)
    return [Snapshot(day, frozen[day], regions[i], sexes[i]) for i, day in enumerate(ordered)]


async def freeze_months(db: Database, now: datetime, zone: tzinfo) -> None:
    """The months past not yet frozen (`history`), oldest first, each in a transaction of its
    own: its counts and its people (`month_end_people`, one row each) written together, so a
    month's rows are still its people as counted. All in one transaction, the first report
    after two years of months unfrozen (a new database) wrote 150,000 rows at once: SQLite's
    work on the event loop (in place, inside a write transaction), a stall of 124-290 ms that
    every reply waited out (#17, bench.broadcast: its workbook asked at «Enviar»). A month
    is at most one row per person (10,000: a few ms), and replies take the write turn and
    the loop between months."""
    async with db.session() as session:
        missing = await _missing(session, await _frozen(session), now, zone)
    for day in missing:
        async with db.session() as session:
            await _freeze(session, [day], zone)


async def _missing(
    session: AsyncSession, frozen: Mapping[date, Splits], now: datetime, zone: tzinfo
) -> list[date]:
    """The months' ends past, since the first registration, not yet `frozen`: oldest first."""
    first = await session.scalar(
        select(Person.registered_at)
        .where(Person.registered_at.is_not(None))
        .order_by(Person.registered_at)
        .limit(1)
    )
    days = set(frozen)
    if first is not None:
        start = first.astimezone(zone).date()
        days |= set(month_ends(start, latest_day(now, zone) + timedelta(days=1)))
    return sorted(day for day in days if day not in frozen and day <= latest_day(now, zone))


async def _freeze(session: AsyncSession, days: list[date], zone: tzinfo) -> None:
    """Count `days` and write their counts (app_state; a month another process counted first
    keeps its own) and who they count, as counted (indicator 8 groups its people reached by
    these)."""
    rows: dict[str, str] = {}
    for day, splits in (await _count(session, days, zone)).items():
        for region, row in _rows(splits).items():
            rows[f"{PREFIX}{day} {region or NO_REGION}"] = json.dumps(row)
        rows[f"{PREFIX}{day}"] = "counted"
    await app_state.put_all_once(session, rows)  # one statement for every day
    await month_end_people.freeze(
        session, {day: boundary(day, zone).astimezone(UTC) for day in days}
    )


async def _hides_apart(tables: _Tables) -> tuple[list, list]:
    """`_hides`, computed in a thread the first time for these counts (26 ms of CPU for two
    years of month ends, in one piece: on the event loop every reply of that moment waited
    for it; in a thread the loop gets the GIL back every few milliseconds), then remembered."""
    if (known := _HIDES.get(tables)) is not None:
        return known
    found = await asyncio.to_thread(_hides, tables)
    while len(_HIDES) >= 16:  # a new month's counts: the oldest forgotten
        _HIDES.pop(next(iter(_HIDES)))
    _HIDES[tables] = found
    return found


def _hides(tables: _Tables) -> tuple[list, list]:
    """Each date's hidden regions and national sexes (growing with the square of the number
    of dates; remembered by `_hides_apart`: frozen counts change only when a month is
    added)."""
    rows = [{region: list(row) for region, row in table} for table in tables]
    nationals = [
        {sex: [sum(row[i] for row in table.values())] for i, sex in enumerate(ORDER)}
        for table in rows
    ]
    return hidden_over_time(rows), hidden_over_time(nationals, totals_known=False)


async def latest(
    session: AsyncSession, now: datetime, zone: tzinfo, *, freeze: bool = True
) -> Snapshot | None:
    """What /registrados shows at `now`: the latest month's end past; None before any."""
    found = await history(session, now, zone, freeze=freeze)
    return found[-1] if found and found[-1].day == latest_day(now, zone) else None


def _rows(splits: Mapping[str | None, Mapping[str | None, int]]) -> dict[str | None, list[int]]:
    return {region: [by_sex.get(sex, 0) for sex in ORDER] for region, by_sex in splits.items()}


async def _frozen(session: AsyncSession) -> dict[date, Splits]:
    """The months counted, each one's regions' people by sex."""
    found: dict[date, Splits] = {}
    items = await app_state.items_with(session, PREFIX)
    for key, _value in items:
        if " " not in key.removeprefix(PREFIX):
            found[date.fromisoformat(key.removeprefix(PREFIX))] = {}
    for key, value in items:
        day, _, region = key.removeprefix(PREFIX).partition(" ")
        if region and date.fromisoformat(day) in found:
            counts = json.loads(value)
            code = None if region == NO_REGION else region
            found[date.fromisoformat(day)][code] = dict(zip(ORDER, counts, strict=True))
    return found


async def _count(session: AsyncSession, days: list[date], zone: tzinfo) -> dict[date, Splits]:
    """People registered (erased ones included) before each day's end, by region (none
    counted too, as indicator 7 counts them; /registrados lists regions) and sex (a sex not
    among SEXES as none).

    Counted by the database, by region, sex and the first of `days` whose end is after the
    registration (a few hundred rows), then added up day by day here: each person loaded and
    compared with every day's end in Python held the event loop 80 ms for 10,000 people and
    two years of months (the first /indicadores or /registrados after seeding; #17)."""
    order = sorted(days)
    ends = [boundary(day, zone).astimezone(UTC) for day in order]
    at = Person.registered_at
    first = case(*((at < end, n) for n, end in enumerate(ends)))  # the first day counting them
    people = (
        select(Person.region_code, Person.sex, first.label("first"))
        .where(at.is_not(None), at < ends[-1])
        .subquery()
    )
    rows = await session.execute(
        select(people.c.region_code, people.c.sex, people.c.first, func.count()).group_by(
            people.c.region_code, people.c.sex, people.c.first
        )
    )
    joined: list[dict[tuple[str | None, str | None], int]] = [{} for _ in order]
    for region, sex, since, count in rows:
        key = (region, sex if sex in SEXES else None)
        joined[since][key] = joined[since].get(key, 0) + count
    found: dict[date, Splits] = {}
    running: dict[tuple[str | None, str | None], int] = {}
    for day, new in zip(order, joined, strict=True):
        for key, count in new.items():
            running[key] = running.get(key, 0) + count
        splits: Splits = {}
        for (region, code), count in running.items():
            splits.setdefault(region, {})[code] = count
        found[day] = splits
    return found
